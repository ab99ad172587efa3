package yjs

import (
	"sort"

	"github.com/kaicode/kaicode/internal/yjs/lib0"
)

// CompactUpdate returns update with the content of every item its delete
// set covers replaced by deleted content of the same length, as Yjs's
// garbage collector does, and with adjacent structs merged where Yjs would
// merge them. Items keep their ids and origins, so the result converges
// with every peer exactly like the original; it only stops a stored
// document from growing with deleted text.
func CompactUpdate(update []byte) ([]byte, error) {
	u, err := decodeUpdate(update)
	if err != nil {
		return nil, err
	}
	ds := normalizeDeleteSet(u.deletes)
	out := make([]byte, 0, len(update))
	blocks := 0
	for _, b := range u.blocks {
		if len(b.structs) > 0 {
			blocks++
		}
	}
	out = lib0.AppendVarUint(out, uint64(blocks))
	var scratch []structRec
	for _, b := range u.blocks {
		if len(b.structs) == 0 {
			continue
		}
		scratch = scratch[:0]
		ranges := clientRanges(ds, b.client)
		for i := range b.structs {
			scratch = compactStruct(scratch, &b.structs[i], ranges)
		}
		out = appendBlock(out, scratch)
	}
	return appendDeleteSet(out, ds), nil
}

// clientRanges returns the ranges of client in the normalized delete set ds.
func clientRanges(ds []deleteRange, client uint64) []deleteRange {
	i := sort.Search(len(ds), func(i int) bool { return ds[i].client <= client })
	j := i
	for j < len(ds) && ds[j].client == client {
		j++
	}
	return ds[i:j]
}

// compactStruct appends s to dst, split into pieces at the boundaries of
// the deleted ranges, the deleted pieces with deleted content.
func compactStruct(dst []structRec, s *structRec, ranges []deleteRange) []structRec {
	if s.kind != kindItem || s.ref == refDeleted {
		return append(dst, *s)
	}
	// The first range that ends after the struct starts.
	k := sort.Search(len(ranges), func(k int) bool { return ranges[k].clock+ranges[k].length > s.clock })
	if k == len(ranges) || ranges[k].clock >= s.end() {
		return append(dst, *s)
	}
	for at := s.clock; at < s.end(); {
		deleted := k < len(ranges) && ranges[k].clock <= at
		next := s.end()
		switch {
		case deleted:
			next = min(next, ranges[k].clock+ranges[k].length)
			k++
		case k < len(ranges):
			next = min(next, ranges[k].clock)
		}
		if deleted {
			dst = append(dst, deletedPiece(s, at-s.clock, next-s.clock))
		} else {
			dst = append(dst, slicePiece(s, at-s.clock, next-s.clock))
		}
		at = next
	}
	return dst
}

// deletedPiece returns units [from, to) of item s with deleted content.
func deletedPiece(s *structRec, from, to uint64) structRec {
	p := *s
	p.ref = refDeleted
	p.body = lib0.AppendVarUint(nil, to-from)
	setPieceRange(&p, s, from, to)
	return p
}
