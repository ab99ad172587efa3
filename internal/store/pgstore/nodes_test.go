package pgstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/sandbox"
	"github.com/kaicode/kaicode/internal/store/pgstore"
)

// TestNodesCreateTablesConcurrently starts several nodes on one empty
// database at once: each creates the schema and every table.
func TestNodesCreateTablesConcurrently(t *testing.T) {
	t.Parallel()
	dbURL := databaseURL(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 4 {
		pool := openPool(t, dbURL)
		wg.Go(func() {
			for _, create := range []func(context.Context, *pgxpool.Pool) error{
				func(ctx context.Context, p *pgxpool.Pool) error { _, err := pgstore.NewJobs(ctx, p); return err },
				func(ctx context.Context, p *pgxpool.Pool) error { _, err := pgstore.NewRooms(ctx, p); return err },
				func(ctx context.Context, p *pgxpool.Pool) error { _, err := pgstore.NewRoomTexts(ctx, p); return err },
				func(ctx context.Context, p *pgxpool.Pool) error { _, err := pgstore.NewDocs(ctx, p); return err },
			} {
				if err := create(ctx, pool); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
}

// TestNodesShareWrites checks that what one node writes, another reads.
func TestNodesShareWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := databaseURL(t)
	a, b := openPool(t, dbURL), openPool(t, dbURL)
	jobsA, jobsB := newOn(t, a, pgstore.NewJobs), newOn(t, b, pgstore.NewJobs)
	roomsA, roomsB := newOn(t, a, pgstore.NewRooms), newOn(t, b, pgstore.NewRooms)
	textsA, textsB := newOn(t, a, pgstore.NewRoomTexts), newOn(t, b, pgstore.NewRoomTexts)
	docsA, docsB := newOn(t, a, pgstore.NewDocs), newOn(t, b, pgstore.NewDocs)

	job := jobs.Job{ID: "j1", Room: "r", User: "u", Status: jobs.StatusQueued,
		Request: sandbox.Request{Language: "python"}, CreatedAt: time.UnixMilli(1_700_000_000_000)}
	steps := []struct {
		name  string
		write func() error
		check func() error
	}{
		{"job inserted on A, started on B",
			func() error { return jobsA.Insert(ctx, job, 1) },
			func() error {
				j, err := jobsB.Start(ctx, job.ID, time.Now())
				if err == nil && (j.Status != jobs.StatusRunning || j.Attempts != 1) {
					err = fmt.Errorf("Start = %+v", j)
				}
				return err
			}},
		{"job finished on B, seen on A",
			func() error {
				_, err := jobsB.Finish(ctx, job.ID, jobs.Outcome{Status: jobs.StatusFailed, Error: "x", At: time.Now()})
				return err
			},
			func() error {
				if ok, err := jobsA.Finish(ctx, job.ID, jobs.Outcome{Status: jobs.StatusFailed, At: time.Now()}); ok || err != nil {
					return fmt.Errorf("second Finish on A = %v, %v; want false, nil", ok, err)
				}
				return nil
			}},
		{"allow-list set on A, enforced on B",
			func() error { return roomsA.SetAllowList(ctx, "r", []auth.Grant{{User: "u", Access: auth.AccessRead}}) },
			func() error {
				restricted, access, err := roomsB.UserAccess(ctx, "r", "u")
				if err == nil && (!restricted || access != auth.AccessRead) {
					err = fmt.Errorf("UserAccess = %v, %v", restricted, access)
				}
				return err
			}},
		{"language set on B, seen on A",
			func() error { return roomsB.SetLanguage(ctx, "r", "go") },
			func() error {
				s, err := roomsA.State(ctx, "r")
				if err == nil && s.Language != "go" {
					err = fmt.Errorf("State = %+v", s)
				}
				return err
			}},
		{"text set on A, read on B",
			func() error { return textsA.SetText(ctx, "r", "hello") },
			func() error {
				s, err := textsB.Text(ctx, "r")
				if err == nil && s != "hello" {
					err = fmt.Errorf("Text = %q", s)
				}
				return err
			}},
		{"document update appended on B, loaded on A",
			func() error { _, err := docsB.Append(ctx, "r", [][]byte{{1, 2}}); return err },
			func() error {
				d, err := docsA.Load(ctx, "r")
				if err == nil && (d.Appended != 1 || !bytes.Equal(d.Updates[0], []byte{1, 2})) {
					err = fmt.Errorf("Load = %+v", d)
				}
				return err
			}},
	}
	for _, step := range steps {
		if err := step.write(); err != nil {
			t.Fatalf("%s: write: %v", step.name, err)
		}
		if err := step.check(); err != nil {
			t.Errorf("%s: %v", step.name, err)
		}
	}
}

// TestNodesInsertUnderOneBound races inserts of one user from two nodes:
// the bound on unfinished jobs holds across them.
func TestNodesInsertUnderOneBound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := databaseURL(t)
	nodes := []*pgstore.Jobs{newOn(t, openPool(t, dbURL), pgstore.NewJobs), newOn(t, openPool(t, dbURL), pgstore.NewJobs)}
	const bound, attempts = 5, 40
	var ok atomic.Int64
	var wg sync.WaitGroup
	for i := range attempts {
		wg.Go(func() {
			j := jobs.Job{ID: fmt.Sprint("j", i), User: "u", Status: jobs.StatusQueued,
				Request: sandbox.Request{Language: "python"}, CreatedAt: time.Now()}
			err := nodes[i%2].Insert(ctx, j, bound)
			switch {
			case err == nil:
				ok.Add(1)
			case !errors.Is(err, jobs.ErrUserBusy):
				t.Errorf("Insert: %v", err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != bound {
		t.Errorf("%d of %d inserts succeeded with a bound of %d", ok.Load(), attempts, bound)
	}
}

// newOn makes a store on pool, failing t on error.
func newOn[S any](t testing.TB, pool *pgxpool.Pool, newS func(context.Context, *pgxpool.Pool) (S, error)) S {
	t.Helper()
	s, err := newS(context.Background(), pool)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
