// Package sqlitedb opens the server's SQLite data file with the settings a
// long-running server with concurrent readers and writers needs.
//
// The returned *sql.DB is safe for concurrent use and is shared by every
// package that keeps data in the file (job store, queue, documents). Each
// package creates its own tables.
package sqlitedb

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// BusyTimeoutMillis is how long a connection waits for another writer's lock
// before SQLite reports SQLITE_BUSY.
const BusyTimeoutMillis = 10_000

// Open opens (creating it and its parent folders if needed) the SQLite file
// at path. Every connection of the pool runs with:
//
//   - journal_mode=WAL: readers never block the writer, nor the writer them;
//   - busy_timeout: writers queue for the lock instead of failing at once;
//   - foreign_keys=ON: declared foreign keys are enforced;
//   - synchronous=NORMAL: durable across process crashes; in WAL mode only
//     a power loss can drop the last transactions;
//   - transactions begin IMMEDIATE, so a transaction that reads and then
//     writes never fails half-way with SQLITE_BUSY. Plain queries outside a
//     transaction take no write lock.
//
// The caller closes the returned DB.
func Open(ctx context.Context, path string) (*sql.DB, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("sqlitedb: open: invalid path %q (empty, or contains ? or #)", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("sqlitedb: open %s: %w", path, err)
	}
	q := url.Values{}
	// busy_timeout first: switching to WAL needs a lock another process may hold.
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeoutMillis))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: open %s: %w", path, err)
	}
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlitedb: open %s: %w", path, err)
	}
	if mode != "wal" {
		db.Close()
		return nil, fmt.Errorf("sqlitedb: open %s: journal_mode is %q, want wal", path, mode)
	}
	return db, nil
}
