package bus

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultRedisPrefix is the channel prefix of a Redis bus created with an
// empty RedisOptions.Prefix.
const DefaultRedisPrefix = "kaicode:room:"

// defaultRedisTimeout bounds dialing, each command and Subscribe's wait for
// Redis to confirm when RedisOptions.Timeout is zero.
const defaultRedisTimeout = 5 * time.Second

// RedisOptions configures NewRedis.
type RedisOptions struct {
	// URL names the server: redis://[user:password@]host:port/db,
	// rediss:// for TLS, or unix:///path/to/redis.sock. Required.
	URL string
	// Password authenticates when the URL carries none. Default empty.
	Password string
	// Prefix is prepended to a room to make its Redis channel, so that
	// several applications (or test runs) can share one server. Default
	// DefaultRedisPrefix.
	Prefix string
	// Buffer is the number of events each subscription buffers before it
	// is dropped as slow. Default DefaultBuffer.
	Buffer int
	// Timeout bounds dialing, each Redis command and Subscribe's wait for
	// Redis to confirm the subscription. Default 5s.
	Timeout time.Duration
	// Logger receives failures that no caller can be told about, such as
	// an undecodable message. Default: discarded.
	Logger *slog.Logger
}

// Redis is a Bus shared by every node connected to one Redis server,
// through Redis pub/sub. Each room is the channel Prefix+room.
//
// A node holds one client for PUBLISH (a small connection pool) and one
// SUBSCRIBE connection multiplexing every room with local subscribers: the
// first local Subscribe to a room subscribes the channel, and the Close of
// the last one unsubscribes it. One goroutine reads that connection and
// hands each event to the room's local subscriptions without waiting, with
// the buffer and slow-subscriber rule of Memory. Ordering is Redis's: it
// delivers a channel's messages to every node in the order it accepted the
// PUBLISH commands, so all subscribers of a room see the same order.
//
// Delivery is at most once. When the SUBSCRIBE connection breaks, go-redis
// reconnects with backoff and subscribes the rooms again; events published
// meanwhile are lost, and subscriptions stay open and simply receive
// nothing for that time (they are not closed and Err stays nil). Callers
// that must not miss a state change read it from the store after a gap, as
// for a dropped slow subscriber. While Redis is unreachable Publish and
// Subscribe fail.
//
// Redis is safe for concurrent use.
type Redis struct {
	prefix  string
	buffer  int
	timeout time.Duration
	log     *slog.Logger
	client  *redis.Client
	pubsub  *redis.PubSub
	done    chan struct{} // closed by Close
	stopped chan struct{} // closed when the receive loop returns

	// cmdMu serializes changes to which rooms exist with the SUBSCRIBE and
	// UNSUBSCRIBE commands they cause, so that Redis sees them in the same
	// order. It is taken before mu.
	cmdMu sync.Mutex

	mu     sync.Mutex
	rooms  map[string]map[*redisSub]struct{} // room exists iff its channel is subscribed
	closed bool
}

var _ Bus = (*Redis)(nil)

// NewRedis connects to the Redis server of opts.URL, checks that it answers
// and starts the node's receive loop. The caller must Close the bus.
func NewRedis(ctx context.Context, opts RedisOptions) (*Redis, error) {
	if opts.URL == "" {
		return nil, errors.New("redis bus: RedisOptions.URL is empty")
	}
	ro, err := redis.ParseURL(opts.URL)
	if err != nil {
		// A *url.Error repeats the URL, password included.
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return nil, fmt.Errorf("redis bus: RedisOptions.URL: %w", err)
	}
	if opts.Password != "" && ro.Password == "" {
		ro.Password = opts.Password
	}
	r := &Redis{
		prefix:  cmp.Or(opts.Prefix, DefaultRedisPrefix),
		buffer:  opts.Buffer,
		timeout: opts.Timeout,
		log:     opts.Logger,
		done:    make(chan struct{}),
		stopped: make(chan struct{}),
		rooms:   make(map[string]map[*redisSub]struct{}),
	}
	if r.buffer <= 0 {
		r.buffer = DefaultBuffer
	}
	if r.timeout <= 0 {
		r.timeout = defaultRedisTimeout
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	ro.DialTimeout, ro.ReadTimeout, ro.WriteTimeout = r.timeout, r.timeout, r.timeout
	r.client = redis.NewClient(ro)
	if err := r.client.Ping(ctx).Err(); err != nil {
		_ = r.client.Close()
		return nil, fmt.Errorf("redis bus: ping %s: %w", ro.Addr, err)
	}
	r.pubsub = r.client.Subscribe(ctx)
	go r.receive(r.pubsub.ChannelWithSubscriptions(redis.WithChannelSize(1024)))
	return r, nil
}

// Publish sends ev to the subscribers of room on every node. It returns
// once Redis accepted the event, without waiting for any subscriber.
func (r *Redis) Publish(ctx context.Context, room string, ev Event) error {
	if r.isClosed() {
		return fmt.Errorf("publish to %q: %w", room, ErrClosed)
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("publish to %q: encode event: %w", room, err)
	}
	if err := r.client.Publish(ctx, r.prefix+room, payload).Err(); err != nil {
		if r.isClosed() {
			return fmt.Errorf("publish to %q: %w", room, ErrClosed)
		}
		return fmt.Errorf("publish to %q: redis: %w", room, err)
	}
	return nil
}

// Ping checks that Redis answers, for readiness probes.
func (r *Redis) Ping(ctx context.Context) error {
	if r.isClosed() {
		return fmt.Errorf("redis bus: %w", ErrClosed)
	}
	if err := r.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis bus: ping: %w", err)
	}
	return nil
}

// Close ends every subscription with ErrClosed, refuses further use and
// waits for the receive loop to stop. It is safe to call more than once.
func (r *Redis) Close() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		<-r.stopped
		return
	}
	r.closed = true
	close(r.done)
	for _, subs := range r.rooms {
		for s := range subs {
			r.dropLocked(s, ErrClosed)
		}
	}
	r.mu.Unlock()
	// Closing the PubSub closes the channel the receive loop ranges over.
	_ = r.pubsub.Close()
	<-r.stopped
	_ = r.client.Close()
}

func (r *Redis) isClosed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closed
}

// room returns the room of a Redis channel, or false for another channel.
func (r *Redis) room(channel string) (string, bool) {
	return strings.CutPrefix(channel, r.prefix)
}
