package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kaicode/kaicode/internal/store"
)

// Docs keeps the Yjs documents of rooms: each room has at most one
// compacted snapshot (table kaicode.doc_snapshots) plus the updates
// appended after it (table kaicode.doc_updates). Appends are cheap and
// durable; Compact folds what was appended into the snapshot.
//
// Callers serialise writes to one room, as with store.Docs. Across nodes,
// Append also takes the room's advisory lock, so a room's updates commit
// in the order of their sequence numbers and Load always sees a prefix of
// them: a snapshot built from a Load never skips an update it then deletes.
type Docs struct {
	pool *pgxpool.Pool
}

// docsSchema creates the tables of Docs. doc_updates.seq is global and
// increasing, so a snapshot records the last seq it covers.
const docsSchema = `
CREATE TABLE IF NOT EXISTS kaicode.doc_updates (
	seq  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	room text NOT NULL,
	data bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS doc_updates_room_seq ON kaicode.doc_updates (room, seq);
CREATE TABLE IF NOT EXISTS kaicode.doc_snapshots (
	room    text PRIMARY KEY,
	data    bytea NOT NULL,
	through bigint NOT NULL
);`

// NewDocs returns a Docs on pool, creating its tables if needed.
func NewDocs(ctx context.Context, pool *pgxpool.Pool) (*Docs, error) {
	if err := migrate(ctx, pool, "document", docsSchema); err != nil {
		return nil, err
	}
	return &Docs{pool: pool}, nil
}

// Load reads everything stored for room, in one statement and so from one
// snapshot of the database. A room never written returns an empty
// store.StoredDoc.
func (d *Docs) Load(ctx context.Context, room string) (store.StoredDoc, error) {
	rows, err := d.pool.Query(ctx, `
		WITH snap AS (SELECT through, data FROM kaicode.doc_snapshots WHERE room = $1)
		SELECT true, through, data FROM snap
		UNION ALL
		SELECT false, seq, data FROM kaicode.doc_updates
		WHERE room = $1 AND seq > coalesce((SELECT through FROM snap), 0)
		ORDER BY 1 DESC, 2`, room)
	if err != nil {
		return store.StoredDoc{}, fmt.Errorf("pgstore: load document %q: %w", room, err)
	}
	var (
		out      store.StoredDoc
		snapshot bool
		data     []byte
	)
	_, err = pgx.ForEachRow(rows, []any{&snapshot, &out.Seq, &data}, func() error {
		out.Updates = append(out.Updates, data)
		if !snapshot {
			out.Appended++
		}
		return nil
	})
	if err != nil {
		return store.StoredDoc{}, fmt.Errorf("pgstore: load document %q: %w", room, err)
	}
	return out, nil
}

// Append stores updates for room in one transaction, in order, and returns
// the sequence number of the last one. It is durable when it returns. The
// batch runs as one implicit transaction, in one round trip.
func (d *Docs) Append(ctx context.Context, room string, updates [][]byte) (int64, error) {
	if len(updates) == 0 {
		return 0, errors.New("pgstore: append: no updates")
	}
	b := &pgx.Batch{}
	b.Queue(lockKey, lockDocRoom, room)
	var seq int64
	for _, u := range updates {
		b.Queue(`INSERT INTO kaicode.doc_updates (room, data) VALUES ($1, $2) RETURNING seq`, room, u).
			QueryRow(func(row pgx.Row) error { return row.Scan(&seq) })
	}
	if err := d.pool.SendBatch(ctx, b).Close(); err != nil {
		return 0, fmt.Errorf("pgstore: append to %q: %w", room, err)
	}
	return seq, nil
}

// Compact replaces the snapshot of room by snapshot, which must contain
// every update of room up to and including through, and deletes those
// updates. Updates appended after through are kept, and an older snapshot
// never replaces a newer one.
func (d *Docs) Compact(ctx context.Context, room string, snapshot []byte, through int64) error {
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO kaicode.doc_snapshots AS s (room, data, through) VALUES ($1, $2, $3)
		ON CONFLICT (room) DO UPDATE SET data = excluded.data, through = excluded.through
		WHERE excluded.through >= s.through`, room, snapshot, through)
	b.Queue(`DELETE FROM kaicode.doc_updates WHERE room = $1 AND seq <= $2`, room, through)
	if err := d.pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("pgstore: compact %q: %w", room, err)
	}
	return nil
}
