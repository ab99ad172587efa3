package jobs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/bus"
	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/sandbox"
	"github.com/kaicode/kaicode/internal/worker"
)

func submit(t *testing.T, e *env, room string) jobs.Job {
	t.Helper()
	j, err := e.svc.Submit(context.Background(), jobs.Submission{
		User: "7", Room: room,
		Request: sandbox.Request{Language: "python", Files: []sandbox.File{{Content: "out"}}},
	})
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	return j
}

// counting wraps a sandbox and counts its runs.
func counting(n *atomic.Int64, sb sandbox.Sandbox) stubSandbox {
	return func(ctx context.Context, req sandbox.Request) (sandbox.Result, error) {
		n.Add(1)
		return sb.Run(ctx, req)
	}
}

func expectQueueEmpty(t *testing.T, e *env) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, err := e.queue.Depth(context.Background())
		if err == nil && n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue depth %d, %v; want 0", n, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestRedeliveredJobWithAnOutcomeIsNotRunAgain(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noWorker: true})
	j := submit(t, e, "")
	stored := &sandbox.Result{Status: sandbox.StatusOK, Stdout: "stored"}
	if _, err := e.store.Finish(context.Background(), j.ID, jobs.Outcome{Status: jobs.StatusFinished, Result: stored, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	var runs atomic.Int64
	e.startWorker(counting(&runs, echo), nil)
	expectQueueEmpty(t, e)
	if runs.Load() != 0 {
		t.Errorf("sandbox ran %d times for a job whose result was stored", runs.Load())
	}
	if got := e.waitFinal(j.ID, time.Second); got.Result.Stdout != "stored" || got.Attempts != 0 {
		t.Errorf("job = %+v", got)
	}
}

func TestFailingSandboxIsRetriedThenDeadLettered(t *testing.T) {
	t.Parallel()
	var runs atomic.Int64
	down := stubSandbox(func(context.Context, sandbox.Request) (sandbox.Result, error) {
		return sandbox.Result{}, fmt.Errorf("%w: engine down", sandbox.ErrUnavailable)
	})
	e := newEnv(t, envOptions{sandbox: counting(&runs, down)})
	j := submit(t, e, "")
	got := e.waitFinal(j.ID, 20*time.Second)
	if got.Status != jobs.StatusFailed || !strings.Contains(got.Error, "dead-lettered: delivered 4 times") {
		t.Errorf("job = %s %q, want failed and dead-lettered", got.Status, got.Error)
	}
	if runs.Load() != testMaxReceives || got.Attempts != testMaxReceives {
		t.Errorf("sandbox ran %d times, attempts %d; want %d", runs.Load(), got.Attempts, testMaxReceives)
	}
	expectQueueEmpty(t, e)
}

func TestRefusedRequestFailsAtOnce(t *testing.T) {
	t.Parallel()
	var runs atomic.Int64
	refuse := stubSandbox(func(context.Context, sandbox.Request) (sandbox.Result, error) {
		return sandbox.Result{}, fmt.Errorf("%w: no image for python", sandbox.ErrBadRequest)
	})
	e := newEnv(t, envOptions{sandbox: counting(&runs, refuse)})
	got := e.waitFinal(submit(t, e, "").ID, 10*time.Second)
	if got.Status != jobs.StatusFailed || !strings.Contains(got.Error, "no image") || runs.Load() != 1 {
		t.Errorf("job = %s %q after %d runs; want failed after 1", got.Status, got.Error, runs.Load())
	}
	expectQueueEmpty(t, e)
}

func TestShutdownMidJobLeavesItForRedelivery(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noWorker: true})
	started := make(chan struct{})
	hang := stubSandbox(func(ctx context.Context, _ sandbox.Request) (sandbox.Result, error) {
		close(started)
		<-ctx.Done()
		return sandbox.Result{Status: sandbox.StatusInternalError}, ctx.Err()
	})
	w, err := worker.New(worker.Options{
		Queue: e.queue, Store: e.store, Sandbox: hang, Bus: e.bus, Concurrency: 1,
		VisibilityTimeout: testVisibility, MaxReceives: testMaxReceives, ReceiveWait: time.Second,
		DrainTimeout: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	j := submit(t, e, "")
	<-started
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got, _ := e.store.Get(context.Background(), j.ID); got.Status != jobs.StatusRunning {
		t.Fatalf("after shutdown the job is %s, want still running (unacknowledged)", got.Status)
	}

	var runs atomic.Int64
	e.startWorker(counting(&runs, echo), nil)
	got := e.waitFinal(j.ID, 10*time.Second)
	if got.Status != jobs.StatusFinished || got.Attempts != 2 || runs.Load() != 1 {
		t.Errorf("job = %s after %d attempts, %d runs by the second worker", got.Status, got.Attempts, runs.Load())
	}
	expectQueueEmpty(t, e)
}

func TestRoomHearsQueuedRunningThenResult(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	sub, err := e.bus.Subscribe(context.Background(), "room-1")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	j := submit(t, e, "room-1")
	var seen []string
	for len(seen) < 3 {
		select {
		case ev := <-sub.Events():
			u, ok, err := jobs.DecodeUpdate(ev)
			if !ok || err != nil || u.ID != j.ID || u.Room != "room-1" || u.User != "7" {
				t.Fatalf("event %s %s: %+v %v", ev.Type, ev.Data, u, err)
			}
			seen = append(seen, ev.Type+":"+string(u.Status))
			if u.Status.Final() && (u.Result == nil || u.Result.Stdout != "out") {
				t.Errorf("result event without the result: %s", ev.Data)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("events so far %v", seen)
		}
	}
	if want := []string{"job.status:queued", "job.status:running", "job.result:finished"}; fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("events %v, want %v", seen, want)
	}
}

func TestDecodeUpdateIgnoresOtherEvents(t *testing.T) {
	t.Parallel()
	_, ok, err := jobs.DecodeUpdate(busEvent("chat", "{}"))
	if ok || err != nil {
		t.Errorf("DecodeUpdate(chat) = %v, %v", ok, err)
	}
	if _, ok, err := jobs.DecodeUpdate(busEvent(jobs.EventResult, "{")); !ok || err == nil {
		t.Errorf("DecodeUpdate(bad data) = %v, %v; want an error", ok, err)
	}
}

func TestMessageBodyRoundTrips(t *testing.T) {
	t.Parallel()
	id, err := jobs.ParseMessage(jobs.MessageBody("abc"))
	if err != nil || id != "abc" {
		t.Errorf("ParseMessage = %q, %v", id, err)
	}
	for _, bad := range []string{"", "{}", "not json"} {
		if _, err := jobs.ParseMessage([]byte(bad)); err == nil {
			t.Errorf("ParseMessage(%q) succeeded", bad)
		}
	}
}

func busEvent(typ, data string) bus.Event {
	return bus.Event{Type: typ, Data: json.RawMessage(data)}
}
