package bus

import (
	"context"
	"fmt"
	"sync"
)

// DefaultBuffer is the per-subscription buffer of a Memory bus created with
// a buffer of 0 or less.
const DefaultBuffer = 64

// Memory is a Bus within one process.
type Memory struct {
	buffer int

	mu     sync.Mutex
	rooms  map[string]map[*memorySub]struct{}
	closed bool
}

var _ Bus = (*Memory)(nil)

// NewMemory returns an in-process bus whose subscriptions buffer up to
// buffer events each (DefaultBuffer when buffer <= 0).
func NewMemory(buffer int) *Memory {
	if buffer <= 0 {
		buffer = DefaultBuffer
	}
	return &Memory{buffer: buffer, rooms: make(map[string]map[*memorySub]struct{})}
}

// Publish delivers ev to every current subscriber of room, dropping those
// whose buffer is full. Holding the bus lock while delivering gives every
// subscriber of a room the same order.
func (m *Memory) Publish(_ context.Context, room string, ev Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return fmt.Errorf("publish to %q: %w", room, ErrClosed)
	}
	for s := range m.rooms[room] {
		select {
		case s.ch <- ev:
		default:
			m.dropLocked(s, ErrSlowSubscriber)
		}
	}
	return nil
}

// Subscribe starts a subscription to room.
func (m *Memory) Subscribe(_ context.Context, room string) (Subscription, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, fmt.Errorf("subscribe to %q: %w", room, ErrClosed)
	}
	s := &memorySub{bus: m, room: room, ch: make(chan Event, m.buffer)}
	subs := m.rooms[room]
	if subs == nil {
		subs = make(map[*memorySub]struct{})
		m.rooms[room] = subs
	}
	subs[s] = struct{}{}
	return s, nil
}

// Close ends every subscription with ErrClosed and refuses further use.
func (m *Memory) Close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	for _, subs := range m.rooms {
		for s := range subs {
			m.dropLocked(s, ErrClosed)
		}
	}
}

// Subscribers returns the number of subscriptions to room.
func (m *Memory) Subscribers(room string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.rooms[room])
}

// dropLocked removes s and closes its channel with reason err. The caller
// holds m.mu, which also guards s.err and makes closing the channel race
// free with Publish.
func (m *Memory) dropLocked(s *memorySub, err error) {
	subs, ok := m.rooms[s.room]
	if !ok {
		return
	}
	if _, ok := subs[s]; !ok {
		return
	}
	delete(subs, s)
	if len(subs) == 0 {
		delete(m.rooms, s.room)
	}
	s.err = err
	close(s.ch)
}

// memorySub is one subscription of a Memory bus.
type memorySub struct {
	bus  *Memory
	room string
	ch   chan Event
	err  error // guarded by bus.mu
}

func (s *memorySub) Events() <-chan Event { return s.ch }

func (s *memorySub) Err() error {
	s.bus.mu.Lock()
	defer s.bus.mu.Unlock()
	return s.err
}

func (s *memorySub) Close() {
	s.bus.mu.Lock()
	defer s.bus.mu.Unlock()
	s.bus.dropLocked(s, nil)
}
