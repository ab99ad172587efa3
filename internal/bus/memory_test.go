package bus_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/bus"
)

func event(i int) bus.Event {
	return bus.Event{Type: "test", Data: json.RawMessage(fmt.Sprint(i))}
}

func subscribe(t *testing.T, b bus.Bus, room string) bus.Subscription {
	t.Helper()
	s, err := b.Subscribe(context.Background(), room)
	if err != nil {
		t.Fatalf("Subscribe(%q): %v", room, err)
	}
	t.Cleanup(s.Close)
	return s
}

func receive(t *testing.T, s bus.Subscription) bus.Event {
	t.Helper()
	select {
	case ev, ok := <-s.Events():
		if !ok {
			t.Fatalf("subscription closed: %v", s.Err())
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5s")
	}
	return bus.Event{}
}

func TestMemoryDeliversToEverySubscriberOfTheRoomInOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := bus.NewMemory(16)
	a1, a2 := subscribe(t, b, "a"), subscribe(t, b, "a")
	other := subscribe(t, b, "b")
	for i := range 10 {
		if err := b.Publish(ctx, "a", event(i)); err != nil {
			t.Fatalf("Publish: %v", err)
		}
	}
	for _, s := range []bus.Subscription{a1, a2} {
		for i := range 10 {
			if got := string(receive(t, s).Data); got != fmt.Sprint(i) {
				t.Fatalf("event %d: got %s", i, got)
			}
		}
	}
	select {
	case ev := <-other.Events():
		t.Fatalf("room b received %v published to room a", ev)
	default:
	}
}

func TestMemoryLateSubscriberSeesOnlyLaterEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := bus.NewMemory(4)
	if err := b.Publish(ctx, "r", event(1)); err != nil {
		t.Fatal(err)
	}
	s := subscribe(t, b, "r")
	if err := b.Publish(ctx, "r", event(2)); err != nil {
		t.Fatal(err)
	}
	if got := string(receive(t, s).Data); got != "2" {
		t.Fatalf("got %s, want 2", got)
	}
}

func TestMemoryDropsSlowSubscriberWithoutBlocking(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := bus.NewMemory(2)
	slow, fast := subscribe(t, b, "r"), subscribe(t, b, "r")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 5 {
			if err := b.Publish(ctx, "r", event(i)); err != nil {
				t.Errorf("Publish: %v", err)
			}
			if i < 2 {
				receive(t, fast)
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Publish blocked on a full subscriber")
	}
	n := 0
	for range slow.Events() {
		n++
	}
	if n != 2 {
		t.Errorf("slow subscriber got %d buffered events, want 2", n)
	}
	if !errors.Is(slow.Err(), bus.ErrSlowSubscriber) {
		t.Errorf("Err() = %v, want ErrSlowSubscriber", slow.Err())
	}
	if got := b.Subscribers("r"); got != 0 {
		t.Errorf("Subscribers = %d after both were dropped, want 0", got)
	}
}

func TestMemoryCloseAndErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := bus.NewMemory(0)
	s := subscribe(t, b, "r")
	s.Close()
	s.Close()
	if _, ok := <-s.Events(); ok {
		t.Fatal("Events open after Close")
	}
	if s.Err() != nil {
		t.Errorf("Err() after Close = %v, want nil", s.Err())
	}
	if b.Subscribers("r") != 0 {
		t.Error("closed subscription still counted")
	}

	open := subscribe(t, b, "r")
	b.Close()
	if _, ok := <-open.Events(); ok || !errors.Is(open.Err(), bus.ErrClosed) {
		t.Errorf("after bus Close: Err() = %v, want ErrClosed", open.Err())
	}
	if err := b.Publish(ctx, "r", event(0)); !errors.Is(err, bus.ErrClosed) {
		t.Errorf("Publish after Close = %v, want ErrClosed", err)
	}
	if _, err := b.Subscribe(ctx, "r"); !errors.Is(err, bus.ErrClosed) {
		t.Errorf("Subscribe after Close = %v, want ErrClosed", err)
	}
}

func BenchmarkMemoryPublish(b *testing.B) {
	for _, subs := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("subscribers=%d", subs), func(b *testing.B) {
			ctx := context.Background()
			m := bus.NewMemory(1024)
			var drained sync.WaitGroup
			for range subs {
				s, err := m.Subscribe(ctx, "r")
				if err != nil {
					b.Fatal(err)
				}
				drained.Go(func() {
					for range s.Events() {
					}
				})
			}
			ev := event(1)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := m.Publish(ctx, "r", ev); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			m.Close()
			drained.Wait()
		})
	}
}
