// Package yjs implements the Yjs binary update format (version 1) and the
// y-websocket protocol messages as pure functions over bytes.
//
// The operations carry the semantics of their Yjs namesakes: MergeUpdates,
// DiffUpdate and EncodeStateVectorFromUpdate match Y.mergeUpdates,
// Y.diffUpdate and Y.encodeStateVectorFromUpdate, TextFromUpdate equals
// ytext.toString() after Y.applyUpdate on a fresh document, and
// CompactUpdate replaces the content of deleted items the way Yjs's garbage
// collector does. Results are semantically, not always byte-for-byte, equal
// to what Yjs returns: a fresh Yjs document that applies either ends in the
// same state.
//
// Every decoder treats its input as hostile: it never panics, never lets a
// length prefix size an allocation beyond what the input could hold, and
// reports malformed input with an error wrapping ErrInvalidUpdate or
// ErrInvalidMessage. Returned slices never alias the arguments unless a
// function's documentation says so. All functions are safe for concurrent
// use.
package yjs
