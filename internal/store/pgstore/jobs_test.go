package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/store/pgstore"
)

// jobsSchemaV1 is the jobs table before enqueued_at, as older versions
// created it.
const jobsSchemaV1 = `
CREATE SCHEMA kaicode;
CREATE TABLE kaicode.jobs (
	id text PRIMARY KEY, room text NOT NULL, user_id text NOT NULL, language text NOT NULL,
	request text NOT NULL, status text NOT NULL, result text, error text NOT NULL DEFAULT '',
	attempts integer NOT NULL DEFAULT 0, created_at timestamptz NOT NULL,
	started_at timestamptz, finished_at timestamptz
);
INSERT INTO kaicode.jobs (id, room, user_id, language, request, status, created_at)
VALUES ('old', '', 'u', 'python', '{"language":"python"}', 'queued', '2020-01-01T00:00:00Z');`

func TestNewJobsCountsExistingJobsAsEnqueued(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := openPool(t, databaseURL(t))
	if _, err := pool.Exec(ctx, jobsSchemaV1); err != nil {
		t.Fatal(err)
	}
	var (
		s   *pgstore.Jobs
		err error
	)
	for range 2 {
		if s, err = pgstore.NewJobs(ctx, pool); err != nil {
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
