package queuetest

import (
	"context"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/queue"
)

func send(t *testing.T, q queue.Queue, body string, opts queue.SendOptions) {
	t.Helper()
	if err := q.Send(context.Background(), []byte(body), opts); err != nil {
		t.Fatalf("Send(%q): %v", body, err)
	}
}

// receiveN receives until it holds n messages, failing t after within.
func receiveN(t *testing.T, q queue.Queue, n int, within time.Duration) []queue.Message {
	t.Helper()
	var got []queue.Message
	deadline := time.Now().Add(within)
	for len(got) < n {
		wait := min(time.Until(deadline), time.Second)
		if wait <= 0 {
			t.Fatalf("received %d of %d messages within %v", len(got), n, within)
		}
		msgs, err := q.Receive(context.Background(), n-len(got), wait)
		if err != nil {
			t.Fatalf("Receive: %v", err)
		}
		got = append(got, msgs...)
	}
	if len(got) > n {
		t.Fatalf("received %d messages, asked for at most %d", len(got), n)
	}
	return got
}

// expectEmpty fails t if a Receive waiting up to wait gets a message.
func expectEmpty(t *testing.T, q queue.Queue, wait time.Duration) {
	t.Helper()
	msgs, err := q.Receive(context.Background(), 10, wait)
	if err != nil {
		t.Fatalf("Receive: %v", err)
	}
	if len(msgs) > 0 {
		t.Fatalf("received %d messages (first %q, count %d), want none", len(msgs), msgs[0].Body, msgs[0].ReceiveCount)
	}
}

// expectDepth fails t unless Depth reaches want within two seconds (it is
// approximate on SQS).
func expectDepth(t *testing.T, q queue.Queue, want int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		got, err := q.Depth(context.Background())
		if err != nil {
			t.Fatalf("Depth: %v", err)
		}
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Depth = %d, want %d", got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
