package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/store"
)

// Rooms keeps what the sync server remembers of a room besides its text:
// its allow-list (table kaicode.room_access) and its state, the language
// chosen and the last run output (table kaicode.room_state).
type Rooms struct {
	pool *pgxpool.Pool
}

var _ auth.AllowListStore = (*Rooms)(nil)

const roomsSchema = `
CREATE TABLE IF NOT EXISTS kaicode.room_access (
	room    text NOT NULL,
	user_id text NOT NULL,
	access  text NOT NULL CHECK (access IN ('read', 'write')),
	PRIMARY KEY (room, user_id)
);
CREATE TABLE IF NOT EXISTS kaicode.room_state (
	room           text PRIMARY KEY,
	language       text NOT NULL DEFAULT '',
	last_output    bytea,
	last_output_at timestamptz
);
`

// NewRooms returns a Rooms on pool, creating its tables if needed.
func NewRooms(ctx context.Context, pool *pgxpool.Pool) (*Rooms, error) {
	if err := migrate(ctx, pool, "room", roomsSchema); err != nil {
		return nil, err
	}
	return &Rooms{pool: pool}, nil
}

// UserAccess reports whether room has an allow-list and what it grants
// user, in one query.
func (r *Rooms) UserAccess(ctx context.Context, room, user string) (bool, auth.Access, error) {
	var n int
	var access *string
	err := r.pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM kaicode.room_access WHERE room = $1),
		(SELECT access FROM kaicode.room_access WHERE room = $1 AND user_id = $2)`, room, user).Scan(&n, &access)
	if err != nil {
		return false, auth.AccessNone, fmt.Errorf("pgstore: access of %q to room %q: %w", user, room, err)
	}
	if n == 0 {
		return false, auth.AccessNone, nil
	}
	var a auth.Access
	if access != nil {
		if err := a.UnmarshalText([]byte(*access)); err != nil {
			return true, auth.AccessNone, fmt.Errorf("pgstore: access of %q to room %q: %w", user, room, err)
		}
	}
	return true, a, nil
}

// AllowList returns the grants of room, sorted by user (byte order, as in
// SQLite, whatever the database's collation).
func (r *Rooms) AllowList(ctx context.Context, room string) ([]auth.Grant, error) {
	rows, err := r.pool.Query(ctx, `SELECT user_id, access FROM kaicode.room_access
		WHERE room = $1 ORDER BY user_id COLLATE "C"`, room)
	if err != nil {
		return nil, fmt.Errorf("pgstore: allow-list of room %q: %w", room, err)
	}
	var grants []auth.Grant
	var user, access string
	_, err = pgx.ForEachRow(rows, []any{&user, &access}, func() error {
		g := auth.Grant{User: user}
		if err := g.Access.UnmarshalText([]byte(access)); err != nil {
			return err
		}
		grants = append(grants, g)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("pgstore: allow-list of room %q: %w", room, err)
	}
	return grants, nil
}

// SetAllowList replaces the grants of room in one transaction; an empty
// list opens the room. Grants of AccessNone are not stored. The room's
// advisory lock keeps two concurrent replacements from interleaving into a
// mix of both lists.
func (r *Rooms) SetAllowList(ctx context.Context, room string, grants []auth.Grant) error {
	err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		b.Queue(lockKey, lockAllowList, room)
		b.Queue(`DELETE FROM kaicode.room_access WHERE room = $1`, room)
		for _, g := range grants {
			if g.Access == auth.AccessNone {
				continue
			}
			b.Queue(`INSERT INTO kaicode.room_access (room, user_id, access) VALUES ($1, $2, $3)
				ON CONFLICT (room, user_id) DO UPDATE SET access = excluded.access`,
				room, g.User, g.Access.String())
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("pgstore: set allow-list of room %q: %w", room, err)
	}
	return nil
}

// State returns what is remembered of room; the zero RoomState for an
// unknown room.
func (r *Rooms) State(ctx context.Context, room string) (store.RoomState, error) {
	var s store.RoomState
	var at *time.Time
	err := r.pool.QueryRow(ctx, `SELECT language, last_output, last_output_at FROM kaicode.room_state WHERE room = $1`,
		room).Scan(&s.Language, &s.LastOutput, &at)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.RoomState{}, nil
	}
	if err != nil {
		return store.RoomState{}, fmt.Errorf("pgstore: state of room %q: %w", room, err)
	}
	if at != nil {
		s.LastOutputAt = *at
	}
	return s, nil
}

// SetLanguage records the language of room.
func (r *Rooms) SetLanguage(ctx context.Context, room, language string) error {
	_, err := r.pool.Exec(ctx, `INSERT INTO kaicode.room_state (room, language) VALUES ($1, $2)
		ON CONFLICT (room) DO UPDATE SET language = excluded.language`, room, language)
	if err != nil {
		return fmt.Errorf("pgstore: set language of room %q: %w", room, err)
	}
	return nil
}

// SetLastOutput records output, produced at at, as the last output of
// room, unless a later one is already stored (two nodes may both record
// the same run).
func (r *Rooms) SetLastOutput(ctx context.Context, room string, output []byte, at time.Time) error {
	_, err := r.pool.Exec(ctx, `INSERT INTO kaicode.room_state AS s (room, last_output, last_output_at) VALUES ($1, $2, $3)
		ON CONFLICT (room) DO UPDATE SET last_output = excluded.last_output, last_output_at = excluded.last_output_at
		WHERE s.last_output_at IS NULL OR s.last_output_at <= excluded.last_output_at`,
		room, output, millis(at))
	if err != nil {
		return fmt.Errorf("pgstore: set last output of room %q: %w", room, err)
	}
	return nil
}
