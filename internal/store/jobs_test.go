package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/jobs/jobstest"
	"github.com/kaicode/kaicode/internal/sqlitedb"
	"github.com/kaicode/kaicode/internal/store"
	"github.com/kaicode/kaicode/internal/testenv"
)

func TestJobsConformance(t *testing.T) {
	t.Parallel()
	jobstest.RunStore(t, func(t *testing.T) jobs.Store {
		ctx := context.Background()
		s, err := store.NewJobs(ctx, testenv.SQLite(t))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Ping(ctx); err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestNewJobsIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "kaicode.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for range 2 {
		if _, err := store.NewJobs(ctx, db); err != nil {
			t.Fatalf("NewJobs: %v", err)
		}
	}
}

// jobsSchemaV1 is the jobs table before enqueued_at, as older versions
// created it.
const jobsSchemaV1 = `
CREATE TABLE jobs (
	id TEXT PRIMARY KEY, room TEXT NOT NULL, user_id TEXT NOT NULL, language TEXT NOT NULL,
	request TEXT NOT NULL, status TEXT NOT NULL, result TEXT, error TEXT NOT NULL DEFAULT '',
	attempts INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER
) STRICT;
INSERT INTO jobs (id, room, user_id, language, request, status, created_at)
VALUES ('old', '', 'u', 'python', '{"language":"python"}', 'queued', 0);`

func TestNewJobsCountsExistingJobsAsEnqueued(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "kaicode.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, jobsSchemaV1); err != nil {
		t.Fatal(err)
	}
	var s *store.Jobs
	for range 2 {
		if s, err = store.NewJobs(ctx, db); err != nil {
			t.Fatalf("NewJobs on a table without enqueued_at: %v", err)
		}
	}
	if j, err := s.Get(ctx, "old"); err != nil || j.Status != jobs.StatusQueued {
		t.Fatalf("Get(old) = %+v, %v", j, err)
	}
	if list, err := s.Unenqueued(ctx, time.Now(), 10); err != nil || len(list) != 0 {
		t.Errorf("Unenqueued = %v, %v; want the existing job counted as enqueued", list, err)
	}
}
