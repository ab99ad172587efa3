// Package queuetest is the conformance suite that every queue.Queue
// implementation passes, so that callers can rely on the contract written
// in package queue rather than on one backend's behaviour.
//
// Timings are in whole seconds where it matters (SQS counts visibility in
// seconds), so the suite takes about ten seconds; its tests run in parallel.
package queuetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/queue"
)

// NewQueue returns a new, empty queue whose received messages stay hidden for
// visibility. It closes the queue when t ends. It is called from parallel
// tests.
type NewQueue func(t *testing.T, visibility time.Duration) queue.Queue

// Short and long visibility timeouts used by the suite.
const (
	shortVisibility = time.Second
	longVisibility  = 60 * time.Second
)

// Skip names a test of the suite that a backend skips, and says why. Use it
// for a known defect of a test server, never of the implementation.
type Skip struct {
	Test   string
	Reason string
}

// Run runs the tests that every queue passes, standard or FIFO. Messages
// that must be received together are sent in distinct groups.
func Run(t *testing.T, newQueue NewQueue, skips ...Skip) {
	tests := []suiteTest{
		{"SendReceiveDelete", testSendReceiveDelete},
		{"VisibilityTimeoutRedelivers", testVisibilityTimeoutRedelivers},
		{"ExtendKeepsHidden", testExtendKeepsHidden},
		{"LongPollWakesOnSend", testLongPollWakesOnSend},
		{"LongPollTimesOutEmpty", testLongPollTimesOutEmpty},
		{"ContextCancelsReceive", testContextCancelsReceive},
		{"ConcurrentReceiversExclusive", testConcurrentReceiversExclusive},
		{"StaleReceipt", testStaleReceipt},
		{"Depth", testDepth},
		{"Close", testClose},
	}
	run(t, newQueue, tests, skips)
}

type suiteTest struct {
	name string
	test func(t *testing.T, newQueue NewQueue)
}

func run(t *testing.T, newQueue NewQueue, tests []suiteTest, skips []Skip) {
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, s := range skips {
				if s.Test == tt.name {
					t.Skip(s.Reason)
				}
			}
			tt.test(t, newQueue)
		})
	}
}

func testSendReceiveDelete(t *testing.T, newQueue NewQueue) {
	ctx := context.Background()
	q := newQueue(t, longVisibility)
	want := map[string]bool{"a": true, "b": true, "c": true}
	for body := range want {
		send(t, q, body, queue.SendOptions{GroupID: body, DedupID: body})
	}
	msgs := receiveN(t, q, len(want), 10*time.Second)
	ids := map[string]bool{}
	for _, m := range msgs {
		if !want[string(m.Body)] {
			t.Errorf("received body %q, want one of %v", m.Body, want)
		}
		delete(want, string(m.Body))
		if m.ID == "" || m.Receipt == "" || ids[m.ID] {
			t.Errorf("message %+v: empty or repeated ID, or empty receipt", m)
		}
		ids[m.ID] = true
		if m.ReceiveCount != 1 {
			t.Errorf("message %q: ReceiveCount = %d, want 1", m.Body, m.ReceiveCount)
		}
		if err := q.Delete(ctx, m); err != nil {
			t.Errorf("Delete(%q): %v", m.Body, err)
		}
	}
	expectEmpty(t, q, 0)
	if err := q.Delete(ctx, msgs[0]); err != nil {
		t.Errorf("second Delete of a deleted message: %v, want nil", err)
	}
}

func testVisibilityTimeoutRedelivers(t *testing.T, newQueue NewQueue) {
	q := newQueue(t, shortVisibility)
	send(t, q, "job", queue.SendOptions{})
	// The message is hidden at some moment during the first receive, so
	// it may not reappear before start plus the visibility timeout; a slow
	// machine can only make the redelivery later, never earlier.
	start := time.Now()
	first := receiveN(t, q, 1, 5*time.Second)[0]
	again := receiveN(t, q, 1, 5*shortVisibility)[0]
	if elapsed := time.Since(start); elapsed < shortVisibility {
		t.Errorf("redelivered %v after the first receive began, before the visibility timeout %v", elapsed, shortVisibility)
	}
	if again.ID != first.ID || string(again.Body) != "job" {
		t.Errorf("redelivered %+v, want message %s with body job", again, first.ID)
	}
	if again.ReceiveCount != first.ReceiveCount+1 {
		t.Errorf("ReceiveCount = %d after %d, want one more", again.ReceiveCount, first.ReceiveCount)
	}
	if again.Receipt == first.Receipt {
		t.Error("redelivery kept the receipt of the first delivery")
	}
	if err := q.Delete(context.Background(), again); err != nil {
		t.Errorf("Delete: %v", err)
	}
}

func testExtendKeepsHidden(t *testing.T, newQueue NewQueue) {
	ctx := context.Background()
	q := newQueue(t, shortVisibility)
	send(t, q, "job", queue.SendOptions{})
	m := receiveN(t, q, 1, 5*time.Second)[0]
	if err := q.Extend(ctx, m, 4*shortVisibility); err != nil {
		t.Fatalf("Extend: %v", err)
	}
	expectEmpty(t, q, 2*shortVisibility) // past the first timeout
	if err := q.Extend(ctx, m, 0); err != nil {
		t.Fatalf("Extend to 0: %v", err)
	}
	again := receiveN(t, q, 1, 5*time.Second)[0]
	// Greater, not one more: local-aws-sqs counts each Extend as a receive.
	if again.ID != m.ID || again.ReceiveCount <= m.ReceiveCount {
		t.Errorf("after Extend to 0 received %+v, want message %s again", again, m.ID)
	}
	if err := q.Delete(ctx, again); err != nil {
		t.Errorf("Delete: %v", err)
	}
}

func testLongPollWakesOnSend(t *testing.T, newQueue NewQueue) {
	q := newQueue(t, longVisibility)
	type result struct {
		msgs []queue.Message
		err  error
	}
	got := make(chan result, 1)
	go func() {
		msgs, err := q.Receive(context.Background(), 1, 20*time.Second)
		got <- result{msgs, err}
	}()
	time.Sleep(300 * time.Millisecond) // let the receiver start waiting
	send(t, q, "wake", queue.SendOptions{})
	r := <-got
	if r.err != nil || len(r.msgs) != 1 || string(r.msgs[0].Body) != "wake" {
		t.Fatalf("Receive = %v, %v; want the message sent while it waited", r.msgs, r.err)
	}
}

func testLongPollTimesOutEmpty(t *testing.T, newQueue NewQueue) {
	q := newQueue(t, longVisibility)
	start := time.Now()
	msgs, err := q.Receive(context.Background(), 5, time.Second)
	elapsed := time.Since(start)
	if err != nil || len(msgs) != 0 {
		t.Fatalf("Receive on an empty queue = %v, %v; want nothing, nil", msgs, err)
	}
	if elapsed < 900*time.Millisecond || elapsed > 30*time.Second {
		t.Errorf("Receive with wait 1s returned after %v", elapsed)
	}
}

func testContextCancelsReceive(t *testing.T, newQueue NewQueue) {
	q := newQueue(t, longVisibility)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := q.Receive(ctx, 1, 10*time.Second)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Receive with an expiring context: err = %v, want one wrapping context.DeadlineExceeded", err)
	}
	if elapsed := time.Since(start); elapsed > 9*time.Second {
		t.Errorf("Receive returned %v after start: the context's 300ms did not end it before its 10s wait", elapsed)
	}
}

// testConcurrentReceiversExclusive checks that concurrent receivers never
// hold the same message at once: with a long visibility timeout, each
// message is delivered exactly once.
func testConcurrentReceiversExclusive(t *testing.T, newQueue NewQueue) {
	const messages, receivers = 40, 4
	q := newQueue(t, longVisibility)
	for i := range messages {
		send(t, q, fmt.Sprint(i), queue.SendOptions{GroupID: fmt.Sprint(i % 8), DedupID: fmt.Sprint("m", i)})
	}
	var (
		mu   sync.Mutex
		seen = map[string]int{}
		wg   sync.WaitGroup
	)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for range receivers {
		wg.Go(func() {
			for ctx.Err() == nil {
				mu.Lock()
				done := len(seen) == messages
				mu.Unlock()
				if done {
					return
				}
				msgs, err := q.Receive(ctx, 3, 200*time.Millisecond)
				if err != nil {
					if ctx.Err() == nil {
						t.Errorf("Receive: %v", err)
					}
					return
				}
				for _, m := range msgs {
					mu.Lock()
					seen[string(m.Body)]++
					mu.Unlock()
					if err := q.Delete(ctx, m); err != nil {
						t.Errorf("Delete: %v", err)
					}
				}
			}
		})
	}
	wg.Wait()
	if len(seen) != messages {
		t.Errorf("receivers got %d distinct messages of %d", len(seen), messages)
	}
	for body, n := range seen {
		if n != 1 {
			t.Errorf("message %s delivered %d times within its visibility timeout", body, n)
		}
	}
}

// testStaleReceipt checks that a receiver whose timeout lapsed cannot
// disturb the next delivery: its Extend and Delete fail with
// ErrReceiptExpired or do nothing harmful, and the new receipt still works.
func testStaleReceipt(t *testing.T, newQueue NewQueue) {
	ctx := context.Background()
	q := newQueue(t, shortVisibility)
	send(t, q, "job", queue.SendOptions{})
	stale := receiveN(t, q, 1, 5*time.Second)[0]
	current := receiveN(t, q, 1, 5*shortVisibility)[0]
	if current.ID != stale.ID {
		t.Fatalf("redelivered message %s, want %s", current.ID, stale.ID)
	}
	if err := q.Extend(ctx, stale, 0); err != nil && !errors.Is(err, queue.ErrReceiptExpired) {
		t.Errorf("Extend with a stale receipt: %v, want nil or ErrReceiptExpired", err)
	}
	if err := q.Delete(ctx, stale); err != nil && !errors.Is(err, queue.ErrReceiptExpired) {
		t.Errorf("Delete with a stale receipt: %v, want nil or ErrReceiptExpired", err)
	}
	if err := q.Delete(ctx, current); err != nil {
		t.Errorf("Delete with the current receipt: %v", err)
	}
	expectEmpty(t, q, 2*shortVisibility)
}

func testDepth(t *testing.T, newQueue NewQueue) {
	ctx := context.Background()
	q := newQueue(t, longVisibility)
	expectDepth(t, q, 0)
	for i := range 3 {
		send(t, q, fmt.Sprint(i), queue.SendOptions{GroupID: fmt.Sprint(i), DedupID: fmt.Sprint(i)})
	}
	expectDepth(t, q, 3)
	for _, m := range receiveN(t, q, 3, 10*time.Second) {
		if err := q.Delete(ctx, m); err != nil {
			t.Fatalf("Delete: %v", err)
		}
	}
	expectDepth(t, q, 0)
}

func testClose(t *testing.T, newQueue NewQueue) {
	ctx := context.Background()
	q := newQueue(t, longVisibility)
	got := make(chan error, 1)
	go func() {
		_, err := q.Receive(ctx, 1, 10*time.Second)
		got <- err
	}()
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	if err := q.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-got:
		if !errors.Is(err, queue.ErrClosed) {
			t.Errorf("waiting Receive after Close: %v, want ErrClosed", err)
		}
	case <-time.After(9 * time.Second):
		t.Fatalf("waiting Receive did not return %v after Close, before its own 10s wait ended", time.Since(start))
	}
	if err := q.Send(ctx, []byte("x"), queue.SendOptions{}); !errors.Is(err, queue.ErrClosed) {
		t.Errorf("Send after Close: %v, want ErrClosed", err)
	}
	if err := q.Close(); err != nil {
		t.Errorf("second Close: %v, want nil", err)
	}
}
