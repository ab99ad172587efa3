package yjs

import "github.com/kaicode/kaicode/internal/yjs/lib0"

// sliceStruct returns units [from, s.length) of s, as Yjs's sliceStruct
// does.
func sliceStruct(s structRec, from uint64) structRec {
	if s.kind == kindItem {
		return slicePiece(&s, from, s.length)
	}
	s.clock += from
	s.length -= from
	return s
}

// slicePiece returns units [from, to) of item s.
func slicePiece(s *structRec, from, to uint64) structRec {
	p := *s
	if from == 0 && to == s.length {
		return p
	}
	p.body = sliceItemContent(s, from, to)
	setPieceRange(&p, s, from, to)
	return p
}

// setPieceRange makes p, a copy of item s, cover units [from, to) of s. A
// piece that starts inside s gets the unit before it as origin, so its
// parent is inferred from there, as with Yjs's splitItem.
func setPieceRange(p, s *structRec, from, to uint64) {
	if from > 0 {
		p.hasOrigin = true
		p.origin = ID{Client: s.client, Clock: s.clock + from - 1}
		p.parentKind = parentNone
		p.hasParentSub = false
	}
	p.clock = s.clock + from
	p.length = to - from
}

// canMerge reports whether Yjs would merge struct b into the struct a that
// immediately precedes it in the same client's clock order.
func canMerge(a, b *structRec) bool {
	if a.kind != b.kind {
		return false
	}
	if a.kind != kindItem {
		return true
	}
	return a.ref == b.ref && mergeable(a.ref) &&
		b.hasOrigin && b.origin == ID{Client: a.client, Clock: a.end() - 1} &&
		a.hasRightOrigin == b.hasRightOrigin && a.rightOrigin == b.rightOrigin
}

// appendBlock appends a client block holding structs, which must be of one
// client, consecutive in clock order and not empty. Adjacent structs that
// Yjs would merge are written as one.
func appendBlock(dst []byte, structs []structRec) []byte {
	n := 0
	for i := 0; i < len(structs); i = runEnd(structs, i) {
		n++
	}
	dst = lib0.AppendVarUint(dst, uint64(n))
	dst = lib0.AppendVarUint(dst, structs[0].client)
	dst = lib0.AppendVarUint(dst, structs[0].clock)
	for i := 0; i < len(structs); {
		j := runEnd(structs, i)
		dst = appendRun(dst, structs[i:j])
		i = j
	}
	return dst
}

// runEnd returns the end of the run of mergeable structs starting at i.
func runEnd(structs []structRec, i int) int {
	j := i + 1
	for j < len(structs) && canMerge(&structs[j-1], &structs[j]) {
		j++
	}
	return j
}

// appendRun appends a run of mergeable structs as one struct.
func appendRun(dst []byte, run []structRec) []byte {
	s := &run[0]
	switch s.kind {
	case kindGC, kindSkip:
		ref := byte(refGC)
		if s.kind == kindSkip {
			ref = refSkip
		}
		length := run[len(run)-1].end() - s.clock
		return lib0.AppendVarUint(append(dst, ref), length)
	}
	dst = appendItemHeader(dst, s)
	if len(run) == 1 {
		return append(dst, s.body...)
	}
	var total uint64
	for i := range run {
		n, _ := splitPrefix(run[i].body)
		total += n
	}
	dst = lib0.AppendVarUint(dst, total)
	if s.ref == refDeleted {
		return dst
	}
	for i := range run {
		_, payload := splitPrefix(run[i].body)
		dst = append(dst, payload...)
	}
	return dst
}

// appendItemHeader appends an item's info byte, origins and parent.
func appendItemHeader(dst []byte, s *structRec) []byte {
	info := s.ref
	if s.hasOrigin {
		info |= infoOrigin
	}
	if s.hasRightOrigin {
		info |= infoRightOrigin
	}
	writeParent := !s.hasOrigin && !s.hasRightOrigin
	if writeParent && s.hasParentSub {
		info |= infoParentSub
	}
	dst = append(dst, info)
	if s.hasOrigin {
		dst = appendID(dst, s.origin)
	}
	if s.hasRightOrigin {
		dst = appendID(dst, s.rightOrigin)
	}
	if writeParent {
		if s.parentKind == parentRoot {
			dst = lib0.AppendVarUint8Array(append(dst, 1), s.parentName)
		} else {
			dst = appendID(append(dst, 0), s.parentID)
		}
		if s.hasParentSub {
			dst = lib0.AppendVarUint8Array(dst, s.parentSub)
		}
	}
	return dst
}

func appendID(dst []byte, id ID) []byte {
	return lib0.AppendVarUint(lib0.AppendVarUint(dst, id.Client), id.Clock)
}
