package main

import (
	"context"
	"database/sql"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/collab"
	"github.com/kaicode/kaicode/internal/config"
	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/roomsync"
	"github.com/kaicode/kaicode/internal/sqlitedb"
	"github.com/kaicode/kaicode/internal/store"
	"github.com/kaicode/kaicode/internal/store/pgstore"
)

// roomStore keeps each room's allow-list, which the access policy reads,
// and its state, which the sync server tells late joiners.
type roomStore interface {
	auth.AllowListStore
	roomsync.StateStore
}

// roomTexts keeps each room's plain text: the sync server writes it and
// the collaboration server seeds empty documents from it.
type roomTexts interface {
	roomsync.TextSink
	collab.TextSource
}

var (
	_ roomStore       = (*store.Rooms)(nil)
	_ roomStore       = (*pgstore.Rooms)(nil)
	_ roomTexts       = (*store.RoomTexts)(nil)
	_ roomTexts       = (*pgstore.RoomTexts)(nil)
	_ collab.DocStore = (*pgstore.Docs)(nil)
)

// stores are the durable stores of one process: in the SQLite data file by
// default, in PostgreSQL when --database-url is set.
type stores struct {
	jobs  jobs.Store
	rooms roomStore
	texts roomTexts
	docs  collab.DocStore
	// db is the SQLite data file, which holds the stores without
	// --database-url and the embedded queue without --sqs-queue-url; nil
	// when neither needs it.
	db *sql.DB
	// pool is the PostgreSQL pool with --database-url, nil otherwise.
	pool *pgxpool.Pool
}

// openStores opens the stores cfg selects, creating their tables if
// needed. The caller closes them after everything using them stopped.
func openStores(ctx context.Context, cfg *config.Config, log *slog.Logger) (_ *stores, err error) {
	s := &stores{}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	if cfg.DatabaseURL == "" || cfg.AWS.QueueURL == "" {
		if s.db, err = sqlitedb.Open(ctx, cfg.DataFile()); err != nil {
			return nil, err
		}
	}
	if cfg.DatabaseURL == "" {
		log.Info("storage", "backend", "sqlite", "file", cfg.DataFile())
		return s, s.openSQLite(ctx)
	}
	if cfg.AWS.QueueURL == "" {
		log.Warn("--database-url is set but --sqs-queue-url is not: jobs are queued in this node's SQLite file, which other nodes do not share",
			"file", cfg.DataFile())
	}
	if s.pool, err = pgstore.Open(ctx, cfg.DatabaseURL); err != nil {
		return nil, err
	}
	log.Info("storage", "backend", "postgres", "schema", "kaicode")
	return s, s.openPostgres(ctx)
}

// openSQLite creates the stores in the data file.
func (s *stores) openSQLite(ctx context.Context) (err error) {
	if s.jobs, err = store.NewJobs(ctx, s.db); err != nil {
		return err
	}
	if s.rooms, err = store.NewRooms(ctx, s.db); err != nil {
		return err
	}
	if s.texts, err = store.NewRoomTexts(ctx, s.db); err != nil {
		return err
	}
	s.docs, err = store.NewDocs(ctx, s.db)
	return err
}

// openPostgres creates the stores in the pool's database.
func (s *stores) openPostgres(ctx context.Context) (err error) {
	if s.jobs, err = pgstore.NewJobs(ctx, s.pool); err != nil {
		return err
	}
	if s.rooms, err = pgstore.NewRooms(ctx, s.pool); err != nil {
		return err
	}
	if s.texts, err = pgstore.NewRoomTexts(ctx, s.pool); err != nil {
		return err
	}
	s.docs, err = pgstore.NewDocs(ctx, s.pool)
	return err
}

// close releases the pool and the data file, if open.
func (s *stores) close() {
	if s.pool != nil {
		s.pool.Close()
	}
	if s.db != nil {
		s.db.Close()
	}
}
