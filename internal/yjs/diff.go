package yjs

import (
	"fmt"

	"github.com/kaicode/kaicode/internal/yjs/lib0"
)

// maxVarUintLen is the longest encoding of a 64-bit varUint.
const maxVarUintLen = 10

// DiffUpdate returns the part of update that a peer with the given state
// vector lacks, like Y.diffUpdate: every struct from the peer's clock of its
// client on, and the whole delete set. It streams: structs the peer lacks
// are copied as they are encoded, and only one struct per client, the one
// the peer has the beginning of, is re-encoded.
func DiffUpdate(update, stateVector []byte) ([]byte, error) {
	sv, err := DecodeStateVector(stateVector)
	if err != nil {
		return nil, err
	}
	d := lib0.NewDecoder(update)
	blocks, err := d.ReadCount(3)
	if err != nil {
		return nil, wrapInvalid("number of clients", err)
	}
	// The number of blocks written is known only at the end; it goes in
	// front of them, into room reserved here.
	out := make([]byte, maxVarUintLen, len(update)+maxVarUintLen)
	written := 0
	for i := range blocks {
		var kept bool
		if out, kept, err = diffBlock(out, d, update, sv); err != nil {
			return nil, fmt.Errorf("client block %d: %w", i, err)
		}
		if kept {
			written++
		}
	}
	ds, err := readDeleteSet(d)
	if err != nil {
		return nil, err
	}
	if d.Remaining() != 0 {
		return nil, invalid("%d trailing bytes", d.Remaining())
	}
	out = appendDeleteSet(out, normalizeDeleteSet(ds))
	start := maxVarUintLen - len(lib0.AppendVarUint(nil, uint64(written)))
	lib0.AppendVarUint(out[start:start], uint64(written))
	return out[start:], nil
}

// diffBlock reads a client block from d and appends to out the structs of
// it from the clock known on, the first one sliced if it starts earlier.
// Skips the peer would meet first are dropped, as Yjs never begins a block
// with one.
func diffBlock(out []byte, d *lib0.Decoder, update []byte, sv map[uint64]uint64) ([]byte, bool, error) {
	n, client, clock, err := readBlockHeader(d)
	if err != nil {
		return out, false, err
	}
	known := sv[client]
	kept := false
	rest := 0 // offset in update of the structs to copy
	var s structRec
	for i := range n {
		start := d.Offset()
		if err := readStructAt(d, &s, client, clock); err != nil {
			return out, false, fmt.Errorf("struct %d of client %d: %w", i, client, err)
		}
		clock += s.length
		if kept || s.kind == kindSkip || s.end() <= known {
			continue
		}
		kept = true
		out = lib0.AppendVarUint(out, uint64(n-i))
		out = lib0.AppendVarUint(out, client)
		if s.clock >= known {
			out = lib0.AppendVarUint(out, s.clock)
			rest = start
			continue
		}
		first := sliceStruct(s, known-s.clock)
		out = lib0.AppendVarUint(out, first.clock)
		out = appendRun(out, []structRec{first})
		rest = d.Offset()
	}
	if kept {
		out = append(out, update[rest:d.Offset()]...)
	}
	return out, kept, nil
}
