package lib0

import (
	"encoding/binary"
	"fmt"
	"math"
	"unicode/utf8"
)

// Decoder reads lib0-encoded values from a byte slice.
type Decoder struct {
	buf []byte
	pos int
}

// NewDecoder returns a Decoder reading b from its start.
func NewDecoder(b []byte) *Decoder { return &Decoder{buf: b} }

// Remaining returns the number of unread bytes.
func (d *Decoder) Remaining() int { return len(d.buf) - d.pos }

// Offset returns the number of bytes read so far.
func (d *Decoder) Offset() int { return d.pos }

// ReadSince returns, without copying, the bytes read since the decoder was
// at offset start.
func (d *Decoder) ReadSince(start int) []byte {
	start = min(max(start, 0), d.pos)
	return d.buf[start:d.pos:d.pos]
}

// ReadUint8 reads one byte.
func (d *Decoder) ReadUint8() (byte, error) {
	if d.pos >= len(d.buf) {
		return 0, ErrUnexpectedEOF
	}
	b := d.buf[d.pos]
	d.pos++
	return b, nil
}

// ReadBytes reads the next n bytes without copying them.
func (d *Decoder) ReadBytes(n int) ([]byte, error) {
	if n < 0 || n > d.Remaining() {
		return nil, ErrUnexpectedEOF
	}
	b := d.buf[d.pos : d.pos+n : d.pos+n]
	d.pos += n
	return b, nil
}

// ReadVarUint reads an unsigned LEB128 integer of at most 64 bits.
func (d *Decoder) ReadVarUint() (uint64, error) {
	var v uint64
	for shift := uint(0); ; shift += 7 {
		if d.pos >= len(d.buf) {
			return 0, ErrUnexpectedEOF
		}
		b := d.buf[d.pos]
		d.pos++
		if shift == 63 && b > 1 {
			return 0, ErrOverflow
		}
		v |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return v, nil
		}
		if shift == 63 {
			return 0, ErrOverflow
		}
	}
}

// ReadVarInt reads a lib0 signed integer: the first byte holds a
// continuation bit, a sign bit and six value bits, later bytes seven value
// bits each. Magnitudes beyond 63 bits are rejected.
func (d *Decoder) ReadVarInt() (int64, error) {
	b, err := d.ReadUint8()
	if err != nil {
		return 0, err
	}
	neg := b&0x40 != 0
	v := uint64(b & 0x3f)
	if b >= 0x80 {
		for shift := uint(6); ; shift += 7 {
			if shift > 62 {
				return 0, ErrOverflow
			}
			if d.pos >= len(d.buf) {
				return 0, ErrUnexpectedEOF
			}
			b = d.buf[d.pos]
			d.pos++
			part := uint64(b & 0x7f)
			if part > math.MaxInt64>>shift {
				return 0, ErrOverflow
			}
			v |= part << shift
			if b < 0x80 {
				break
			}
		}
	}
	if neg {
		return -int64(v), nil
	}
	return int64(v), nil
}

// ReadVarUint8Array reads a length-prefixed byte array without copying it.
func (d *Decoder) ReadVarUint8Array() ([]byte, error) {
	n, err := d.ReadVarUint()
	if err != nil {
		return nil, err
	}
	if n > uint64(d.Remaining()) {
		return nil, fmt.Errorf("byte array of %d bytes: %w", n, ErrUnexpectedEOF)
	}
	return d.ReadBytes(int(n))
}

// ReadVarStringBytes reads a length-prefixed UTF-8 string without copying it.
func (d *Decoder) ReadVarStringBytes() ([]byte, error) {
	b, err := d.ReadVarUint8Array()
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(b) {
		return nil, ErrInvalidUTF8
	}
	return b, nil
}

// ReadVarString reads a length-prefixed UTF-8 string.
func (d *Decoder) ReadVarString() (string, error) {
	b, err := d.ReadVarStringBytes()
	return string(b), err
}

// ReadFloat32 reads a big-endian IEEE 754 single-precision float.
func (d *Decoder) ReadFloat32() (float32, error) {
	b, err := d.ReadBytes(4)
	if err != nil {
		return 0, err
	}
	return math.Float32frombits(binary.BigEndian.Uint32(b)), nil
}

// ReadFloat64 reads a big-endian IEEE 754 double-precision float.
func (d *Decoder) ReadFloat64() (float64, error) {
	b, err := d.ReadBytes(8)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
}

// ReadBigInt64 reads a big-endian two's-complement 64-bit integer, lib0's
// encoding of a JavaScript BigInt.
func (d *Decoder) ReadBigInt64() (int64, error) {
	b, err := d.ReadBytes(8)
	if err != nil {
		return 0, err
	}
	return int64(binary.BigEndian.Uint64(b)), nil
}
