package lib0

import (
	"fmt"
	"math"
)

// Type tags of lib0's "any" encoding; a JavaScript value is one tag byte
// followed by its body.
const (
	tagUndefined = 127
	tagNull      = 126
	tagInteger   = 125
	tagFloat32   = 124
	tagFloat64   = 123
	tagBigInt    = 122
	tagFalse     = 121
	tagTrue      = 120
	tagString    = 119
	tagObject    = 118
	tagArray     = 117
	tagBytes     = 116
)

// MaxAnyDepth bounds the nesting of arrays and objects in an "any" value, so
// hostile input cannot exhaust the stack.
const MaxAnyDepth = 256

// Undefined is JavaScript's undefined.
type Undefined struct{}

// BigInt is a JavaScript BigInt within the signed 64-bit range lib0 encodes.
type BigInt int64

// Field is one property of an Object.
type Field struct {
	Key   string
	Value any
}

// Object is a JavaScript object with its properties in insertion order.
type Object []Field

// ReadAny reads a value in lib0's "any" encoding. The result is one of nil
// (null), Undefined, bool, int64 (an integer), float32, float64, BigInt,
// string, Object, []any or []byte (aliasing the input).
func (d *Decoder) ReadAny() (any, error) { return d.readAny(0) }

func (d *Decoder) readAny(depth int) (any, error) {
	if depth > MaxAnyDepth {
		return nil, ErrTooDeep
	}
	tag, err := d.ReadUint8()
	if err != nil {
		return nil, err
	}
	switch tag {
	case tagUndefined:
		return Undefined{}, nil
	case tagNull:
		return nil, nil
	case tagInteger:
		return d.ReadVarInt()
	case tagFloat32:
		return d.ReadFloat32()
	case tagFloat64:
		return d.ReadFloat64()
	case tagBigInt:
		v, err := d.ReadBigInt64()
		return BigInt(v), err
	case tagFalse:
		return false, nil
	case tagTrue:
		return true, nil
	case tagString:
		return d.ReadVarString()
	case tagObject:
		n, err := d.readCount(2)
		if err != nil {
			return nil, err
		}
		obj := make(Object, 0, n)
		for range n {
			k, err := d.ReadVarString()
			if err != nil {
				return nil, fmt.Errorf("object key: %w", err)
			}
			v, err := d.readAny(depth + 1)
			if err != nil {
				return nil, fmt.Errorf("object value %q: %w", k, err)
			}
			obj = append(obj, Field{Key: k, Value: v})
		}
		return obj, nil
	case tagArray:
		n, err := d.readCount(1)
		if err != nil {
			return nil, err
		}
		arr := make([]any, 0, n)
		for i := range n {
			v, err := d.readAny(depth + 1)
			if err != nil {
				return nil, fmt.Errorf("array element %d: %w", i, err)
			}
			arr = append(arr, v)
		}
		return arr, nil
	case tagBytes:
		return d.ReadVarUint8Array()
	default:
		return nil, fmt.Errorf("tag %d: %w", tag, ErrUnknownAnyType)
	}
}

// SkipAny validates and skips one "any" value without allocating.
func (d *Decoder) SkipAny() error { return d.skipAny(0) }

func (d *Decoder) skipAny(depth int) error {
	if depth > MaxAnyDepth {
		return ErrTooDeep
	}
	tag, err := d.ReadUint8()
	if err != nil {
		return err
	}
	switch tag {
	case tagUndefined, tagNull, tagFalse, tagTrue:
		return nil
	case tagInteger:
		_, err = d.ReadVarInt()
	case tagFloat32:
		_, err = d.ReadBytes(4)
	case tagFloat64, tagBigInt:
		_, err = d.ReadBytes(8)
	case tagString:
		_, err = d.ReadVarStringBytes()
	case tagBytes:
		_, err = d.ReadVarUint8Array()
	case tagObject:
		var n int
		if n, err = d.readCount(2); err != nil {
			return err
		}
		for range n {
			if _, err = d.ReadVarStringBytes(); err != nil {
				return err
			}
			if err = d.skipAny(depth + 1); err != nil {
				return err
			}
		}
	case tagArray:
		var n int
		if n, err = d.readCount(1); err != nil {
			return err
		}
		for range n {
			if err = d.skipAny(depth + 1); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("tag %d: %w", tag, ErrUnknownAnyType)
	}
	return err
}

// ReadCount reads a varUint element count and checks it against the
// remaining input, given that every element takes at least minSize bytes.
// It is how callers size allocations from untrusted length prefixes.
func (d *Decoder) ReadCount(minSize int) (int, error) { return d.readCount(minSize) }

func (d *Decoder) readCount(minSize int) (int, error) {
	n, err := d.ReadVarUint()
	if err != nil {
		return 0, err
	}
	if n > uint64(d.Remaining()/minSize) {
		return 0, fmt.Errorf("count %d exceeds remaining %d bytes: %w", n, d.Remaining(), ErrUnexpectedEOF)
	}
	return int(n), nil
}

// AppendAny appends v in lib0's "any" encoding. It accepts the types ReadAny
// returns plus int, uint, map[string]any (keys in unspecified order) and
// []Field-compatible Objects. Numbers follow lib0's rule: integers of
// magnitude below 2^31 as integers, other values as float32 when that is
// exact and as float64 otherwise.
func AppendAny(dst []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(dst, tagNull), nil
	case Undefined:
		return append(dst, tagUndefined), nil
	case bool:
		if v {
			return append(dst, tagTrue), nil
		}
		return append(dst, tagFalse), nil
	case int:
		return appendNumber(dst, float64(v), int64(v), true), nil
	case int64:
		return appendNumber(dst, float64(v), v, true), nil
	case uint64:
		return appendNumber(dst, float64(v), int64(v), v <= math.MaxInt32), nil
	case float32:
		return appendNumber(dst, float64(v), 0, false), nil
	case float64:
		return appendNumber(dst, v, 0, false), nil
	case BigInt:
		return AppendBigInt64(append(dst, tagBigInt), int64(v)), nil
	case string:
		return AppendVarString(append(dst, tagString), v), nil
	case []byte:
		return AppendVarUint8Array(append(dst, tagBytes), v), nil
	case []any:
		dst = AppendVarUint(append(dst, tagArray), uint64(len(v)))
		for i, e := range v {
			var err error
			if dst, err = AppendAny(dst, e); err != nil {
				return dst, fmt.Errorf("array element %d: %w", i, err)
			}
		}
		return dst, nil
	case Object:
		dst = AppendVarUint(append(dst, tagObject), uint64(len(v)))
		for _, f := range v {
			dst = AppendVarString(dst, f.Key)
			var err error
			if dst, err = AppendAny(dst, f.Value); err != nil {
				return dst, fmt.Errorf("object value %q: %w", f.Key, err)
			}
		}
		return dst, nil
	case map[string]any:
		dst = AppendVarUint(append(dst, tagObject), uint64(len(v)))
		for k, e := range v {
			dst = AppendVarString(dst, k)
			var err error
			if dst, err = AppendAny(dst, e); err != nil {
				return dst, fmt.Errorf("object value %q: %w", k, err)
			}
		}
		return dst, nil
	default:
		return dst, fmt.Errorf("%T: %w", v, ErrUnsupportedType)
	}
}

// appendNumber encodes a JavaScript number. isInt says whether i holds the
// exact integer value of f.
func appendNumber(dst []byte, f float64, i int64, isInt bool) []byte {
	if !isInt && f == math.Trunc(f) && math.Abs(f) <= math.MaxInt32 && !(f == 0 && math.Signbit(f)) {
		i, isInt = int64(f), true
	}
	if isInt && i >= -math.MaxInt32 && i <= math.MaxInt32 {
		return AppendVarInt(append(dst, tagInteger), i)
	}
	if float64(float32(f)) == f || math.IsNaN(f) {
		return AppendFloat32(append(dst, tagFloat32), float32(f))
	}
	return AppendFloat64(append(dst, tagFloat64), f)
}
