package auth

import (
	"context"
	"fmt"
)

// Grant gives one user an access level in a room's allow-list.
type Grant struct {
	// User is the user's id, as in User.ID.
	User string `json:"user"`
	// Access is AccessRead or AccessWrite.
	Access Access `json:"access"`
}

// AllowListStore keeps the allow-lists of rooms (package store's Rooms).
// Implementations are safe for concurrent use.
type AllowListStore interface {
	// UserAccess reports whether room has an allow-list and, when it has,
	// what it grants user (AccessNone when user is not on it).
	UserAccess(ctx context.Context, room, user string) (restricted bool, access Access, err error)
	// AllowList returns the grants of room, sorted by user; none when the
	// room is open.
	AllowList(ctx context.Context, room string) ([]Grant, error)
	// SetAllowList replaces the grants of room; an empty list opens it.
	SetAllowList(ctx context.Context, room string, grants []Grant) error
}

// AllowList is the default policy: a room without an allow-list is open to
// every authenticated user (and to anonymous connections where the
// collaboration server lets them in), a room with one admits only the
// users it lists, at their level.
type AllowList struct {
	store AllowListStore
}

var _ Policy = (*AllowList)(nil)

// NewAllowList returns the allow-list policy over store.
func NewAllowList(store AllowListStore) *AllowList { return &AllowList{store: store} }

// Access returns AccessWrite for open rooms, the grant of user otherwise.
func (p *AllowList) Access(ctx context.Context, user User, room string) (Access, error) {
	restricted, a, err := p.store.UserAccess(ctx, room, user.ID)
	if err != nil {
		return AccessNone, fmt.Errorf("auth: allow-list of room %q: %w", room, err)
	}
	if !restricted {
		return AccessWrite, nil
	}
	if user.ID == "" {
		return AccessNone, nil
	}
	return a, nil
}

// Store returns the store the policy reads, for the management API.
func (p *AllowList) Store() AllowListStore { return p.store }
