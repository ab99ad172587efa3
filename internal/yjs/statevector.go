package yjs

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/kaicode/kaicode/internal/yjs/lib0"
)

// EncodeStateVectorFromUpdate returns the state vector of the document that
// update alone produces, like Y.encodeStateVectorFromUpdate: for each client
// the clock after its contiguous structs from clock 0, up to the first gap.
// Clients whose structs do not start at clock 0 are left out.
func EncodeStateVectorFromUpdate(update []byte) ([]byte, error) {
	d := lib0.NewDecoder(update)
	blocks, err := d.ReadCount(3)
	if err != nil {
		return nil, wrapInvalid("number of clients", err)
	}
	type entry struct{ client, clock uint64 }
	var entries []entry
	first := true
	var client, clock uint64
	stop := false
	var s structRec
	for i := range blocks {
		n, c, at, err := readBlockHeader(d)
		if err != nil {
			return nil, fmt.Errorf("client block %d: %w", i, err)
		}
		for k := range n {
			if err := readStructAt(d, &s, c, at); err != nil {
				return nil, fmt.Errorf("struct %d of client %d: %w", k, c, err)
			}
			at += s.length
			if first || c != client {
				if !first && clock != 0 {
					entries = append(entries, entry{client, clock})
				}
				client, clock, stop = c, 0, s.clock != 0
				if first && !stop {
					// Yjs counts the very first struct before it looks at
					// its kind, so a leading Skip of the first client counts.
					clock = s.end()
				}
				first = false
			}
			if s.kind == kindSkip {
				stop = true
			}
			if !stop {
				clock = s.end()
			}
		}
	}
	if _, err := readDeleteSet(d); err != nil {
		return nil, err
	}
	if d.Remaining() != 0 {
		return nil, invalid("%d trailing bytes", d.Remaining())
	}
	if !first && clock != 0 {
		entries = append(entries, entry{client, clock})
	}
	out := lib0.AppendVarUint(make([]byte, 0, 1+len(entries)*8), uint64(len(entries)))
	for _, e := range entries {
		out = lib0.AppendVarUint(lib0.AppendVarUint(out, e.client), e.clock)
	}
	return out, nil
}

// DecodeStateVector decodes a state vector into a map from client to the
// clock after that client's last known struct.
func DecodeStateVector(sv []byte) (map[uint64]uint64, error) {
	d := lib0.NewDecoder(sv)
	n, err := d.ReadCount(2)
	if err != nil {
		return nil, fmt.Errorf("state vector: %w", wrapInvalid("length", err))
	}
	m := make(map[uint64]uint64, n)
	for range n {
		client, err := readNumber(d, "state vector client")
		if err != nil {
			return nil, err
		}
		clock, err := readNumber(d, "state vector clock")
		if err != nil {
			return nil, err
		}
		m[client] = clock
	}
	if d.Remaining() != 0 {
		return nil, invalid("state vector has %d trailing bytes", d.Remaining())
	}
	return m, nil
}

// EncodeStateVector encodes a map from client to clock as a state vector,
// clients in descending order as Yjs writes them.
func EncodeStateVector(sv map[uint64]uint64) []byte {
	clients := make([]uint64, 0, len(sv))
	for c := range sv {
		clients = append(clients, c)
	}
	slices.SortFunc(clients, func(a, b uint64) int { return cmp.Compare(b, a) })
	out := lib0.AppendVarUint(nil, uint64(len(clients)))
	for _, c := range clients {
		out = lib0.AppendVarUint(lib0.AppendVarUint(out, c), sv[c])
	}
	return out
}
