package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// errNotConfirmed is the cause of a Subscribe that Redis did not confirm
// within RedisOptions.Timeout.
var errNotConfirmed = errors.New("redis did not confirm the subscription in time")

// Subscribe starts a subscription to room on this node. It sends SUBSCRIBE
// and returns once Redis confirmed it, so every event published afterwards,
// on any node, reaches the subscription. It fails when the bus is closed,
// when Redis is unreachable or does not confirm within the timeout, or when
// ctx ends first.
func (r *Redis) Subscribe(ctx context.Context, room string) (Subscription, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, r.timeout, errNotConfirmed)
	defer cancel()
	s := &redisSub{bus: r, room: room, ch: make(chan Event, r.buffer), ready: make(chan struct{})}
	if err := r.join(ctx, s); err != nil {
		return nil, fmt.Errorf("subscribe to %q: %w", room, err)
	}
	var err error
	select {
	case <-s.ready:
		return s, nil
	case <-r.done:
		err = ErrClosed
	case <-ctx.Done():
		err = context.Cause(ctx)
	}
	s.Close()
	return nil, fmt.Errorf("subscribe to %q: %w", room, err)
}

// join adds s to its room and sends SUBSCRIBE for it. Every Subscribe sends
// one, even when the channel is already subscribed: Redis answers each in
// order with the channel's messages, so the confirmation marks where the
// events of s begin (see activate).
func (r *Redis) join(ctx context.Context, s *redisSub) error {
	r.cmdMu.Lock()
	defer r.cmdMu.Unlock()
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return ErrClosed
	}
	subs := r.rooms[s.room]
	if subs == nil {
		subs = make(map[*redisSub]struct{})
		r.rooms[s.room] = subs
	}
	subs[s] = struct{}{}
	r.mu.Unlock()
	if err := r.pubsub.Subscribe(ctx, r.prefix+s.room); err != nil {
		r.mu.Lock()
		r.dropLocked(s, nil)
		closed := r.closed
		r.mu.Unlock()
		r.releaseLocked(s.room)
		if closed {
			return ErrClosed
		}
		return fmt.Errorf("redis: %w", err)
	}
	return nil
}

// release unsubscribes the channel of room when no local subscription is
// left.
func (r *Redis) release(room string) {
	r.cmdMu.Lock()
	defer r.cmdMu.Unlock()
	r.releaseLocked(room)
}

// releaseLocked is release for a caller that holds cmdMu.
func (r *Redis) releaseLocked(room string) {
	r.mu.Lock()
	subs, ok := r.rooms[room]
	if !ok || len(subs) > 0 || r.closed {
		r.mu.Unlock()
		return
	}
	delete(r.rooms, room)
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	defer cancel()
	// go-redis forgets the channel even when the command fails, so a
	// reconnect does not subscribe it again.
	if err := r.pubsub.Unsubscribe(ctx, r.prefix+room); err != nil {
		r.log.Warn("bus: redis unsubscribe failed", "room", room, "err", err)
	}
}

// receive reads the SUBSCRIBE connection until Close: subscription
// confirmations activate waiting subscriptions, messages are fanned out.
// It never waits for a subscriber.
func (r *Redis) receive(msgs <-chan any) {
	defer close(r.stopped)
	for m := range msgs {
		switch m := m.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				r.activate(m.Channel)
			}
		case *redis.Message:
			r.deliver(m)
		}
	}
}

// activate starts delivery to the subscriptions of channel's room that wait
// for a confirmation. Messages read before it were published before Redis
// saw their SUBSCRIBE, so they are not theirs. A confirmation for an
// earlier SUBSCRIBE of the same room (two Subscribes racing) or after a
// reconnect also activates them, which at worst hands them events
// published up to one round trip before they subscribed.
func (r *Redis) activate(channel string) {
	room, ok := r.room(channel)
	if !ok {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for s := range r.rooms[room] {
		if !s.active {
			s.active = true
			close(s.ready)
		}
	}
}

// deliver hands the event in m to the active subscriptions of its room,
// dropping those whose buffer is full.
func (r *Redis) deliver(m *redis.Message) {
	room, ok := r.room(m.Channel)
	if !ok {
		return
	}
	var ev Event
	if err := json.Unmarshal([]byte(m.Payload), &ev); err != nil {
		r.log.Warn("bus: dropping undecodable redis message", "channel", m.Channel, "err", err)
		return
	}
	r.mu.Lock()
	emptied := false
	for s := range r.rooms[room] {
		if !s.active {
			continue
		}
		select {
		case s.ch <- ev:
		default:
			r.dropLocked(s, ErrSlowSubscriber)
			emptied = len(r.rooms[room]) == 0
		}
	}
	r.mu.Unlock()
	if emptied {
		r.release(room)
	}
}

// dropLocked removes s from its room and closes its channel with reason
// err. The caller holds r.mu; the room itself is left to release.
func (r *Redis) dropLocked(s *redisSub, err error) {
	subs := r.rooms[s.room]
	if _, ok := subs[s]; !ok {
		return
	}
	delete(subs, s)
	s.err = err
	close(s.ch)
}

// redisSub is one subscription of a Redis bus.
type redisSub struct {
	bus   *Redis
	room  string
	ch    chan Event
	ready chan struct{} // closed by activate
	// active and err are guarded by bus.mu.
	active bool
	err    error
}

func (s *redisSub) Events() <-chan Event { return s.ch }

func (s *redisSub) Err() error {
	s.bus.mu.Lock()
	defer s.bus.mu.Unlock()
	return s.err
}

func (s *redisSub) Close() {
	s.bus.mu.Lock()
	s.bus.dropLocked(s, nil)
	s.bus.mu.Unlock()
	s.bus.release(s.room)
}
