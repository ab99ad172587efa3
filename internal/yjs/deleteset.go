package yjs

import (
	"cmp"
	"slices"

	"github.com/kaicode/kaicode/internal/yjs/lib0"
)

// normalizeDeleteSet sorts ds by client, highest first as Yjs writes it,
// then by clock, and merges overlapping and adjacent ranges. It works in
// place and returns the shortened slice.
func normalizeDeleteSet(ds []deleteRange) []deleteRange {
	slices.SortFunc(ds, func(a, b deleteRange) int {
		if a.client != b.client {
			return cmp.Compare(b.client, a.client)
		}
		return cmp.Compare(a.clock, b.clock)
	})
	out := ds[:0]
	for _, r := range ds {
		if n := len(out); n > 0 && out[n-1].client == r.client && out[n-1].clock+out[n-1].length >= r.clock {
			last := &out[n-1]
			last.length = max(last.length, r.clock+r.length-last.clock)
			continue
		}
		out = append(out, r)
	}
	return out
}

// appendDeleteSet appends a normalized delete set.
func appendDeleteSet(dst []byte, ds []deleteRange) []byte {
	clients := 0
	for i := range ds {
		if i == 0 || ds[i].client != ds[i-1].client {
			clients++
		}
	}
	dst = lib0.AppendVarUint(dst, uint64(clients))
	for i := 0; i < len(ds); {
		j := i + 1
		for j < len(ds) && ds[j].client == ds[i].client {
			j++
		}
		dst = lib0.AppendVarUint(dst, ds[i].client)
		dst = lib0.AppendVarUint(dst, uint64(j-i))
		for _, r := range ds[i:j] {
			dst = lib0.AppendVarUint(lib0.AppendVarUint(dst, r.clock), r.length)
		}
		i = j
	}
	return dst
}
