package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// RoomTexts keeps the plain text of each room, as the sync server last
// received it, in the table kaicode.room_texts. The text is stored as
// bytea: a client may send any bytes, and PostgreSQL's text type refuses
// NUL and invalid UTF-8 where SQLite keeps them.
type RoomTexts struct {
	pool *pgxpool.Pool
}

const roomTextsSchema = `
CREATE TABLE IF NOT EXISTS kaicode.room_texts (
	room       text PRIMARY KEY,
	text       bytea NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now()
);`

// NewRoomTexts returns a RoomTexts on pool, creating its table if needed.
func NewRoomTexts(ctx context.Context, pool *pgxpool.Pool) (*RoomTexts, error) {
	if err := migrate(ctx, pool, "room text", roomTextsSchema); err != nil {
		return nil, err
	}
	return &RoomTexts{pool: pool}, nil
}

// Text returns the stored text of room, or "" when there is none.
func (t *RoomTexts) Text(ctx context.Context, room string) (string, error) {
	var b []byte
	err := t.pool.QueryRow(ctx, `SELECT text FROM kaicode.room_texts WHERE room = $1`, room).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("pgstore: text of room %q: %w", room, err)
	}
	return string(b), nil
}

// SetText stores text as the text of room.
func (t *RoomTexts) SetText(ctx context.Context, room, text string) error {
	_, err := t.pool.Exec(ctx, `INSERT INTO kaicode.room_texts (room, text) VALUES ($1, $2)
		ON CONFLICT (room) DO UPDATE SET text = excluded.text, updated_at = now()`, room, []byte(text))
	if err != nil {
		return fmt.Errorf("pgstore: set text of room %q: %w", room, err)
	}
	return nil
}
