package yjs

import (
	"errors"
	"fmt"
)

// ErrInvalidUpdate is wrapped by every error about a malformed update, state
// vector or delete set.
var ErrInvalidUpdate = errors.New("yjs: invalid update")

// ErrInvalidMessage is wrapped by every error about a malformed y-websocket
// message or awareness update.
var ErrInvalidMessage = errors.New("yjs: invalid message")

// UnknownMessageError reports a well-formed message whose type, or sync or
// auth subtype, this package does not know. Servers usually ignore such
// messages rather than closing the connection.
type UnknownMessageError struct {
	Type    uint64
	SubType uint64 // meaningful only when HasSub is set
	HasSub  bool
}

func (e *UnknownMessageError) Error() string {
	if e.HasSub {
		return fmt.Sprintf("yjs: unknown subtype %d of message type %d", e.SubType, e.Type)
	}
	return fmt.Sprintf("yjs: unknown message type %d", e.Type)
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidUpdate, fmt.Sprintf(format, args...))
}

func wrapInvalid(what string, err error) error {
	return fmt.Errorf("%w: %s: %w", ErrInvalidUpdate, what, err)
}
