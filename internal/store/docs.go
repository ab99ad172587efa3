package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Docs keeps the Yjs documents of rooms in SQLite: each room has at most one
// compacted snapshot plus the updates appended after it. Appends are cheap
// and durable; Compact folds what was appended into the snapshot.
//
// A Docs is safe for concurrent use. Callers serialise writes to one room
// (the collaboration server has one writer per loaded room).
type Docs struct {
	db *sql.DB
}

// docsSchema creates the tables of Docs. doc_updates.seq is global and
// increasing, so a snapshot records the last seq it covers.
const docsSchema = `
CREATE TABLE IF NOT EXISTS doc_updates (
	seq  INTEGER PRIMARY KEY AUTOINCREMENT,
	room TEXT NOT NULL,
	data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS doc_updates_room_seq ON doc_updates(room, seq);
CREATE TABLE IF NOT EXISTS doc_snapshots (
	room    TEXT PRIMARY KEY,
	data    BLOB NOT NULL,
	through INTEGER NOT NULL
);`

// NewDocs returns a Docs on db, creating its tables if needed.
func NewDocs(ctx context.Context, db *sql.DB) (*Docs, error) {
	if _, err := db.ExecContext(ctx, docsSchema); err != nil {
		return nil, fmt.Errorf("store: create document tables: %w", err)
	}
	return &Docs{db: db}, nil
}

// StoredDoc is what Load returns for one room.
type StoredDoc struct {
	// Updates are the snapshot (when there is one) followed by the updates
	// appended after it, oldest first. Merging them gives the document.
	Updates [][]byte
	// Seq is the sequence number of the newest update, 0 when none; pass it
	// to Compact with a snapshot that covers everything loaded.
	Seq int64
	// Appended counts the updates stored after the snapshot.
	Appended int
}

// Load reads everything stored for room. A room never written returns an
// empty StoredDoc.
func (d *Docs) Load(ctx context.Context, room string) (StoredDoc, error) {
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return StoredDoc{}, fmt.Errorf("store: load document %q: %w", room, err)
	}
	defer tx.Rollback()

	var out StoredDoc
	var snap []byte
	err = tx.QueryRowContext(ctx, `SELECT data, through FROM doc_snapshots WHERE room = ?`, room).Scan(&snap, &out.Seq)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return StoredDoc{}, fmt.Errorf("store: load snapshot of %q: %w", room, err)
	default:
		out.Updates = append(out.Updates, snap)
	}
	rows, err := tx.QueryContext(ctx, `SELECT seq, data FROM doc_updates WHERE room = ? AND seq > ? ORDER BY seq`, room, out.Seq)
	if err != nil {
		return StoredDoc{}, fmt.Errorf("store: load updates of %q: %w", room, err)
	}
	defer rows.Close()
	for rows.Next() {
		var u []byte
		if err := rows.Scan(&out.Seq, &u); err != nil {
			return StoredDoc{}, fmt.Errorf("store: load updates of %q: %w", room, err)
		}
		out.Updates = append(out.Updates, u)
		out.Appended++
	}
	if err := rows.Err(); err != nil {
		return StoredDoc{}, fmt.Errorf("store: load updates of %q: %w", room, err)
	}
	return out, nil
}

// Append stores updates for room in one transaction, in order, and returns
// the sequence number of the last one. It is durable when it returns.
func (d *Docs) Append(ctx context.Context, room string, updates [][]byte) (int64, error) {
	if len(updates) == 0 {
		return 0, errors.New("store: append: no updates")
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: append to %q: %w", room, err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO doc_updates(room, data) VALUES (?, ?)`)
	if err != nil {
		return 0, fmt.Errorf("store: append to %q: %w", room, err)
	}
	defer stmt.Close()
	var seq int64
	for _, u := range updates {
		res, err := stmt.ExecContext(ctx, room, u)
		if err != nil {
			return 0, fmt.Errorf("store: append to %q: %w", room, err)
		}
		if seq, err = res.LastInsertId(); err != nil {
			return 0, fmt.Errorf("store: append to %q: %w", room, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: append to %q: commit: %w", room, err)
	}
	return seq, nil
}

// Compact replaces the snapshot of room by snapshot, which must contain
// every update of room up to and including through, and deletes those
// updates. Updates appended after through are kept.
func (d *Docs) Compact(ctx context.Context, room string, snapshot []byte, through int64) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: compact %q: %w", room, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO doc_snapshots(room, data, through) VALUES (?, ?, ?)
		ON CONFLICT(room) DO UPDATE SET data = excluded.data, through = excluded.through
		WHERE excluded.through >= doc_snapshots.through`, room, snapshot, through); err != nil {
		return fmt.Errorf("store: compact %q: write snapshot: %w", room, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM doc_updates WHERE room = ? AND seq <= ?`, room, through); err != nil {
		return fmt.Errorf("store: compact %q: delete updates: %w", room, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: compact %q: commit: %w", room, err)
	}
	return nil
}
