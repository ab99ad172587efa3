// Package jobstest holds the conformance suite every jobs.Store
// implementation must pass.
package jobstest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/sandbox"
)

// NewStore returns an empty store for one test.
type NewStore func(t *testing.T) jobs.Store

// RunStore runs the conformance suite against the stores newStore makes.
func RunStore(t *testing.T, newStore NewStore) {
	tests := []struct {
		name string
		run  func(t *testing.T, s jobs.Store)
	}{
		{"InsertThenGetRoundTrips", testRoundTrip},
		{"GetUnknownIsNotFound", testNotFound},
		{"InsertBoundsUnfinishedJobsPerUser", testUserBound},
		{"StartCountsAttempts", testStart},
		{"FinishWritesOnce", testFinishOnce},
		{"ConcurrentFinishHasOneWinner", testConcurrentFinish},
		{"ConcurrentInsertsRespectTheBound", testConcurrentInsert},
		{"MarkEnqueuedKeepsTheFirstTime", testMarkEnqueued},
		{"UnenqueuedListsOldQueuedUnmarkedJobs", testUnenqueued},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, newStore(t))
		})
	}
}

var ids atomic.Int64

// newJob returns a queued job of user with a unique id.
func newJob(user string) jobs.Job {
	return jobs.Job{
		ID:   fmt.Sprintf("job-%d", ids.Add(1)),
		Room: "room-1",
		User: user,
		Request: sandbox.Request{
			Language: "python",
			Files:    []sandbox.File{{Name: "main.py", Content: "print('hi')"}},
			Stdin:    "in",
			Args:     []string{"a"},
			Run:      sandbox.Limits{WallTime: 3 * time.Second, CPUTime: 3 * time.Second, Memory: 256 << 20},
		},
		Status:    jobs.StatusQueued,
		CreatedAt: time.UnixMilli(time.Now().UnixMilli()),
	}
}

func insert(t *testing.T, s jobs.Store, j jobs.Job) {
	t.Helper()
	if err := s.Insert(context.Background(), j, 100); err != nil {
		t.Fatalf("Insert: %v", err)
	}
}

func get(t *testing.T, s jobs.Store, id string) jobs.Job {
	t.Helper()
	j, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("Get(%s): %v", id, err)
	}
	return j
}

func testRoundTrip(t *testing.T, s jobs.Store) {
	want := newJob("u1")
	insert(t, s, want)
	got := get(t, s, want.ID)
	if got.ID != want.ID || got.Room != want.Room || got.User != want.User || got.Status != jobs.StatusQueued ||
		got.Request.Language != "python" || got.Request.Files[0] != want.Request.Files[0] ||
		got.Request.Stdin != "in" || got.Request.Args[0] != "a" || got.Request.Run != want.Request.Run ||
		!got.CreatedAt.Equal(want.CreatedAt) || got.Result != nil || got.Attempts != 0 || !got.StartedAt.IsZero() {
		t.Errorf("Get = %+v\nwant %+v", got, want)
	}
}

func testNotFound(t *testing.T, s jobs.Store) {
	ctx := context.Background()
	if _, err := s.Get(ctx, "nope"); !errors.Is(err, jobs.ErrNotFound) {
		t.Errorf("Get: %v, want ErrNotFound", err)
	}
	if _, err := s.Start(ctx, "nope", time.Now()); !errors.Is(err, jobs.ErrNotFound) {
		t.Errorf("Start: %v, want ErrNotFound", err)
	}
	if ok, err := s.Finish(ctx, "nope", jobs.Outcome{Status: jobs.StatusFailed, At: time.Now()}); ok || err != nil {
		t.Errorf("Finish = %v, %v; want false, nil", ok, err)
	}
}

func testUserBound(t *testing.T, s jobs.Store) {
	ctx := context.Background()
	a, b, c := newJob("u2"), newJob("u2"), newJob("u2")
	for _, j := range []jobs.Job{a, b} {
		if err := s.Insert(ctx, j, 2); err != nil {
			t.Fatalf("Insert: %v", err)
		}
	}
	if err := s.Insert(ctx, c, 2); !errors.Is(err, jobs.ErrUserBusy) {
		t.Fatalf("third Insert: %v, want ErrUserBusy", err)
	}
	if err := s.Insert(ctx, newJob("other"), 2); err != nil {
		t.Fatalf("another user's Insert: %v", err)
	}
	if _, err := s.Finish(ctx, a.ID, jobs.Outcome{Status: jobs.StatusFinished, Result: &sandbox.Result{}, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := s.Insert(ctx, c, 2); err != nil {
		t.Fatalf("Insert after one finished: %v", err)
	}
}

func testStart(t *testing.T, s jobs.Store) {
	ctx := context.Background()
	j := newJob("u3")
	insert(t, s, j)
	at := time.UnixMilli(time.Now().UnixMilli())
	for attempt := 1; attempt <= 2; attempt++ {
		got, err := s.Start(ctx, j.ID, at)
		if err != nil {
			t.Fatalf("Start: %v", err)
		}
		if got.Status != jobs.StatusRunning || got.Attempts != attempt || !got.StartedAt.Equal(at) {
			t.Errorf("Start #%d = status %s, attempts %d, started %v", attempt, got.Status, got.Attempts, got.StartedAt)
		}
	}
	if _, err := s.Finish(ctx, j.ID, jobs.Outcome{Status: jobs.StatusFailed, Error: "x", At: at}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Start(ctx, j.ID, at.Add(time.Second))
	if err != nil || got.Status != jobs.StatusFailed || got.Attempts != 2 {
		t.Errorf("Start of a final job = %+v, %v; want it unchanged", got, err)
	}
}

func testFinishOnce(t *testing.T, s jobs.Store) {
	ctx := context.Background()
	j := newJob("u4")
	insert(t, s, j)
	at := time.UnixMilli(time.Now().UnixMilli())
	first := &sandbox.Result{Status: sandbox.StatusOK, Stdout: "first\n", WallTime: 12 * time.Millisecond}
	if ok, err := s.Finish(ctx, j.ID, jobs.Outcome{Status: jobs.StatusFinished, Result: first, At: at}); !ok || err != nil {
		t.Fatalf("first Finish = %v, %v", ok, err)
	}
	second := &sandbox.Result{Status: sandbox.StatusOK, Stdout: "second\n"}
	if ok, err := s.Finish(ctx, j.ID, jobs.Outcome{Status: jobs.StatusFinished, Result: second, At: at}); ok || err != nil {
		t.Fatalf("second Finish = %v, %v; want false, nil", ok, err)
	}
	got := get(t, s, j.ID)
	if got.Status != jobs.StatusFinished || got.Result == nil || *got.Result != *first || !got.FinishedAt.Equal(at) {
		t.Errorf("stored %+v / %+v, want the first result", got, got.Result)
	}
	if _, err := s.Finish(ctx, j.ID, jobs.Outcome{Status: jobs.StatusRunning, At: at}); err == nil {
		t.Error("Finish with a non-final status succeeded")
	}
}

func testConcurrentFinish(t *testing.T, s jobs.Store) {
	ctx := context.Background()
	j := newJob("u5")
	insert(t, s, j)
	var wins atomic.Int64
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			r := &sandbox.Result{Stdout: fmt.Sprint(i)}
			ok, err := s.Finish(ctx, j.ID, jobs.Outcome{Status: jobs.StatusFinished, Result: r, At: time.Now()})
			if err != nil {
				t.Errorf("Finish: %v", err)
			}
			if ok {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Errorf("%d Finish calls won, want 1", wins.Load())
	}
}

func testConcurrentInsert(t *testing.T, s jobs.Store) {
	ctx := context.Background()
	var ok atomic.Int64
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			err := s.Insert(ctx, newJob("u6"), 3)
			switch {
			case err == nil:
				ok.Add(1)
			case !errors.Is(err, jobs.ErrUserBusy):
				t.Errorf("Insert: %v", err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 3 {
		t.Errorf("%d inserts succeeded with a bound of 3", ok.Load())
	}
}

func testMarkEnqueued(t *testing.T, s jobs.Store) {
	ctx := context.Background()
	j := newJob("u7")
	j.CreatedAt = j.CreatedAt.Add(-time.Hour)
	insert(t, s, j)
	for _, at := range []time.Time{time.Now(), time.Now().Add(time.Minute)} {
		if err := s.MarkEnqueued(ctx, j.ID, at); err != nil {
			t.Fatalf("MarkEnqueued(%v): %v", at, err)
		}
	}
	if list := unenqueued(t, s, time.Now(), 10); len(list) != 0 {
		t.Errorf("Unenqueued after MarkEnqueued = %v, want none", list)
	}
	if err := s.MarkEnqueued(ctx, "nope", time.Now()); !errors.Is(err, jobs.ErrNotFound) {
		t.Errorf("MarkEnqueued(unknown): %v, want ErrNotFound", err)
	}
}

func testUnenqueued(t *testing.T, s jobs.Store) {
	ctx := context.Background()
	cutoff := time.UnixMilli(time.Now().UnixMilli())
	jobAt := func(age time.Duration) jobs.Job {
		j := newJob("u8")
		j.CreatedAt = cutoff.Add(-age)
		insert(t, s, j)
		return j
	}
	older, old := jobAt(2*time.Minute), jobAt(time.Minute)
	jobAt(-time.Second) // created after the cutoff: a Submit still in flight
	if err := s.MarkEnqueued(ctx, jobAt(3*time.Minute).ID, cutoff); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Finish(ctx, jobAt(4*time.Minute).ID, jobs.Outcome{Status: jobs.StatusFailed, Error: "x", At: cutoff}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Start(ctx, jobAt(5*time.Minute).ID, cutoff); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		limit int
		want  []string
	}{
		{"all, oldest first", 10, []string{older.ID, old.ID}},
		{"limited", 1, []string{older.ID}},
	}
	for _, tt := range tests {
		got := unenqueued(t, s, cutoff, tt.limit)
		var ids []string
		for _, j := range got {
			ids = append(ids, j.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(tt.want) {
			t.Errorf("%s: Unenqueued = %v, want %v", tt.name, ids, tt.want)
		}
	}
	if got := unenqueued(t, s, cutoff, 1); len(got) == 1 && (got[0].User != "u8" || !got[0].CreatedAt.Equal(older.CreatedAt) ||
		got[0].Request.Files[0] != older.Request.Files[0] || got[0].Status != jobs.StatusQueued) {
		t.Errorf("Unenqueued returned %+v, want %+v", got[0], older)
	}
}

func unenqueued(t *testing.T, s jobs.Store, createdBefore time.Time, limit int) []jobs.Job {
	t.Helper()
	list, err := s.Unenqueued(context.Background(), createdBefore, limit)
	if err != nil {
		t.Fatalf("Unenqueued: %v", err)
	}
	return list
}
