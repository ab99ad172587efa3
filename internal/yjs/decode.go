package yjs

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/kaicode/kaicode/internal/yjs/lib0"
)

// decodeUpdate decodes a complete update and rejects trailing bytes.
func decodeUpdate(b []byte) (update, error) {
	d := lib0.NewDecoder(b)
	var u update
	var err error
	if u.blocks, err = readBlocks(d); err != nil {
		return u, err
	}
	if u.deletes, err = readDeleteSet(d); err != nil {
		return u, err
	}
	if d.Remaining() != 0 {
		return u, invalid("%d trailing bytes", d.Remaining())
	}
	return u, nil
}

// readBlocks reads the struct section of an update.
func readBlocks(d *lib0.Decoder) ([]block, error) {
	// A block takes at least three bytes: count, client and clock.
	n, err := d.ReadCount(3)
	if err != nil {
		return nil, wrapInvalid("number of clients", err)
	}
	blocks := make([]block, 0, n)
	for i := range n {
		b, err := readBlock(d)
		if err != nil {
			return nil, fmt.Errorf("client block %d: %w", i, err)
		}
		blocks = append(blocks, b)
	}
	return blocks, nil
}

func readBlock(d *lib0.Decoder) (block, error) {
	n, client, clock, err := readBlockHeader(d)
	if err != nil {
		return block{}, err
	}
	// The count was checked against the input, so the allocation stays
	// within a constant factor of the input's length.
	b := block{client: client, structs: make([]structRec, n)}
	for i := range b.structs {
		if err := readStructAt(d, &b.structs[i], client, clock); err != nil {
			return block{}, fmt.Errorf("struct %d of client %d: %w", i, client, err)
		}
		clock += b.structs[i].length
	}
	return b, nil
}

// readBlockHeader reads the number of structs, the client and the first
// clock of a client block.
func readBlockHeader(d *lib0.Decoder) (n int, client, clock uint64, err error) {
	// A struct takes at least two bytes: info and a length or content.
	if n, err = d.ReadCount(2); err != nil {
		return 0, 0, 0, wrapInvalid("number of structs", err)
	}
	if client, err = readNumber(d, "client"); err != nil {
		return 0, 0, 0, err
	}
	if clock, err = readNumber(d, "clock"); err != nil {
		return 0, 0, 0, err
	}
	return n, client, clock, nil
}

// readStructAt reads the struct of client that starts at clock into s.
func readStructAt(d *lib0.Decoder, s *structRec, client, clock uint64) error {
	*s = structRec{client: client, clock: clock}
	if err := readStruct(d, s); err != nil {
		return err
	}
	if s.length == 0 || s.length > maxClock-clock {
		return invalid("struct at clock %d has length %d", clock, s.length)
	}
	return nil
}

// readNumber reads a varUint that Yjs keeps in a JavaScript number.
func readNumber(d *lib0.Decoder, what string) (uint64, error) {
	v, err := d.ReadVarUint()
	if err != nil {
		return 0, wrapInvalid(what, err)
	}
	if v > maxClock {
		return 0, invalid("%s %d exceeds 2^53-1", what, v)
	}
	return v, nil
}

// readID reads an ID; what names it in errors.
func readID(d *lib0.Decoder, what string) (ID, error) {
	client, err := readNumber(d, "client")
	if err != nil {
		return ID{}, fmt.Errorf("%s: %w", what, err)
	}
	clock, err := readNumber(d, "clock")
	if err != nil {
		return ID{}, fmt.Errorf("%s: %w", what, err)
	}
	return ID{Client: client, Clock: clock}, nil
}

func readStruct(d *lib0.Decoder, s *structRec) error {
	info, err := d.ReadUint8()
	if err != nil {
		return wrapInvalid("info", err)
	}
	switch ref := info & infoContent; ref {
	case refGC, refSkip:
		s.kind = kindGC
		if ref == refSkip {
			s.kind = kindSkip
		}
		s.length, err = readNumber(d, "length")
		return err
	case refDeleted, refJSON, refBinary, refString, refEmbed, refFormat, refType, refAny, refDoc:
		s.kind, s.ref = kindItem, ref
	default:
		return invalid("unknown content reference %d", ref)
	}
	if info&infoOrigin != 0 {
		s.hasOrigin = true
		if s.origin, err = readID(d, "origin"); err != nil {
			return err
		}
	}
	if info&infoRightOrigin != 0 {
		s.hasRightOrigin = true
		if s.rightOrigin, err = readID(d, "right origin"); err != nil {
			return err
		}
	}
	if !s.hasOrigin && !s.hasRightOrigin {
		isRoot, err := d.ReadVarUint()
		if err != nil {
			return wrapInvalid("parent info", err)
		}
		if isRoot == 1 {
			s.parentKind = parentRoot
			if s.parentName, err = d.ReadVarStringBytes(); err != nil {
				return wrapInvalid("parent name", err)
			}
		} else {
			s.parentKind = parentItem
			if s.parentID, err = readID(d, "parent"); err != nil {
				return err
			}
		}
		if info&infoParentSub != 0 {
			s.hasParentSub = true
			if s.parentSub, err = d.ReadVarStringBytes(); err != nil {
				return wrapInvalid("parent key", err)
			}
		}
	}
	start := d.Offset()
	if err := readContent(d, s); err != nil {
		return fmt.Errorf("content of kind %d: %w", s.ref, err)
	}
	s.body = d.ReadSince(start)
	return nil
}

// readContent validates an item's content the way Yjs's readers would and
// sets the item's length.
func readContent(d *lib0.Decoder, s *structRec) error {
	var err error
	switch s.ref {
	case refDeleted:
		s.length, err = readNumber(d, "deleted length")
		return err
	case refJSON:
		n, err := d.ReadCount(1)
		if err != nil {
			return wrapInvalid("JSON count", err)
		}
		for range n {
			v, err := d.ReadVarStringBytes()
			if err != nil {
				return wrapInvalid("JSON value", err)
			}
			if string(v) != "undefined" && !json.Valid(v) {
				return invalid("JSON value is not JSON")
			}
		}
		s.length = uint64(n)
	case refBinary:
		if _, err := d.ReadVarUint8Array(); err != nil {
			return wrapInvalid("binary", err)
		}
		s.length = 1
	case refString:
		v, err := d.ReadVarUint8Array()
		if err != nil {
			return wrapInvalid("string", err)
		}
		var ok bool
		if s.length, s.ascii, ok = utf16Len(v); !ok {
			return wrapInvalid("string", lib0.ErrInvalidUTF8)
		}
	case refEmbed:
		if err := readJSON(d); err != nil {
			return err
		}
		s.length = 1
	case refFormat:
		if _, err := d.ReadVarStringBytes(); err != nil {
			return wrapInvalid("format key", err)
		}
		if err := readJSON(d); err != nil {
			return err
		}
		s.length = 1
	case refType:
		t, err := d.ReadVarUint()
		if err != nil {
			return wrapInvalid("type reference", err)
		}
		switch t {
		case typeXMLElement, typeXMLHook:
			if _, err := d.ReadVarStringBytes(); err != nil {
				return wrapInvalid("type name", err)
			}
		case typeArray, typeMap, typeText, typeXMLFragment, typeXMLText:
		default:
			return invalid("unknown type reference %d", t)
		}
		s.length = 1
	case refAny:
		n, err := d.ReadCount(1)
		if err != nil {
			return wrapInvalid("any count", err)
		}
		for range n {
			if err := d.SkipAny(); err != nil {
				return wrapInvalid("any value", err)
			}
		}
		s.length = uint64(n)
	case refDoc:
		if _, err := d.ReadVarStringBytes(); err != nil {
			return wrapInvalid("document guid", err)
		}
		if err := d.SkipAny(); err != nil {
			return wrapInvalid("document options", err)
		}
		s.length = 1
	}
	return nil
}

// Type references of ContentType.
const (
	typeArray = iota
	typeMap
	typeText
	typeXMLElement
	typeXMLFragment
	typeXMLHook
	typeXMLText
)

func readJSON(d *lib0.Decoder) error {
	v, err := d.ReadVarStringBytes()
	if err != nil {
		return wrapInvalid("JSON", err)
	}
	if !json.Valid(v) {
		return invalid("embedded value is not JSON")
	}
	return nil
}

// utf16Len returns the length of the UTF-8 string b in UTF-16 code units,
// which is how Yjs measures strings, whether b is all ASCII, and whether it
// is valid UTF-8 at all.
func utf16Len(b []byte) (n uint64, ascii, ok bool) {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if binary.LittleEndian.Uint64(b[i:])&0x8080808080808080 != 0 {
			break
		}
	}
	for i < len(b) && b[i] < utf8.RuneSelf {
		i++
	}
	if i == len(b) {
		return uint64(len(b)), true, true
	}
	if !utf8.Valid(b[i:]) {
		return 0, false, false
	}
	n = uint64(i)
	for _, r := range string(b[i:]) {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n, false, true
}

// readDeleteSet reads the delete set section of an update.
func readDeleteSet(d *lib0.Decoder) ([]deleteRange, error) {
	n, err := d.ReadCount(2)
	if err != nil {
		return nil, wrapInvalid("delete set clients", err)
	}
	var ds []deleteRange
	for range n {
		client, err := readNumber(d, "delete set client")
		if err != nil {
			return nil, err
		}
		m, err := d.ReadCount(2)
		if err != nil {
			return nil, wrapInvalid("delete set ranges", err)
		}
		if ds == nil {
			ds = make([]deleteRange, 0, m)
		}
		for range m {
			clock, err := readNumber(d, "deleted clock")
			if err != nil {
				return nil, err
			}
			length, err := readNumber(d, "deleted length")
			if err != nil {
				return nil, err
			}
			if length > maxClock-clock {
				return nil, invalid("deleted range %d+%d overflows", clock, length)
			}
			if length > 0 {
				ds = append(ds, deleteRange{client: client, clock: clock, length: length})
			}
		}
	}
	return ds, nil
}
