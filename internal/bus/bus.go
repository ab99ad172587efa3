// Package bus fans events out to the subscribers of a room.
//
// A room is any string: the collaboration rooms' UUIDs, or topics such as
// "job:<id>" that a single caller waits on. A Bus delivers each published
// event to every subscription of its room that exists when Publish is
// called; there is no history, so a late subscriber sees only later events.
//
// Delivery is at most once and never blocks the publisher: every
// subscription has a bounded buffer, and a subscriber that lets it fill up
// is dropped (its channel is closed and Err reports ErrSlowSubscriber) rather
// than silently missing single events. A dropped subscriber that still cares
// subscribes again and reads the state it missed from the store.
//
// Ordering: all subscribers of a room see its events in the same order, and
// events published by one goroutine arrive in the order they were
// published.
//
// Memory is the in-process implementation; a Redis one (for several nodes)
// satisfies the same contract.
package bus

import (
	"context"
	"encoding/json"
	"errors"
)

// ErrSlowSubscriber is reported by Subscription.Err after the bus dropped
// a subscriber whose buffer was full.
var ErrSlowSubscriber = errors.New("bus: subscriber too slow, events dropped")

// ErrClosed is returned by a Bus that was closed.
var ErrClosed = errors.New("bus: closed")

// Event is one message on the bus. Type says how to read Data, such as
// "job.status"; the publishing package owns both and their meaning.
type Event struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// Bus publishes events to rooms. Implementations are safe for concurrent
// use.
type Bus interface {
	// Publish sends ev to the current subscribers of room. It does not wait
	// for them to read it; it fails only when the bus itself cannot accept
	// events (closed, or a remote broker unreachable).
	Publish(ctx context.Context, room string, ev Event) error
	// Subscribe starts receiving the events of room published from now
	// on. The caller must Close the subscription.
	Subscribe(ctx context.Context, room string) (Subscription, error)
}

// Subscription receives the events of one room.
type Subscription interface {
	// Events delivers the room's events. It is closed after Close, when
	// the bus closes, or when the subscriber fell behind.
	Events() <-chan Event
	// Err says why Events was closed: nil after Close, ErrSlowSubscriber
	// or ErrClosed otherwise. It returns nil while Events is open.
	Err() error
	// Close stops the subscription; it is safe to call more than once.
	Close()
}
