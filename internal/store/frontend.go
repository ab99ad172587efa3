package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// FrontendSessions reads and writes the room text kept in the existing
// frontend's PostgreSQL table sessions (column content, bytea), as the
// original backend did, so the frontend's own fallback finds it. Rooms
// that are not a session's UUID are ignored. Safe for concurrent use.
type FrontendSessions struct {
	pool *pgxpool.Pool
}

// NewFrontendSessions returns a FrontendSessions on pool.
func NewFrontendSessions(pool *pgxpool.Pool) *FrontendSessions {
	return &FrontendSessions{pool: pool}
}

// SetText stores text as the content of session room, if it exists.
func (f *FrontendSessions) SetText(ctx context.Context, room, text string) error {
	id, err := uuid.Parse(room)
	if err != nil {
		return nil
	}
	if _, err := f.pool.Exec(ctx, `UPDATE sessions SET content = $2 WHERE id = $1`, id, []byte(text)); err != nil {
		return fmt.Errorf("store: set content of session %s: %w", id, err)
	}
	return nil
}

// Text returns the content of session room; "" when there is none.
func (f *FrontendSessions) Text(ctx context.Context, room string) (string, error) {
	id, err := uuid.Parse(room)
	if err != nil {
		return "", nil
	}
	var b []byte
	err = f.pool.QueryRow(ctx, `SELECT content FROM sessions WHERE id = $1`, id).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: content of session %s: %w", id, err)
	}
	return string(b), nil
}
