package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Open connects to the PostgreSQL server at url (a postgres:// URL or a
// key=value connection string), checks that it answers and returns the
// pool. The caller closes it.
func Open(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("pgstore: parse database URL: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgstore: open %s: %w", cfg.ConnConfig.Host, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pgstore: connect to %s: %w", cfg.ConnConfig.Host, err)
	}
	return pool, nil
}

// Advisory lock classes: the first key of pg_advisory_xact_lock(int, int).
// The second key is 0 for migrations and hashtext of the user or room for
// the others; a hash collision only makes two users or rooms wait for each
// other.
const (
	lockMigrate int32 = 0x6b616900 + iota // "kai\0"
	lockJobsUser
	lockAllowList
	lockDocRoom
)

// lockKey is the statement that takes the advisory lock of class and key
// until the transaction ends.
const lockKey = `SELECT pg_advisory_xact_lock($1, hashtext($2))`

// migrate creates the schema kaicode if missing and runs ddl, in one
// transaction holding the migration lock: concurrent CREATE ... IF NOT
// EXISTS of the same object can otherwise fail with a unique violation in
// the catalogue. The schema is only created when missing because CREATE
// SCHEMA IF NOT EXISTS needs the CREATE privilege on the database even
// when the schema exists, and a DBA may have created it for a role without
// that privilege.
func migrate(ctx context.Context, pool *pgxpool.Pool, what, ddl string) error {
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, 0)`, lockMigrate); err != nil {
			return err
		}
		// A statement of its own, so that it sees a schema another node
		// committed while this one waited for the lock.
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT to_regnamespace('kaicode') IS NOT NULL`).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			ddl = "CREATE SCHEMA kaicode;\n" + ddl
		}
		_, err := tx.Exec(ctx, ddl)
		return err
	})
	if err != nil {
		return fmt.Errorf("pgstore: create %s tables: %w", what, err)
	}
	return nil
}

// millis returns t truncated to the millisecond, the precision both
// backends keep timestamps at.
func millis(t time.Time) time.Time { return time.UnixMilli(t.UnixMilli()) }
