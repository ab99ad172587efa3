package yjs

import (
	"unicode/utf8"

	"github.com/kaicode/kaicode/internal/yjs/lib0"
)

// replacementChar is what Yjs puts in place of each half of a surrogate pair
// that a split cuts in two.
const replacementChar = "\uFFFD"

// mergeable reports whether Yjs merges content of kind ref with adjacent
// content of the same kind into one item.
func mergeable(ref byte) bool {
	return ref == refDeleted || ref == refJSON || ref == refString || ref == refAny
}

// splitPrefix splits the encoded content of a mergeable kind into its
// leading varUint (a length, byte count or element count) and the rest.
func splitPrefix(body []byte) (uint64, []byte) {
	d := lib0.NewDecoder(body)
	n, _ := d.ReadVarUint() // validated when the update was decoded
	return n, body[d.Offset():]
}

// utf16Cut returns the byte offset in the UTF-8 string b at which UTF-16
// offset u begins, and whether u falls between the halves of a surrogate
// pair, in which case the offset is that of the pair's rune.
func utf16Cut(b []byte, u uint64, ascii bool) (int, bool) {
	if ascii {
		return int(u), false
	}
	return utf16CutFrom(b, 0, 0, u)
}

// utf16CutFrom is utf16Cut starting from a known position: UTF-16 offset
// unit at byte offset pos, with unit <= u.
func utf16CutFrom(b []byte, pos int, unit, u uint64) (int, bool) {
	for pos < len(b) && unit < u {
		c := b[pos]
		if c < utf8.RuneSelf {
			pos++
			unit++
			continue
		}
		r, size := utf8.DecodeRune(b[pos:])
		if r >= 0x10000 {
			if unit+1 == u {
				return pos, true
			}
			unit++
		}
		unit++
		pos += size
	}
	return pos, false
}

// appendUTF16Range appends the part of string s between UTF-16 offsets from
// and to, replacing each half of a cut surrogate pair with U+FFFD as Yjs's
// ContentString.splice does.
func appendUTF16Range(dst, s []byte, ascii bool, from, to uint64) []byte {
	i, cutA := utf16Cut(s, from, ascii)
	j, cutB := utf16Cut(s, to, ascii)
	return appendCut(dst, s, i, cutA, j, cutB)
}

func appendCut(dst, s []byte, i int, cutA bool, j int, cutB bool) []byte {
	if cutA {
		dst = append(dst, replacementChar...)
		i += 4
	}
	if i < j {
		dst = append(dst, s[i:j]...)
	}
	if cutB {
		dst = append(dst, replacementChar...)
	}
	return dst
}

// sliceItemContent returns the encoded content of units [from, to) of an
// item. Only mergeable kinds can have more than one unit, so only they are
// ever sliced.
func sliceItemContent(s *structRec, from, to uint64) []byte {
	n, payload := splitPrefix(s.body)
	switch s.ref {
	case refDeleted:
		return lib0.AppendVarUint(nil, to-from)
	case refString:
		str := payload[:n]
		part := appendUTF16Range(nil, str, s.ascii, from, to)
		return lib0.AppendVarUint8Array(make([]byte, 0, len(part)+5), part)
	case refJSON, refAny:
		d := lib0.NewDecoder(payload)
		skip := func() {
			if s.ref == refJSON {
				_, _ = d.ReadVarUint8Array()
			} else {
				_ = d.SkipAny()
			}
		}
		for range from {
			skip()
		}
		start := d.Offset()
		for range to - from {
			skip()
		}
		return append(lib0.AppendVarUint(nil, to-from), payload[start:d.Offset()]...)
	}
	return s.body
}
