// Package lib0 reads and writes the binary encoding of the JavaScript lib0
// library, which Yjs and the y-websocket protocol are built on.
//
// Decoding is defensive: every read is bounds-checked, a length prefix is
// never trusted to size an allocation beyond what the remaining input could
// hold, nesting depth is limited, and malformed input yields an error wrapping
// one of the package's sentinel errors instead of a panic. Decoded byte slices
// alias the input. Encoding appends to a caller-supplied slice, in the style
// of encoding/binary's Append functions.
//
// All functions are safe for concurrent use; a Decoder is not.
package lib0
