package queue_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/queue"
	"github.com/kaicode/kaicode/internal/testenv"
)

func TestSQLiteOptionsValidation(t *testing.T) {
	t.Parallel()
	db := testenv.SQLite(t)
	tests := []struct {
		name      string
		opts      queue.SQLiteOptions
		wantField string // empty: valid
	}{
		{"zero value", queue.SQLiteOptions{}, ""},
		{"negative visibility", queue.SQLiteOptions{VisibilityTimeout: -time.Second}, "VisibilityTimeout"},
		{"sub-millisecond visibility", queue.SQLiteOptions{VisibilityTimeout: time.Microsecond}, "VisibilityTimeout"},
		{"negative poll interval", queue.SQLiteOptions{PollInterval: -1}, "PollInterval"},
		{"no dead letters", queue.SQLiteOptions{MaxReceives: -1}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := queue.NewSQLite(context.Background(), db, tt.opts)
			if tt.wantField == "" && err != nil {
				t.Fatalf("NewSQLite: %v", err)
			}
			if tt.wantField != "" && (err == nil || !strings.Contains(err.Error(), tt.wantField)) {
				t.Fatalf("NewSQLite: err = %v, want one naming %s", err, tt.wantField)
			}
		})
	}
}

func TestSQLiteDeadLetters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	q := newSQLite(t, queue.SQLiteOptions{VisibilityTimeout: 20 * time.Millisecond, MaxReceives: 2})
	if err := q.Send(ctx, []byte("poison"), queue.SendOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := q.Send(ctx, []byte("fine"), queue.SendOptions{}); err != nil {
		t.Fatal(err)
	}
	counts := map[string][]int{}
	deadline := time.Now().Add(5 * time.Second)
	for len(counts["fine"]) == 0 || len(counts["poison"]) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("deliveries so far: %v", counts)
		}
		msgs, err := q.Receive(ctx, 10, 100*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			counts[string(m.Body)] = append(counts[string(m.Body)], m.ReceiveCount)
			if string(m.Body) == "fine" {
				if err := q.Delete(ctx, m); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	// The third receive moves the poison message to the dead letters.
	msgs, err := q.Receive(ctx, 10, 200*time.Millisecond)
	if err != nil || len(msgs) != 0 {
		t.Fatalf("Receive after MaxReceives = %v, %v; want nothing", msgs, err)
	}
	if got := fmt.Sprint(counts["poison"]); got != "[1 2]" {
		t.Errorf("poison message receive counts = %s, want [1 2]", got)
	}
	dead, err := q.DeadLetters(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(dead) != 1 || string(dead[0].Body) != "poison" || dead[0].ReceiveCount != 2 || dead[0].DeadAt.Before(dead[0].SentAt) {
		t.Fatalf("DeadLetters = %+v, want the poison message received twice", dead)
	}
	if n, err := q.Depth(ctx); err != nil || n != 0 {
		t.Errorf("Depth = %d, %v; want 0", n, err)
	}
}

func TestSQLiteStaleReceiptIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	q := newSQLite(t, queue.SQLiteOptions{VisibilityTimeout: 50 * time.Millisecond})
	if err := q.Send(ctx, []byte("job"), queue.SendOptions{}); err != nil {
		t.Fatal(err)
	}
	stale := receiveOne(t, q, time.Second)
	current := receiveOne(t, q, time.Second)
	for name, err := range map[string]error{
		"Extend": q.Extend(ctx, stale, time.Minute),
		"Delete": q.Delete(ctx, stale),
	} {
		if !errors.Is(err, queue.ErrReceiptExpired) {
			t.Errorf("%s with a stale receipt: %v, want ErrReceiptExpired", name, err)
		}
	}
	if err := q.Extend(ctx, current, time.Minute); err != nil {
		t.Errorf("Extend with the current receipt: %v", err)
	}
	if err := q.Delete(ctx, current); err != nil {
		t.Errorf("Delete with the current receipt: %v", err)
	}
	if err := q.Extend(ctx, current, time.Minute); !errors.Is(err, queue.ErrReceiptExpired) {
		t.Errorf("Extend of a deleted message: %v, want ErrReceiptExpired", err)
	}
}

func TestSQLiteDepthCountsOnlyVisible(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	q := newSQLite(t, queue.SQLiteOptions{})
	for i := range 3 {
		if err := q.Send(ctx, []byte(fmt.Sprint(i)), queue.SendOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	receiveOne(t, q, time.Second)
	if n, err := q.Depth(ctx); err != nil || n != 2 {
		t.Errorf("Depth with one of three in flight = %d, %v; want 2", n, err)
	}
}

func TestSQLiteQueuesShareTablesApart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.SQLite(t)
	a, err := queue.NewSQLite(ctx, db, queue.SQLiteOptions{Name: "a"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := queue.NewSQLite(ctx, db, queue.SQLiteOptions{Name: "b"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Send(ctx, []byte("for a"), queue.SendOptions{}); err != nil {
		t.Fatal(err)
	}
	if msgs, err := b.Receive(ctx, 1, 0); err != nil || len(msgs) != 0 {
		t.Errorf("queue b received %v, %v; want nothing", msgs, err)
	}
	if m := receiveOne(t, a, time.Second); string(m.Body) != "for a" {
		t.Errorf("queue a received %q", m.Body)
	}
}

// TestSQLiteSurvivesRestart reopens the data file and finds the message
// still in flight with its receive count.
func TestSQLiteSurvivesRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	opts := queue.SQLiteOptions{VisibilityTimeout: 200 * time.Millisecond}

	db := testenv.OpenSQLite(t, path)
	q, err := queue.NewSQLite(ctx, db, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Send(ctx, []byte("durable"), queue.SendOptions{}); err != nil {
		t.Fatal(err)
	}
	first := receiveOne(t, q, time.Second)
	q.Close()
	db.Close()

	q, err = queue.NewSQLite(ctx, testenv.OpenSQLite(t, path), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if msgs, err := q.Receive(ctx, 1, 0); err != nil || len(msgs) != 0 {
		t.Fatalf("after restart received %v, %v; want the message still hidden", msgs, err)
	}
	again := receiveOne(t, q, 2*time.Second)
	if again.ID != first.ID || string(again.Body) != "durable" || again.ReceiveCount != 2 {
		t.Fatalf("after restart received %+v, want message %s with ReceiveCount 2", again, first.ID)
	}
}

func receiveOne(t *testing.T, q queue.Queue, wait time.Duration) queue.Message {
	t.Helper()
	msgs, err := q.Receive(context.Background(), 1, wait)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("Receive = %v, %v; want one message", msgs, err)
	}
	return msgs[0]
}

// The cross-process test runs copies of the test binary as receivers.
const (
	childEnv      = "KAICODE_QUEUE_TEST_CHILD_DB"
	childMessages = 150
)

// TestSQLiteAcrossProcesses has three processes receive from one file at
// once; each message must reach exactly one of them.
func TestSQLiteAcrossProcesses(t *testing.T) {
	if path := os.Getenv(childEnv); path != "" {
		receiveAsChild(t, path)
		return
	}
	if testing.Short() {
		t.Skip("starts child processes")
	}
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	q, err := queue.NewSQLite(ctx, testenv.OpenSQLite(t, path), queue.SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range childMessages {
		if err := q.Send(ctx, []byte(fmt.Sprint(i)), queue.SendOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	outs := make([]strings.Builder, 3)
	cmds := make([]*exec.Cmd, len(outs))
	for i := range cmds {
		cmds[i] = exec.Command(os.Args[0], "-test.run=^TestSQLiteAcrossProcesses$", "-test.v")
		cmds[i].Env = append(os.Environ(), childEnv+"="+path)
		cmds[i].Stdout = &outs[i]
		cmds[i].Stderr = &outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]int{}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("child %d: %v\n%s", i, err, outs[i].String())
		}
		var got int
		for line := range strings.Lines(outs[i].String()) {
			if body, ok := strings.CutPrefix(strings.TrimSpace(line), "got "); ok {
				seen[body]++
				got++
			}
		}
		t.Logf("child %d received %d messages", i, got)
	}
	if len(seen) != childMessages {
		t.Errorf("children received %d distinct messages, want %d", len(seen), childMessages)
	}
	for body, n := range seen {
		if n != 1 {
			t.Errorf("message %s received %d times", body, n)
		}
	}
}

// receiveAsChild receives and deletes until the queue stays empty, printing
// each body.
func receiveAsChild(t *testing.T, path string) {
	ctx := context.Background()
	q, err := queue.NewSQLite(ctx, testenv.OpenSQLite(t, path), queue.SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for {
		msgs, err := q.Receive(ctx, 2, 500*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) == 0 {
			return
		}
		for _, m := range msgs {
			fmt.Printf("got %s\n", m.Body)
			if err := q.Delete(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestSQLiteSendWakesReceiverInProcess shows that a waiting Receive is woken
// by a Send through the same queue, not by its poll: the poll interval is
// far longer than the test.
func TestSQLiteSendWakesReceiverInProcess(t *testing.T) {
	t.Parallel()
	q := newSQLite(t, queue.SQLiteOptions{PollInterval: time.Hour})
	got := make(chan []queue.Message, 1)
	go func() {
		msgs, err := q.Receive(context.Background(), 1, 30*time.Second)
		if err != nil {
			t.Errorf("Receive: %v", err)
		}
		got <- msgs
	}()
	time.Sleep(200 * time.Millisecond) // let the receiver start waiting
	if err := q.Send(context.Background(), []byte("wake"), queue.SendOptions{}); err != nil {
		t.Fatal(err)
	}
	if msgs := <-got; len(msgs) != 1 || string(msgs[0].Body) != "wake" {
		t.Fatalf("Receive = %v, want the message sent while it waited", msgs)
	}
}
