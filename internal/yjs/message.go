package yjs

import (
	"fmt"

	"github.com/kaicode/kaicode/internal/yjs/lib0"
)

// Message types of the y-websocket protocol.
const (
	MessageSync           = 0
	MessageAwareness      = 1
	MessageAuth           = 2
	MessageQueryAwareness = 3
)

// Subtypes of a sync message.
const (
	SyncStep1  = 0 // payload: the sender's state vector
	SyncStep2  = 1 // payload: an update with what the receiver lacks
	SyncUpdate = 2 // payload: an update
)

// AuthPermissionDenied is the only subtype of an auth message.
const AuthPermissionDenied = 0

// Message is a decoded y-websocket message.
type Message struct {
	Type uint64
	// SyncType is the subtype of a sync or auth message.
	SyncType uint64
	// Payload is the state vector or update of a sync message, the
	// awareness update of an awareness message, or the reason of an auth
	// message. It aliases the decoded bytes.
	Payload []byte
}

// DecodeMessage decodes one y-websocket message. It rejects truncated
// messages and trailing bytes with an error wrapping ErrInvalidMessage, and
// unknown types and subtypes with an *UnknownMessageError. The payload is
// not decoded further.
func DecodeMessage(b []byte) (Message, error) {
	d := lib0.NewDecoder(b)
	var m Message
	var err error
	if m.Type, err = d.ReadVarUint(); err != nil {
		return m, invalidMessage("message type", err)
	}
	switch m.Type {
	case MessageSync:
		if m.SyncType, err = d.ReadVarUint(); err != nil {
			return m, invalidMessage("sync type", err)
		}
		if m.SyncType > SyncUpdate {
			return m, &UnknownMessageError{Type: m.Type, SubType: m.SyncType, HasSub: true}
		}
		if m.Payload, err = d.ReadVarUint8Array(); err != nil {
			return m, invalidMessage("sync payload", err)
		}
	case MessageAwareness:
		if m.Payload, err = d.ReadVarUint8Array(); err != nil {
			return m, invalidMessage("awareness payload", err)
		}
	case MessageAuth:
		if m.SyncType, err = d.ReadVarUint(); err != nil {
			return m, invalidMessage("auth type", err)
		}
		if m.SyncType != AuthPermissionDenied {
			return m, &UnknownMessageError{Type: m.Type, SubType: m.SyncType, HasSub: true}
		}
		if m.Payload, err = d.ReadVarStringBytes(); err != nil {
			return m, invalidMessage("auth reason", err)
		}
	case MessageQueryAwareness:
	default:
		return m, &UnknownMessageError{Type: m.Type}
	}
	if d.Remaining() != 0 {
		return m, fmt.Errorf("%w: %d trailing bytes after message type %d", ErrInvalidMessage, d.Remaining(), m.Type)
	}
	return m, nil
}

func invalidMessage(what string, err error) error {
	return fmt.Errorf("%w: %s: %w", ErrInvalidMessage, what, err)
}

func encodeSync(syncType byte, payload []byte) []byte {
	out := make([]byte, 0, len(payload)+12)
	return lib0.AppendVarUint8Array(append(out, MessageSync, syncType), payload)
}

// EncodeSyncStep1 encodes a sync step 1 message carrying state vector sv.
func EncodeSyncStep1(sv []byte) []byte { return encodeSync(SyncStep1, sv) }

// EncodeSyncStep2 encodes a sync step 2 message carrying update.
func EncodeSyncStep2(update []byte) []byte { return encodeSync(SyncStep2, update) }

// EncodeSyncUpdate encodes a sync update message carrying update.
func EncodeSyncUpdate(update []byte) []byte { return encodeSync(SyncUpdate, update) }

// EncodeAwareness encodes an awareness message carrying an awareness update
// (see EncodeAwarenessUpdate).
func EncodeAwareness(update []byte) []byte {
	return lib0.AppendVarUint8Array(append(make([]byte, 0, len(update)+11), MessageAwareness), update)
}

// EncodeQueryAwareness encodes a query-awareness message.
func EncodeQueryAwareness() []byte { return []byte{MessageQueryAwareness} }

// EncodePermissionDenied encodes an auth message denying permission for
// the given reason. Invalid UTF-8 in reason is replaced by U+FFFD.
func EncodePermissionDenied(reason string) []byte {
	return lib0.AppendVarString([]byte{MessageAuth, AuthPermissionDenied}, toValidUTF8(reason))
}
