package lib0

import (
	"encoding/binary"
	"math"
)

// AppendVarUint appends v as unsigned LEB128.
func AppendVarUint(dst []byte, v uint64) []byte {
	for v >= 0x80 {
		dst = append(dst, byte(v)|0x80)
		v >>= 7
	}
	return append(dst, byte(v))
}

// AppendVarInt appends v in lib0's signed variable-length format.
func AppendVarInt(dst []byte, v int64) []byte {
	var sign byte
	u := uint64(v)
	if v < 0 {
		sign = 0x40
		u = uint64(-v)
	}
	first := sign | byte(u&0x3f)
	u >>= 6
	if u > 0 {
		first |= 0x80
	}
	dst = append(dst, first)
	for u > 0 {
		b := byte(u & 0x7f)
		u >>= 7
		if u > 0 {
			b |= 0x80
		}
		dst = append(dst, b)
	}
	return dst
}

// AppendVarUint8Array appends b with a varUint length prefix.
func AppendVarUint8Array(dst, b []byte) []byte {
	return append(AppendVarUint(dst, uint64(len(b))), b...)
}

// AppendVarString appends s with a varUint length prefix. s should be valid
// UTF-8; lib0 readers reject anything else.
func AppendVarString(dst []byte, s string) []byte {
	return append(AppendVarUint(dst, uint64(len(s))), s...)
}

// AppendFloat32 appends f big-endian.
func AppendFloat32(dst []byte, f float32) []byte {
	return binary.BigEndian.AppendUint32(dst, math.Float32bits(f))
}

// AppendFloat64 appends f big-endian.
func AppendFloat64(dst []byte, f float64) []byte {
	return binary.BigEndian.AppendUint64(dst, math.Float64bits(f))
}

// AppendBigInt64 appends v big-endian, lib0's encoding of a BigInt.
func AppendBigInt64(dst []byte, v int64) []byte {
	return binary.BigEndian.AppendUint64(dst, uint64(v))
}
