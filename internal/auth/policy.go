package auth

import (
	"context"
	"errors"
)

// Access is what a user may do in a room.
type Access int

// The access levels, weakest first.
const (
	// AccessNone refuses the room.
	AccessNone Access = iota
	// AccessRead receives everything and may change nothing.
	AccessRead
	// AccessWrite may edit and run.
	AccessWrite
)

// String names the access level.
func (a Access) String() string {
	switch a {
	case AccessRead:
		return "read"
	case AccessWrite:
		return "write"
	}
	return "none"
}

// ErrForbidden means the user may not enter the room.
var ErrForbidden = errors.New("forbidden")

// Policy decides room access. Implementations are safe for concurrent use
// and return an error only when they could not decide (a store failure),
// never for a refusal.
type Policy interface {
	Access(ctx context.Context, user User, room string) (Access, error)
}

// Open lets every authenticated user write in every room.
type Open struct{}

var _ Policy = Open{}

// Access returns AccessWrite.
func (Open) Access(context.Context, User, string) (Access, error) { return AccessWrite, nil }
