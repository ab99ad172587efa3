package yjs

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kaicode/kaicode/internal/yjs/lib0"
)

// AwarenessEntry is one client's entry in an awareness update.
type AwarenessEntry struct {
	ClientID uint64
	Clock    uint64
	// State is the client's state as JSON; "null" means the client is gone.
	State string
}

// DecodeAwarenessUpdate decodes an awareness update, the payload of an
// awareness message. Each state must be valid JSON, as y-protocols parses it.
func DecodeAwarenessUpdate(b []byte) ([]AwarenessEntry, error) {
	d := lib0.NewDecoder(b)
	// An entry takes at least three bytes: client, clock and state length.
	n, err := d.ReadCount(3)
	if err != nil {
		return nil, invalidMessage("awareness entry count", err)
	}
	entries := make([]AwarenessEntry, 0, n)
	for i := range n {
		var e AwarenessEntry
		if e.ClientID, err = d.ReadVarUint(); err != nil {
			return nil, invalidMessage(fmt.Sprintf("awareness entry %d client", i), err)
		}
		if e.Clock, err = d.ReadVarUint(); err != nil {
			return nil, invalidMessage(fmt.Sprintf("awareness entry %d clock", i), err)
		}
		state, err := d.ReadVarStringBytes()
		if err != nil {
			return nil, invalidMessage(fmt.Sprintf("awareness entry %d state", i), err)
		}
		if !json.Valid(state) {
			return nil, fmt.Errorf("%w: awareness entry %d: state is not JSON", ErrInvalidMessage, i)
		}
		e.State = string(state)
		entries = append(entries, e)
	}
	if d.Remaining() != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes after awareness update", ErrInvalidMessage, d.Remaining())
	}
	return entries, nil
}

// EncodeAwarenessUpdate encodes entries as an awareness update. An empty
// State is written as "null".
func EncodeAwarenessUpdate(entries []AwarenessEntry) []byte {
	size := 1
	for _, e := range entries {
		size += 24 + len(e.State)
	}
	out := lib0.AppendVarUint(make([]byte, 0, size), uint64(len(entries)))
	for _, e := range entries {
		state := e.State
		if state == "" {
			state = "null"
		}
		out = lib0.AppendVarUint(out, e.ClientID)
		out = lib0.AppendVarUint(out, e.Clock)
		out = lib0.AppendVarString(out, toValidUTF8(state))
	}
	return out
}

// toValidUTF8 returns s with invalid UTF-8 replaced by U+FFFD, which is
// what a JavaScript TextEncoder would have written.
func toValidUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, replacementChar)
}
