package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// RoomTexts keeps the plain text of each room, as the sync server last
// received it from the clients' periodic "sync" messages. The collaboration
// server seeds an empty document from it. Safe for concurrent use.
type RoomTexts struct {
	db *sql.DB
}

const roomTextsSchema = `
CREATE TABLE IF NOT EXISTS room_texts (
	room       TEXT PRIMARY KEY,
	text       TEXT NOT NULL,
	updated_at INTEGER NOT NULL DEFAULT (unixepoch())
);`

// NewRoomTexts returns a RoomTexts on db, creating its table if needed.
func NewRoomTexts(ctx context.Context, db *sql.DB) (*RoomTexts, error) {
	if _, err := db.ExecContext(ctx, roomTextsSchema); err != nil {
		return nil, fmt.Errorf("store: create room_texts: %w", err)
	}
	return &RoomTexts{db: db}, nil
}

// Text returns the stored text of room, or "" when there is none.
func (t *RoomTexts) Text(ctx context.Context, room string) (string, error) {
	var s string
	err := t.db.QueryRowContext(ctx, `SELECT text FROM room_texts WHERE room = ?`, room).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: text of room %q: %w", room, err)
	}
	return s, nil
}

// SetText stores text as the text of room.
func (t *RoomTexts) SetText(ctx context.Context, room, text string) error {
	_, err := t.db.ExecContext(ctx, `INSERT INTO room_texts(room, text) VALUES (?, ?)
		ON CONFLICT(room) DO UPDATE SET text = excluded.text, updated_at = unixepoch()`, room, text)
	if err != nil {
		return fmt.Errorf("store: set text of room %q: %w", room, err)
	}
	return nil
}
