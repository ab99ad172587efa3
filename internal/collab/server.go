package collab

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/bus"
	"github.com/kaicode/kaicode/internal/store"
	"github.com/kaicode/kaicode/internal/wspoll"
)

// DocStore keeps room documents. Implementations are safe for concurrent
// use; the server calls Append and Compact for one room from one goroutine
// at a time, and Load for a room only when no goroutine writes it.
type DocStore interface {
	// Load returns everything stored for room; an unknown room is empty.
	Load(ctx context.Context, room string) (store.StoredDoc, error)
	// Append durably stores updates after the room's others and returns
	// the sequence number of the last.
	Append(ctx context.Context, room string, updates [][]byte) (int64, error)
	// Compact replaces the room's updates up to through by snapshot.
	Compact(ctx context.Context, room string, snapshot []byte, through int64) error
}

// TextSource returns a room's plain text as the sync server stored it; ""
// when there is none. Safe for concurrent use.
type TextSource interface {
	Text(ctx context.Context, room string) (string, error)
}

var (
	_ DocStore   = (*store.Docs)(nil)
	_ TextSource = (*store.RoomTexts)(nil)
)

// Options configures a Server. Zero durations and sizes take the default
// named in their comment.
type Options struct {
	// Store keeps the documents. Required.
	Store DocStore
	// Texts seeds empty documents; nil disables seeding.
	Texts TextSource
	// Verifier checks the ?token= of a connection. Required.
	Verifier *auth.Verifier
	// Policy decides room access. Default auth.Open{}.
	Policy auth.Policy
	// Bus relays each loaded room's document and awareness changes to the
	// other nodes that have the room loaded, so clients of one room may be
	// served by any node. nil (one node): nothing is relayed.
	Bus bus.Bus
	// Logger receives connection and persistence problems. Default: discard.
	Logger *slog.Logger
	// Registry receives the metrics. Default: not registered.
	Registry prometheus.Registerer

	// Anonymous lets connections without a token in, as the zero
	// auth.User, still subject to Policy. Default false.
	Anonymous bool
	// MaxMessage caps one incoming message, in bytes. Default 1MiB.
	MaxMessage int64
	// MaxDocument caps a room's document, in bytes. Default 16MiB.
	MaxDocument int64
	// PersistDelay bounds how long an accepted update waits before it is
	// stored (plus the duration of one write). Default 500ms.
	PersistDelay time.Duration
	// UnloadGrace is how long an empty room stays loaded. Default 30s.
	UnloadGrace time.Duration
	// SendBuffer caps the bytes waiting to be written to one connection;
	// a client that reads slower is dropped, never blocking the room. It
	// should exceed MaxDocument, since a joiner receives the whole document
	// at once. Default twice MaxDocument.
	SendBuffer int64
	// AllowedOrigins are the host patterns (path.Match syntax) of browser
	// origins allowed to connect; empty allows any.
	AllowedOrigins []string
	// PingInterval is the time between keepalive pings; a client silent
	// for a whole interval after a ping is dropped. Default 30s.
	PingInterval time.Duration
	// WriteTimeout bounds the close handshake and a refusal's write.
	// Default 10s.
	WriteTimeout time.Duration
	// CompactEvery is the number of stored updates after which the store
	// is compacted. Default 500.
	CompactEvery int
	// MergeEvery is the number of updates accepted in memory after which
	// they are merged into the document. Default 256.
	MergeEvery int
}

func (o *Options) setDefaults() {
	if o.Policy == nil {
		o.Policy = auth.Open{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	setDefault(&o.MaxMessage, 1<<20)
	setDefault(&o.MaxDocument, 16<<20)
	setDefault(&o.PersistDelay, 500*time.Millisecond)
	setDefault(&o.UnloadGrace, 30*time.Second)
	setDefault(&o.SendBuffer, 2*o.MaxDocument)
	setDefault(&o.PingInterval, 30*time.Second)
	setDefault(&o.WriteTimeout, 10*time.Second)
	setDefault(&o.CompactEvery, 500)
	setDefault(&o.MergeEvery, 256)
}

func setDefault[T int | int64 | time.Duration](p *T, def T) {
	if *p <= 0 {
		*p = def
	}
}

// Server is the collaboration server. Its ServeHTTP serves /ws/{room...};
// RoomInfo and RoomText serve the HTTP API.
type Server struct {
	opts    Options
	log     *slog.Logger
	metrics *metrics
	// ws serves the sockets.
	ws *wspoll.Engine
	// node tells this server's relay events from the other nodes'.
	node string

	mu     sync.Mutex
	rooms  map[string]*room
	closed bool
	// wg counts room goroutines and connections.
	wg sync.WaitGroup
}

// errShuttingDown refuses work once Shutdown has begun.
var errShuttingDown = errors.New("collab: server shutting down")

// New returns a Server. It fails when a required option is missing or the
// metrics cannot be registered.
func New(opts Options) (*Server, error) {
	if opts.Store == nil {
		return nil, errors.New("collab: Options.Store is required")
	}
	if opts.Verifier == nil {
		return nil, errors.New("collab: Options.Verifier is required")
	}
	opts.setDefaults()
	m := newMetrics()
	if opts.Registry != nil {
		if err := m.register(opts.Registry); err != nil {
			return nil, fmt.Errorf("collab: register metrics: %w", err)
		}
	}
	s := &Server{
		opts:    opts,
		log:     opts.Logger,
		metrics: m,
		node:    uuid.NewString(),
		rooms:   make(map[string]*room),
	}
	ws, err := wspoll.Start(wspoll.Options{
		AllowedOrigins: opts.AllowedOrigins,
		MaxMessage:     int(opts.MaxMessage),
		SendBuffer:     int(opts.SendBuffer),
		PingInterval:   opts.PingInterval,
		CloseTimeout:   opts.WriteTimeout,
		OnMessage:      s.message,
		OnClose:        s.disconnected,
	})
	if err != nil {
		return nil, fmt.Errorf("collab: %w", err)
	}
	s.ws = ws
	return s, nil
}

// join adds c to the room named name, loading the room when needed. A room
// that is unloading is waited for, then loaded again.
func (s *Server) join(ctx context.Context, name string, c *conn) (*room, error) {
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return nil, errShuttingDown
		}
		r := s.rooms[name]
		if r == nil {
			r = newRoom(s, name)
			s.rooms[name] = r
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				r.run()
			}()
		}
		s.mu.Unlock()

		select {
		case <-r.loaded:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
		if r.loadErr != nil {
			return nil, r.loadErr
		}
		if r.add(c) {
			return r, nil
		}
		select {
		case <-r.done:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
}

// loadedRoom returns the room named name when it is loaded.
func (s *Server) loadedRoom(name string) *room {
	s.mu.Lock()
	r := s.rooms[name]
	s.mu.Unlock()
	if r == nil {
		return nil
	}
	<-r.loaded
	if r.loadErr != nil {
		return nil
	}
	return r
}

// forget removes r from the server once it has unloaded.
func (s *Server) forget(r *room) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rooms[r.name] == r {
		delete(s.rooms, r.name)
	}
}

// Shutdown refuses new connections, closes every connection with 1001
// (going away), flushes every room to the store and waits for all of it, or
// until ctx ends; then it closes what is left and stops the pollers.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	rooms := make([]*room, 0, len(s.rooms))
	for _, r := range s.rooms {
		rooms = append(rooms, r)
	}
	s.mu.Unlock()
	for _, r := range rooms {
		r.shutdown()
		for _, c := range r.connections() {
			c.fail(wspoll.ReasonShutdown)
		}
	}
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = fmt.Errorf("collab: shutdown: %w", context.Cause(ctx))
	}
	if wsErr := s.ws.Shutdown(ctx); err == nil && wsErr != nil {
		err = fmt.Errorf("collab: %w", wsErr)
	}
	return err
}
