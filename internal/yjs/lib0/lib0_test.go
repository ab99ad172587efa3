package lib0

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"testing"
)

func TestVarUint(t *testing.T) {
	tests := []struct {
		name string
		v    uint64
		enc  []byte
	}{
		{"zero", 0, []byte{0}},
		{"one byte max", 127, []byte{0x7f}},
		{"two bytes", 128, []byte{0x80, 0x01}},
		{"300", 300, []byte{0xac, 0x02}},
		{"2^53-1", 1<<53 - 1, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f}},
		{"max uint64", math.MaxUint64, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AppendVarUint(nil, tt.v); !bytes.Equal(got, tt.enc) {
				t.Fatalf("AppendVarUint(%d) = %x, want %x", tt.v, got, tt.enc)
			}
			d := NewDecoder(tt.enc)
			got, err := d.ReadVarUint()
			if err != nil || got != tt.v || d.Remaining() != 0 {
				t.Fatalf("ReadVarUint(%x) = %d, %v (remaining %d), want %d", tt.enc, got, err, d.Remaining(), tt.v)
			}
		})
	}
}

func TestVarInt(t *testing.T) {
	tests := []struct {
		name string
		v    int64
		enc  []byte
	}{
		{"zero", 0, []byte{0}},
		{"63", 63, []byte{0x3f}},
		{"64", 64, []byte{0x80, 0x01}},
		{"minus one", -1, []byte{0x41}},
		{"minus 64", -64, []byte{0xc0, 0x01}},
		{"2^31-1", math.MaxInt32, []byte{0xbf, 0xff, 0xff, 0xff, 0x0f}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AppendVarInt(nil, tt.v); !bytes.Equal(got, tt.enc) {
				t.Fatalf("AppendVarInt(%d) = %x, want %x", tt.v, got, tt.enc)
			}
			got, err := NewDecoder(tt.enc).ReadVarInt()
			if err != nil || got != tt.v {
				t.Fatalf("ReadVarInt(%x) = %d, %v, want %d", tt.enc, got, err, tt.v)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		read func(*Decoder) error
		want error
	}{
		{"varUint truncated", []byte{0x80}, func(d *Decoder) error { _, err := d.ReadVarUint(); return err }, ErrUnexpectedEOF},
		{"varUint too long", bytes.Repeat([]byte{0xff}, 11), func(d *Decoder) error { _, err := d.ReadVarUint(); return err }, ErrOverflow},
		{"varInt empty", nil, func(d *Decoder) error { _, err := d.ReadVarInt(); return err }, ErrUnexpectedEOF},
		{"varInt too long", bytes.Repeat([]byte{0xff}, 11), func(d *Decoder) error { _, err := d.ReadVarInt(); return err }, ErrOverflow},
		{"string longer than input", []byte{0x05, 'a'}, func(d *Decoder) error { _, err := d.ReadVarString(); return err }, ErrUnexpectedEOF},
		{"huge length prefix", []byte{0xff, 0xff, 0xff, 0xff, 0x0f}, func(d *Decoder) error { _, err := d.ReadVarUint8Array(); return err }, ErrUnexpectedEOF},
		{"invalid UTF-8", []byte{0x01, 0xff}, func(d *Decoder) error { _, err := d.ReadVarString(); return err }, ErrInvalidUTF8},
		{"any unknown tag", []byte{0x01}, func(d *Decoder) error { _, err := d.ReadAny(); return err }, ErrUnknownAnyType},
		{"any array count beyond input", []byte{tagArray, 0xff, 0xff, 0x03}, func(d *Decoder) error { _, err := d.ReadAny(); return err }, ErrUnexpectedEOF},
		{"any too deep", append(bytes.Repeat([]byte{tagArray, 1}, MaxAnyDepth+2), tagNull), func(d *Decoder) error { return d.SkipAny() }, ErrTooDeep},
		{"float64 truncated", []byte{1, 2, 3}, func(d *Decoder) error { _, err := d.ReadFloat64(); return err }, ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.read(NewDecoder(tt.in)); !errors.Is(err, tt.want) {
				t.Fatalf("got error %v, want %v", err, tt.want)
			}
		})
	}
}

func TestAnyRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		v    any
		enc  []byte // lib0's encoding, checked when set
	}{
		{"null", nil, []byte{126}},
		{"undefined", Undefined{}, []byte{127}},
		{"true", true, []byte{120}},
		{"false", false, []byte{121}},
		{"integer", int64(-5), []byte{125, 0x45}},
		{"float32", float32(1.5), []byte{124, 0x3f, 0xc0, 0, 0}},
		{"float64", 0.1, []byte{123, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a}},
		{"bigint", BigInt(-2), []byte{122, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}},
		{"string", "hé", []byte{119, 3, 'h', 0xc3, 0xa9}},
		{"bytes", []byte{1, 2}, []byte{116, 2, 1, 2}},
		{"array", []any{int64(1), "a"}, []byte{117, 2, 125, 1, 119, 1, 'a'}},
		{"object", Object{{Key: "k", Value: nil}, {Key: "a", Value: []any{}}}, []byte{118, 2, 1, 'k', 126, 1, 'a', 117, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, err := AppendAny(nil, tt.v)
			if err != nil {
				t.Fatal(err)
			}
			if tt.enc != nil && !bytes.Equal(enc, tt.enc) {
				t.Fatalf("AppendAny = %v, want %v", enc, tt.enc)
			}
			got, err := NewDecoder(enc).ReadAny()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.v) {
				t.Fatalf("ReadAny = %#v, want %#v", got, tt.v)
			}
			d := NewDecoder(enc)
			if err := d.SkipAny(); err != nil || d.Remaining() != 0 {
				t.Fatalf("SkipAny: %v, %d bytes left", err, d.Remaining())
			}
		})
	}
}

func TestAppendAnyNumbers(t *testing.T) {
	tests := []struct {
		name string
		v    any
		tag  byte
	}{
		{"small int", 7, tagInteger},
		{"integral float", 3.0, tagInteger},
		{"large int as float32", int64(1 << 40), tagFloat32},
		{"large odd int as float64", int64(1<<40 + 1), tagFloat64},
		{"fraction", 0.5, tagFloat32},
		{"negative zero", math.Copysign(0, -1), tagFloat32},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, err := AppendAny(nil, tt.v)
			if err != nil || enc[0] != tt.tag {
				t.Fatalf("AppendAny(%v) = %v, %v; want tag %d", tt.v, enc, err, tt.tag)
			}
		})
	}
	if _, err := AppendAny(nil, struct{}{}); !errors.Is(err, ErrUnsupportedType) {
		t.Fatalf("AppendAny(struct{}{}) error = %v, want ErrUnsupportedType", err)
	}
}

// FuzzReadAny checks that decoding arbitrary bytes never panics, that
// SkipAny agrees with ReadAny, and that what decodes re-encodes to a value
// that decodes the same.
func FuzzReadAny(f *testing.F) {
	for _, seed := range [][]byte{{126}, {117, 2, 125, 1, 119, 1, 'a'}, {118, 1, 1, 'k', 122, 0, 0, 0, 0, 0, 0, 0, 1}, {123, 0x7f, 0xf8, 0, 0, 0, 0, 0, 1}} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := NewDecoder(b).ReadAny()
		d := NewDecoder(b)
		if skipErr := d.SkipAny(); (skipErr == nil) != (err == nil) {
			t.Fatalf("ReadAny error %v but SkipAny error %v", err, skipErr)
		}
		if err != nil {
			return
		}
		enc, err := AppendAny(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		again, err := NewDecoder(enc).ReadAny()
		if err != nil {
			t.Fatalf("re-encoded value does not decode: %v", err)
		}
		if !sameAny(v, again) {
			t.Fatalf("round trip changed %#v to %#v", v, again)
		}
	})
}

// sameAny compares decoded values as JavaScript would see them: numbers by
// value, whatever their encoding.
func sameAny(a, b any) bool {
	if fa, ok := number(a); ok {
		fb, ok := number(b)
		return ok && (fa == fb || math.IsNaN(fa) && math.IsNaN(fb))
	}
	switch a := a.(type) {
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !sameAny(a[i], b[i]) {
				return false
			}
		}
		return true
	case Object:
		b, ok := b.(Object)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if a[i].Key != b[i].Key || !sameAny(a[i].Value, b[i].Value) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

func number(v any) (float64, bool) {
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case float32:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

// FuzzDecoder drives every reader over arbitrary input.
func FuzzDecoder(f *testing.F) {
	f.Add([]byte{0x80, 0x01, 0x41, 2, 'h', 'i', 0x3f, 0xc0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		d := NewDecoder(b)
		for d.Remaining() > 0 {
			before := d.Remaining()
			kind, _ := d.ReadUint8()
			switch kind % 6 {
			case 0:
				_, _ = d.ReadVarUint()
			case 1:
				_, _ = d.ReadVarInt()
			case 2:
				_, _ = d.ReadVarString()
			case 3:
				_, _ = d.ReadFloat32()
			case 4:
				_, _ = d.ReadBigInt64()
			case 5:
				_, _ = d.ReadCount(1)
			}
			if d.Remaining() >= before {
				t.Fatal("decoder made no progress")
			}
		}
	})
}
