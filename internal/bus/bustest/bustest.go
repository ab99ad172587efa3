// Package bustest is the conformance suite of bus.Bus: one set of tests
// that every implementation (Memory, Redis) must pass, so that callers can
// rely on the contract written in package bus rather than on one backend.
package bustest

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/bus"
)

// wait bounds every wait for an event; generous for -race on a busy CI.
const wait = 10 * time.Second

// Run runs the suite as parallel subtests of t. newBus returns a fresh,
// empty bus for one subtest; its subscriptions must buffer at least 8
// events, the buffer must be the capacity of Events (as for Memory and
// Redis), and the bus must have a Close() method, which the suite calls at
// the end of the subtest and may call before.
func Run(t *testing.T, newBus func(t *testing.T) bus.Bus) {
	for _, tc := range []struct {
		name string
		test func(t *testing.T, b bus.Bus)
	}{
		{"DeliversToEverySubscriberOfTheRoom", testDeliversToRoom},
		{"NoHistory", testNoHistory},
		{"SameOrderForEverySubscriber", testOrder},
		{"SlowSubscriberIsDroppedWithoutBlockingPublisher", testSlowSubscriber},
		{"SubscriptionClose", testSubscriptionClose},
		{"BusClose", testBusClose},
		{"ManyRooms", testManyRooms},
		{"ConcurrentPublishAndSubscribe", testConcurrent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := newBus(t)
			c, ok := b.(interface{ Close() })
			if !ok {
				t.Fatalf("%T has no Close method", b)
			}
			t.Cleanup(c.Close)
			tc.test(t, b)
		})
	}
}

// event returns an event whose Data is the JSON string s.
func event(s string) bus.Event {
	return bus.Event{Type: "test", Data: json.RawMessage(strconv.Quote(s))}
}

// data returns the string in the Data of an event made by event.
func data(t *testing.T, ev bus.Event) string {
	t.Helper()
	s, err := strconv.Unquote(string(ev.Data))
	if ev.Type != "test" || err != nil {
		t.Fatalf("unexpected event %q %s", ev.Type, ev.Data)
	}
	return s
}

func subscribe(t *testing.T, b bus.Bus, room string) bus.Subscription {
	t.Helper()
	s, err := b.Subscribe(t.Context(), room)
	if err != nil {
		t.Fatalf("Subscribe(%q): %v", room, err)
	}
	t.Cleanup(s.Close)
	return s
}

func publish(t *testing.T, b bus.Bus, room, s string) {
	t.Helper()
	if err := b.Publish(t.Context(), room, event(s)); err != nil {
		t.Fatalf("Publish(%q, %s): %v", room, s, err)
	}
}

// receive returns the data of the next event of s, failing t when s closes
// or nothing arrives in time.
func receive(t *testing.T, s bus.Subscription) string {
	t.Helper()
	select {
	case ev, ok := <-s.Events():
		if !ok {
			t.Fatalf("subscription closed: Err() = %v", s.Err())
		}
		return data(t, ev)
	case <-time.After(wait):
		t.Fatalf("no event within %v", wait)
	}
	return ""
}

// expectNext fails t unless the next events of s are want, in order.
func expectNext(t *testing.T, s bus.Subscription, want ...string) {
	t.Helper()
	for i, w := range want {
		if got := receive(t, s); got != w {
			t.Fatalf("event %d = %q, want %q", i, got, w)
		}
	}
}

// expectClosed drains s and fails t unless it closes with an error that
// is errWant (nil for none) after at most maxBuffered events.
func expectClosed(t *testing.T, s bus.Subscription, maxBuffered int, errWant error) {
	t.Helper()
	timeout := time.After(wait)
	for n := 0; ; n++ {
		select {
		case _, ok := <-s.Events():
			if !ok {
				if err := s.Err(); !errors.Is(err, errWant) {
					t.Fatalf("Err() = %v, want %v", err, errWant)
				}
				return
			}
			if n >= maxBuffered {
				t.Fatalf("more than %d events after the subscription should have ended", maxBuffered)
			}
		case <-timeout:
			t.Fatalf("subscription not closed within %v", wait)
		}
	}
}

func testDeliversToRoom(t *testing.T, b bus.Bus) {
	a1, a2, other := subscribe(t, b, "a"), subscribe(t, b, "a"), subscribe(t, b, "b")
	want := []string{"0", "1", "2", "3", "4"}
	for _, s := range want {
		publish(t, b, "a", s)
	}
	// Room b's first event must be its own: had it received one of room
	// a's, that would have come first.
	publish(t, b, "b", "for b")
	expectNext(t, a1, want...)
	expectNext(t, a2, want...)
	expectNext(t, other, "for b")
}

func testNoHistory(t *testing.T, b bus.Bus) {
	for _, tc := range []struct {
		name       string
		subscribed bool // the room already has a subscriber
	}{
		{"FirstSubscriber", false},
		{"RoomAlreadySubscribed", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			room := "r-" + tc.name
			if tc.subscribed {
				subscribe(t, b, room)
			}
			publish(t, b, room, "before")
			s := subscribe(t, b, room)
			publish(t, b, room, "after")
			expectNext(t, s, "after")
		})
	}
}

// testOrder publishes from several goroutines at once and checks that
// every subscriber sees one order, which keeps each publisher's order.
func testOrder(t *testing.T, b bus.Bus) {
	const publishers = 4
	subs := []bus.Subscription{subscribe(t, b, "r"), subscribe(t, b, "r"), subscribe(t, b, "r")}
	perPublisher := cap(subs[0].Events()) / publishers // never more than a buffer holds
	var wg sync.WaitGroup
	for p := range publishers {
		wg.Go(func() {
			for i := range perPublisher {
				if err := b.Publish(t.Context(), "r", event(strconv.Itoa(p*1000+i))); err != nil {
					t.Errorf("Publish: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	var first []string
	for n, s := range subs {
		var got []string
		last := map[int]int{}
		for range publishers * perPublisher {
			v, _ := strconv.Atoi(receive(t, s))
			p, i := v/1000, v%1000
			if prev, ok := last[p]; ok && i <= prev {
				t.Fatalf("subscriber %d: publisher %d's event %d after its event %d", n, p, i, prev)
			}
			last[p] = i
			got = append(got, strconv.Itoa(v))
		}
		if n == 0 {
			first = got
		} else if !slices.Equal(got, first) {
			t.Fatalf("subscriber %d saw order %v, subscriber 0 saw %v", n, got, first)
		}
	}
}

// testSlowSubscriber publishes one event more than a subscriber buffers
// while it reads nothing; a second subscriber keeps up.
func testSlowSubscriber(t *testing.T, b bus.Bus) {
	slow, fast := subscribe(t, b, "r"), subscribe(t, b, "r")
	buffered := cap(slow.Events())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range buffered + 3 {
			if err := b.Publish(context.Background(), "r", event(strconv.Itoa(i))); err != nil {
				t.Errorf("Publish: %v", err)
				return
			}
			// Reading each event before the next publish keeps fast
			// within its buffer, and proves the bus already offered
			// the event to slow as well.
			select {
			case ev, ok := <-fast.Events():
				if !ok || string(ev.Data) != strconv.Quote(strconv.Itoa(i)) {
					t.Errorf("fast subscriber: event %d = %s, open %v (Err %v)", i, ev.Data, ok, fast.Err())
					return
				}
			case <-time.After(wait):
				t.Errorf("fast subscriber: no event %d", i)
				return
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(2 * wait):
		t.Fatal("publisher blocked on a full subscriber")
	}
	for i := range buffered {
		if got := receive(t, slow); got != strconv.Itoa(i) {
			t.Fatalf("slow subscriber's buffered event %d = %s", i, got)
		}
	}
	expectClosed(t, slow, 0, bus.ErrSlowSubscriber)
	publish(t, b, "r", "still open")
	expectNext(t, fast, "still open")
}

func testSubscriptionClose(t *testing.T, b bus.Bus) {
	stays, leaves := subscribe(t, b, "r"), subscribe(t, b, "r")
	if err := leaves.Err(); err != nil {
		t.Fatalf("Err() of an open subscription = %v", err)
	}
	leaves.Close()
	leaves.Close()
	expectClosed(t, leaves, 0, nil)
	publish(t, b, "r", "1")
	expectNext(t, stays, "1")

	stays.Close()
	expectClosed(t, stays, 0, nil)
	again := subscribe(t, b, "r")
	publish(t, b, "r", "2")
	expectNext(t, again, "2")
}

func testBusClose(t *testing.T, b bus.Bus) {
	s := subscribe(t, b, "r")
	b.(interface{ Close() }).Close()
	expectClosed(t, s, 0, bus.ErrClosed)
	s.Close()
	if err := s.Err(); !errors.Is(err, bus.ErrClosed) {
		t.Errorf("Err() after bus and subscription Close = %v, want ErrClosed", err)
	}
	if err := b.Publish(t.Context(), "r", event("x")); !errors.Is(err, bus.ErrClosed) {
		t.Errorf("Publish after Close = %v, want ErrClosed", err)
	}
	if _, err := b.Subscribe(t.Context(), "r"); !errors.Is(err, bus.ErrClosed) {
		t.Errorf("Subscribe after Close = %v, want ErrClosed", err)
	}
	b.(interface{ Close() }).Close()
}

func testManyRooms(t *testing.T, b bus.Bus) {
	const rooms = 200
	subs := make([]bus.Subscription, rooms)
	for i := range subs {
		subs[i] = subscribe(t, b, "room-"+strconv.Itoa(i))
	}
	for i := range rooms {
		publish(t, b, "room-"+strconv.Itoa(i), strconv.Itoa(i))
	}
	for i, s := range subs {
		expectNext(t, s, strconv.Itoa(i))
	}
}

// testConcurrent subscribes, publishes and closes from many goroutines on
// a few rooms; run with -race it checks the implementation's locking. A
// subscriber may be dropped as slow here, which the contract allows.
func testConcurrent(t *testing.T, b bus.Bus) {
	const goroutines, rounds, rooms = 8, 25, 3
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range rounds {
				room := "r" + strconv.Itoa((g+i)%rooms)
				s, err := b.Subscribe(t.Context(), room)
				if err != nil {
					t.Errorf("Subscribe: %v", err)
					return
				}
				mine := strconv.Itoa(g*1000 + i)
				if err := b.Publish(t.Context(), room, event(mine)); err != nil {
					t.Errorf("Publish: %v", err)
				}
				if !awaitOwn(s, mine) && !errors.Is(s.Err(), bus.ErrSlowSubscriber) {
					t.Errorf("goroutine %d round %d: own event not received (Err %v)", g, i, s.Err())
				}
				s.Close()
			}
		})
	}
	wg.Wait()
}

// awaitOwn reads s until the event with data mine, reporting whether it
// arrived before s closed or the wait ran out.
func awaitOwn(s bus.Subscription, mine string) bool {
	want := strconv.Quote(mine)
	timeout := time.After(wait)
	for {
		select {
		case ev, ok := <-s.Events():
			if !ok {
				return false
			}
			if string(ev.Data) == want {
				return true
			}
		case <-timeout:
			return false
		}
	}
}
