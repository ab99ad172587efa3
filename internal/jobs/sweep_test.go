package jobs_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/queue"
	"github.com/kaicode/kaicode/internal/sandbox"
)

// errCrash is the panic of a crashingQueue: the process dies.
var errCrash = errors.New("process killed")

// crashingQueue wraps a real queue. Its first Send panics, before or after
// handing the message over, so that nothing after it in Submit runs: the
// store is left as a process killed at that point leaves it.
type crashingQueue struct {
	queue.Queue
	afterSend bool
	crashed   atomic.Bool
}

func (q *crashingQueue) Send(ctx context.Context, body []byte, opts queue.SendOptions) error {
	if q.crashed.Swap(true) {
		return q.Queue.Send(ctx, body, opts)
	}
	if q.afterSend {
		if err := q.Queue.Send(ctx, body, opts); err != nil {
			return err
		}
	}
	panic(errCrash)
}

// submitThenCrash submits a job through a service whose process dies in
// Send and returns the job it left in the store.
func submitThenCrash(t *testing.T, e *env, afterSend bool) jobs.Job {
	t.Helper()
	svc := e.newService(&crashingQueue{Queue: e.queue, afterSend: afterSend}, time.Now)
	func() {
		defer func() {
			if r := recover(); r != errCrash {
				t.Fatalf("Submit did not reach Send: recovered %v", r)
			}
		}()
		svc.Submit(context.Background(), jobs.Submission{
			User: "7", Request: sandbox.Request{Language: "python", Files: []sandbox.File{{Content: "out"}}},
		})
	}()
	left, err := e.store.Unenqueued(context.Background(), time.Now().Add(time.Hour), 10)
	if err != nil || len(left) != 1 {
		t.Fatalf("after the crash Unenqueued = %v, %v; want one job", left, err)
	}
	return left[0]
}

// later returns a clock d ahead of the real one.
func later(d time.Duration) func() time.Time {
	return func() time.Time { return time.Now().Add(d) }
}

func TestSweepRecoversJobsACrashLeftUnenqueued(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		afterSend  bool          // the crash came after the queue accepted the message
		sweepAfter time.Duration // how long after the crash the sweep runs
		wantDepth  int           // queue depth after the sweep
		wantStatus jobs.Status   // once any worker is done
		resent     float64
		failed     float64
	}{
		{"before Send, swept within the grace period: left alone", false, 0, 0, jobs.StatusQueued, 0, 0},
		{"before Send, swept after the grace period: sent and run", false, 2 * time.Minute, 1, jobs.StatusFinished, 1, 0},
		{"after Send, swept after the grace period: sent again, one result", true, 2 * time.Minute, 2, jobs.StatusFinished, 1, 0},
		{"before Send, swept when too old: failed", false, 11 * time.Minute, 0, jobs.StatusFailed, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			limits := defaultLimits()
			limits.MaxQueuedPerUser = 1
			e := newEnv(t, envOptions{noWorker: true, limits: &limits})
			job := submitThenCrash(t, e, tt.afterSend)
			if _, err := e.svc.Submit(context.Background(), jobs.Submission{User: "7", Request: job.Request}); jobs.CodeOf(err) != jobs.CodeQueueFull {
				t.Fatalf("Submit beside the crashed job: %v, want %s", err, jobs.CodeQueueFull)
			}

			if err := e.newService(e.queue, later(tt.sweepAfter)).Sweep(context.Background()); err != nil {
				t.Fatalf("Sweep: %v", err)
			}
			if n, err := e.queue.Depth(context.Background()); err != nil || n != tt.wantDepth {
				t.Errorf("queue depth after Sweep = %d, %v; want %d", n, err, tt.wantDepth)
			}
			resent, failed := metric(t, e, "kaicode_jobs_swept_total", "resent"), metric(t, e, "kaicode_jobs_swept_total", "failed")
			if resent != tt.resent || failed != tt.failed {
				t.Errorf("swept metrics: resent %v, failed %v; want %v, %v", resent, failed, tt.resent, tt.failed)
			}

			var runs atomic.Int64
			e.startWorker(counting(&runs, echo), nil)
			got := e.waitOrGet(job.ID, tt.wantStatus)
			if got.Status != tt.wantStatus {
				t.Fatalf("job is %s %q, want %s", got.Status, got.Error, tt.wantStatus)
			}
			switch tt.wantStatus {
			case jobs.StatusQueued:
				return
			case jobs.StatusFinished:
				if got.Result == nil || got.Result.Stdout != "out" || runs.Load() == 0 {
					t.Errorf("finished job = %+v after %d runs", got.Result, runs.Load())
				}
			case jobs.StatusFailed:
				if !strings.Contains(got.Error, "never enqueued") || runs.Load() != 0 {
					t.Errorf("failed job: %q after %d runs", got.Error, runs.Load())
				}
			}
			expectQueueEmpty(t, e)
			if _, err := e.svc.Submit(context.Background(), jobs.Submission{User: "7", Request: job.Request}); err != nil {
				t.Errorf("Submit once the crashed job is %s: %v", got.Status, err)
			}
		})
	}
}

// waitOrGet waits for job id to be final when want is, else reads it.
func (e *env) waitOrGet(id string, want jobs.Status) jobs.Job {
	e.t.Helper()
	if want.Final() {
		return e.waitFinal(id, 10*time.Second)
	}
	j, err := e.store.Get(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return j
}

func TestRunSweeperStopsWithItsContext(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noWorker: true})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.svc.RunSweeper(ctx, 10*time.Millisecond)
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("RunSweeper still running after its context ended")
	}
}

func TestNewServiceRejectsBadSweepSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noWorker: true})
	tests := []struct {
		name          string
		grace, maxAge time.Duration
	}{
		{"negative grace", -time.Second, 0},
		{"max age below grace", time.Minute, time.Second},
	}
	for _, tt := range tests {
		_, err := jobs.NewService(jobs.Options{
			Store: e.store, Queue: e.queue, Bus: e.bus, Catalogue: e.catalogue, Limits: e.limits,
			SweepGrace: tt.grace, SweepMaxAge: tt.maxAge,
		})
		if err == nil {
			t.Errorf("%s: NewService accepted grace %s, max age %s", tt.name, tt.grace, tt.maxAge)
		}
	}
}

func TestSubmitMarksTheJobEnqueued(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noWorker: true})
	submit(t, e, "")
	if left, err := e.store.Unenqueued(context.Background(), time.Now().Add(time.Hour), 10); err != nil || len(left) != 0 {
		t.Fatalf("Unenqueued after Submit = %v, %v; want none", left, err)
	}
	if err := e.newService(e.queue, later(time.Hour)).Sweep(context.Background()); err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	if n, err := e.queue.Depth(context.Background()); err != nil || n != 1 {
		t.Errorf("queue depth = %d, %v; want 1 (Sweep sent nothing again)", n, err)
	}
}
