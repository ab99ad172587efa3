package queuetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/queue"
)

// RunFIFO runs the tests of FIFO ordering and deduplication. newQueue
// returns FIFO queues. Run the common tests with Run as well.
func RunFIFO(t *testing.T, newQueue NewQueue, skips ...Skip) {
	tests := []suiteTest{
		{"OrderWithinGroup", testOrderWithinGroup},
		{"GroupHeldWhileInFlight", testGroupHeldWhileInFlight},
		{"Dedup", testDedup},
	}
	run(t, newQueue, tests, skips)
}

func testOrderWithinGroup(t *testing.T, newQueue NewQueue) {
	const perGroup = 4
	q := newQueue(t, longVisibility)
	for i := range perGroup {
		for _, g := range []string{"a", "b"} {
			send(t, q, fmt.Sprint(g, i), queue.SendOptions{GroupID: g, DedupID: fmt.Sprint(g, i)})
		}
	}
	got := map[string][]string{}
	deadline := time.Now().Add(20 * time.Second)
	for n := 0; n < 2*perGroup; {
		if time.Now().After(deadline) {
			t.Fatalf("received %d of %d messages in time: %v", n, 2*perGroup, got)
		}
		msgs, err := q.Receive(context.Background(), 10, time.Second)
		if err != nil {
			t.Fatalf("Receive: %v", err)
		}
		for _, m := range msgs {
			g := string(m.Body[:1])
			got[g] = append(got[g], string(m.Body))
			if err := q.Delete(context.Background(), m); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			n++
		}
	}
	for _, g := range []string{"a", "b"} {
		want := make([]string, perGroup)
		for i := range want {
			want[i] = fmt.Sprint(g, i)
		}
		if !slices.Equal(got[g], want) {
			t.Errorf("group %s delivered in order %v, want %v", g, got[g], want)
		}
	}
}

func testGroupHeldWhileInFlight(t *testing.T, newQueue NewQueue) {
	ctx := context.Background()
	q := newQueue(t, longVisibility)
	send(t, q, "first", queue.SendOptions{GroupID: "room", DedupID: "1"})
	send(t, q, "second", queue.SendOptions{GroupID: "room", DedupID: "2"})
	first := receiveN(t, q, 1, 5*time.Second)[0]
	if string(first.Body) != "first" {
		t.Fatalf("received %q first, want first", first.Body)
	}
	expectEmpty(t, q, time.Second)
	if err := q.Delete(ctx, first); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if second := receiveN(t, q, 1, 5*time.Second)[0]; string(second.Body) != "second" {
		t.Errorf("received %q after deleting first, want second", second.Body)
	}
}

func testDedup(t *testing.T, newQueue NewQueue) {
	q := newQueue(t, longVisibility)
	for range 2 {
		send(t, q, "job", queue.SendOptions{GroupID: "room", DedupID: "job-1"})
	}
	m := receiveN(t, q, 1, 5*time.Second)[0]
	if err := q.Delete(context.Background(), m); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	expectEmpty(t, q, time.Second)
}
