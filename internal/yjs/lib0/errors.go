package lib0

import "errors"

// Errors returned, possibly wrapped, by the decoding functions.
var (
	// ErrUnexpectedEOF reports input that ends in the middle of a value.
	ErrUnexpectedEOF = errors.New("lib0: unexpected end of input")
	// ErrOverflow reports a variable-length integer too large for its type.
	ErrOverflow = errors.New("lib0: integer overflow")
	// ErrInvalidUTF8 reports a string that is not valid UTF-8; lib0 decodes
	// strings with a fatal TextDecoder, so Yjs rejects such input too.
	ErrInvalidUTF8 = errors.New("lib0: invalid UTF-8 string")
	// ErrUnknownAnyType reports an "any" value with an unknown type tag.
	ErrUnknownAnyType = errors.New("lib0: unknown any type tag")
	// ErrTooDeep reports "any" values nested deeper than MaxAnyDepth.
	ErrTooDeep = errors.New("lib0: any value nested too deeply")
	// ErrUnsupportedType reports a Go value that AppendAny cannot encode.
	ErrUnsupportedType = errors.New("lib0: unsupported type for any encoding")
)
