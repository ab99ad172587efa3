package yjs

import (
	"strings"

	"github.com/kaicode/kaicode/internal/yjs/lib0"
)

// TextFromUpdate returns the text of the root Y.Text named rootName as Yjs
// shows it after applying update to a fresh document: ytext.toString().
// Items are ordered by Yjs's integration rules; deleted items, formatting
// and embeds are left out, and so is whatever the update cannot place yet.
func TextFromUpdate(update []byte, rootName string) (string, error) {
	blocks, ds, err := scanUpdate(update)
	if err != nil {
		return "", err
	}
	n := 0
	for _, b := range blocks {
		n += b.left
	}
	d := newDoc(n)
	defer d.free()
	for _, b := range blocks {
		d.reserve(b.client, b.left)
	}
	if err := d.integrateBlocks(blocks); err != nil {
		return "", err
	}
	d.applyDeleteSet(ds)
	t := d.roots[rootName]
	if t == nil {
		return "", nil
	}
	return textOf(t, len(update)), nil
}

// textOf concatenates the visible strings of t's sequence.
func textOf(t *ytype, sizeHint int) string {
	var buf strings.Builder
	// Consecutive pieces of one string usually follow each other, so the
	// UTF-16 to byte offset conversion continues from the previous piece.
	var last []byte // the string of the previous piece
	var lastUnit uint64
	var lastByte int
	for n := t.start; n != nil; n = n.right {
		if n.deleted || n.ref != refString {
			continue
		}
		if buf.Cap() == 0 {
			buf.Grow(sizeHint)
		}
		_, str := splitPrefix(n.body)
		if n.ascii {
			buf.Write(str[n.off : n.off+n.length])
			continue
		}
		pos, unit := 0, uint64(0)
		if last != nil && &last[0] == &str[0] && lastUnit <= n.off {
			pos, unit = lastByte, lastUnit
		}
		end := n.off + n.length
		i, cutA := utf16CutFrom(str, pos, unit, n.off)
		unit = n.off
		if cutA {
			// The piece starts with the low half of a pair.
			buf.WriteString(replacementChar)
			i += 4
			unit++
		}
		j, cutB := utf16CutFrom(str, i, unit, end)
		buf.Write(str[i:j])
		last, lastUnit, lastByte = str, end, j
		if cutB {
			// The piece ends with the high half of a pair.
			buf.WriteString(replacementChar)
			lastUnit = end - 1
		}
	}
	return buf.String()
}

// TextUpdate returns an update by client clientID that creates the root
// Y.Text named rootName holding text, as ytext.insert(0, text) on a fresh
// document would. Invalid UTF-8 in either string is replaced by U+FFFD.
// clientID should be unused by the document's peers and below 2^53; Yjs
// picks random 32-bit ids.
func TextUpdate(clientID uint64, rootName, text string) []byte {
	if text == "" {
		return []byte{0, 0}
	}
	rootName, text = toValidUTF8(rootName), toValidUTF8(text)
	out := make([]byte, 0, len(rootName)+len(text)+24)
	out = append(out, 1, 1)
	out = lib0.AppendVarUint(out, clientID)
	out = append(out, 0, refString, 1)
	out = lib0.AppendVarString(out, rootName)
	out = lib0.AppendVarString(out, text)
	return append(out, 0)
}
