package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/jobs/jobstest"
	"github.com/kaicode/kaicode/internal/sqlitedb"
	"github.com/kaicode/kaicode/internal/store"
)

func TestJobsConformance(t *testing.T) {
	t.Parallel()
	jobstest.RunStore(t, func(t *testing.T) jobs.Store {
		ctx := context.Background()
		db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "kaicode.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		s, err := store.NewJobs(ctx, db)
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
