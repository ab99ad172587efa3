package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kaicode/kaicode/internal/auth"
)

// Rooms keeps what the sync server remembers of a room besides its text:
// its allow-list (tables room_access) and its state, the language chosen
// and the last run output (table room_state). Safe for concurrent use.
type Rooms struct {
	db *sql.DB
}

var _ auth.AllowListStore = (*Rooms)(nil)

const roomsSchema = `
CREATE TABLE IF NOT EXISTS room_access (
	room    TEXT NOT NULL,
	user_id TEXT NOT NULL,
	access  TEXT NOT NULL CHECK (access IN ('read', 'write')),
	PRIMARY KEY (room, user_id)
) STRICT;
CREATE TABLE IF NOT EXISTS room_state (
	room           TEXT PRIMARY KEY,
	language       TEXT NOT NULL DEFAULT '',
	last_output    BLOB,             -- the sync server's output message, as sent
	last_output_at INTEGER           -- Unix milliseconds
) STRICT;
`

// RoomState is what a late joiner of a room is told.
type RoomState struct {
	// Language is the room's current language; "" when none was chosen.
	Language string
	// LastOutput is the last run output message, as the sync server
	// encoded it; nil when there is none.
	LastOutput []byte
	// LastOutputAt is when LastOutput was produced.
	LastOutputAt time.Time
}

// NewRooms returns a Rooms on db, creating its tables if needed.
func NewRooms(ctx context.Context, db *sql.DB) (*Rooms, error) {
	if _, err := db.ExecContext(ctx, roomsSchema); err != nil {
		return nil, fmt.Errorf("store: create room tables: %w", err)
	}
	return &Rooms{db: db}, nil
}

// UserAccess reports whether room has an allow-list and what it grants
// user, in one query.
func (r *Rooms) UserAccess(ctx context.Context, room, user string) (bool, auth.Access, error) {
	var n int
	var access sql.NullString
	err := r.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM room_access WHERE room = ?1),
		(SELECT access FROM room_access WHERE room = ?1 AND user_id = ?2)`, room, user).Scan(&n, &access)
	if err != nil {
		return false, auth.AccessNone, fmt.Errorf("store: access of %q to room %q: %w", user, room, err)
	}
	if n == 0 {
		return false, auth.AccessNone, nil
	}
	var a auth.Access
	if access.Valid {
		if err := a.UnmarshalText([]byte(access.String)); err != nil {
			return true, auth.AccessNone, fmt.Errorf("store: access of %q to room %q: %w", user, room, err)
		}
	}
	return true, a, nil
}

// AllowList returns the grants of room, sorted by user.
func (r *Rooms) AllowList(ctx context.Context, room string) ([]auth.Grant, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT user_id, access FROM room_access WHERE room = ? ORDER BY user_id`, room)
	if err != nil {
		return nil, fmt.Errorf("store: allow-list of room %q: %w", room, err)
	}
	defer rows.Close()
	var grants []auth.Grant
	for rows.Next() {
		var g auth.Grant
		var access string
		if err := rows.Scan(&g.User, &access); err != nil {
			return nil, fmt.Errorf("store: allow-list of room %q: %w", room, err)
		}
		if err := g.Access.UnmarshalText([]byte(access)); err != nil {
			return nil, fmt.Errorf("store: allow-list of room %q: %w", room, err)
		}
		grants = append(grants, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: allow-list of room %q: %w", room, err)
	}
	return grants, nil
}

// SetAllowList replaces the grants of room in one transaction; an empty
// list opens the room. Grants of AccessNone are not stored.
func (r *Rooms) SetAllowList(ctx context.Context, room string, grants []auth.Grant) (err error) {
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: set allow-list of room %q: %w", room, err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if _, err := tx.ExecContext(ctx, `DELETE FROM room_access WHERE room = ?`, room); err != nil {
		return fmt.Errorf("store: set allow-list of room %q: %w", room, err)
	}
	for _, g := range grants {
		if g.Access == auth.AccessNone {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO room_access (room, user_id, access) VALUES (?, ?, ?)
			ON CONFLICT (room, user_id) DO UPDATE SET access = excluded.access`,
			room, g.User, g.Access.String()); err != nil {
			return fmt.Errorf("store: set allow-list of room %q: %w", room, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: set allow-list of room %q: %w", room, err)
	}
	return nil
}

// State returns what is remembered of room; the zero RoomState for an
// unknown room.
func (r *Rooms) State(ctx context.Context, room string) (RoomState, error) {
	var s RoomState
	var at sql.NullInt64
	err := r.db.QueryRowContext(ctx, `SELECT language, last_output, last_output_at FROM room_state WHERE room = ?`,
		room).Scan(&s.Language, &s.LastOutput, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return RoomState{}, nil
	}
	if err != nil {
		return RoomState{}, fmt.Errorf("store: state of room %q: %w", room, err)
	}
	if at.Valid {
		s.LastOutputAt = time.UnixMilli(at.Int64)
	}
	return s, nil
}

// SetLanguage records the language of room.
func (r *Rooms) SetLanguage(ctx context.Context, room, language string) error {
	_, err := r.db.ExecContext(ctx, `INSERT INTO room_state (room, language) VALUES (?, ?)
		ON CONFLICT (room) DO UPDATE SET language = excluded.language`, room, language)
	if err != nil {
		return fmt.Errorf("store: set language of room %q: %w", room, err)
	}
	return nil
}

// SetLastOutput records output, produced at at, as the last output of
// room, unless a later one is already stored (two nodes may both record
// the same run).
func (r *Rooms) SetLastOutput(ctx context.Context, room string, output []byte, at time.Time) error {
	_, err := r.db.ExecContext(ctx, `INSERT INTO room_state (room, last_output, last_output_at) VALUES (?, ?, ?)
		ON CONFLICT (room) DO UPDATE SET last_output = excluded.last_output, last_output_at = excluded.last_output_at
		WHERE room_state.last_output_at IS NULL OR room_state.last_output_at <= excluded.last_output_at`,
		room, output, at.UnixMilli())
	if err != nil {
		return fmt.Errorf("store: set last output of room %q: %w", room, err)
	}
	return nil
}
