package roomsync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/bus"
	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/sandbox"
	"github.com/kaicode/kaicode/internal/store"
	"github.com/kaicode/kaicode/internal/wspoll"
)

// Jobs submits runs and reads their state (jobs.Service). Safe for
// concurrent use.
type Jobs interface {
	Submit(ctx context.Context, s jobs.Submission) (jobs.Job, error)
	Get(ctx context.Context, id string) (jobs.Job, error)
	Catalogue() sandbox.Catalogue
}

// StateStore remembers each room's language and last output (store.Rooms).
// Safe for concurrent use.
type StateStore interface {
	State(ctx context.Context, room string) (store.RoomState, error)
	SetLanguage(ctx context.Context, room, language string) error
	SetLastOutput(ctx context.Context, room string, output []byte, at time.Time) error
}

var (
	_ Jobs       = (*jobs.Service)(nil)
	_ StateStore = (*store.Rooms)(nil)
	_ TextSink   = (*store.RoomTexts)(nil)
	_ TextSink   = (*store.FrontendSessions)(nil)
)

// Options configures a Server. Zero durations and sizes take the default
// named in their comment.
type Options struct {
	// Verifier checks the token of "auth". Required.
	Verifier *auth.Verifier
	// Policy decides room access. Required.
	Policy auth.Policy
	// Jobs runs "judge" requests. Required.
	Jobs Jobs
	// Bus carries the rooms' job events and the events of other nodes.
	// Required.
	Bus bus.Bus
	// State remembers rooms' language and last output. Required.
	State StateStore
	// Texts store the rooms' text from "sync"; none disables storing.
	Texts []TextSink
	// Logger receives failures that reach no client. Default: discard.
	Logger *slog.Logger
	// Registry receives the metrics. Default: not registered.
	Registry prometheus.Registerer

	// AuthTimeout is how long a new connection has to send "auth".
	// Default 10s.
	AuthTimeout time.Duration
	// MaxMessage caps one incoming message, in bytes; a larger one closes
	// the connection with 1009. Default 512KiB.
	MaxMessage int64
	// RoomQueue bounds the unfinished runs submitted from one room on
	// this node. Default 4.
	RoomQueue int
	// TextDebounce is how long a room's text must stay unchanged before it
	// is stored; a text that keeps changing is stored at least every five
	// debounce periods. Default 2s.
	TextDebounce time.Duration
	// OutputTTL is how long a room's last output is replayed to joiners.
	// Default 10m.
	OutputTTL time.Duration
	// SendBuffer caps the bytes waiting to be written to one connection;
	// a client that reads slower is dropped as too slow. Default 4MiB.
	SendBuffer int
	// MessageRate is how many messages a second one connection may send,
	// with bursts of twice that; excess messages are refused with an
	// error, and a connection that keeps flooding is closed. Default 20.
	MessageRate int
	// AllowedOrigins are the host patterns (path.Match syntax) of browser
	// origins allowed to connect; empty allows any.
	AllowedOrigins []string
	// PingInterval is the time between keepalive pings; a client silent
	// for a whole interval after a ping is dropped. Default 30s.
	PingInterval time.Duration
	// WriteTimeout bounds the close handshake. Default 10s.
	WriteTimeout time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

func (o *Options) setDefaults() {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	setDefault(&o.AuthTimeout, 10*time.Second)
	setDefault(&o.MaxMessage, 512<<10)
	setDefault(&o.RoomQueue, 4)
	setDefault(&o.TextDebounce, 2*time.Second)
	setDefault(&o.OutputTTL, 10*time.Minute)
	setDefault(&o.SendBuffer, 4<<20)
	setDefault(&o.MessageRate, 20)
	setDefault(&o.PingInterval, 30*time.Second)
	setDefault(&o.WriteTimeout, 10*time.Second)
}

func setDefault[T int | int64 | time.Duration](p *T, def T) {
	if *p <= 0 {
		*p = def
	}
}

// Server is the /sync server; its ServeHTTP serves the WebSocket.
type Server struct {
	opts    Options
	log     *slog.Logger
	metrics *metrics
	// ws serves the sockets.
	ws    *wspoll.Engine
	texts *textWriter

	mu     sync.Mutex
	rooms  map[string]*room
	conns  map[*conn]struct{}
	closed bool
	// wg counts connection handlers and room goroutines.
	wg sync.WaitGroup
}

// errShuttingDown refuses work once Shutdown has begun.
var errShuttingDown = errors.New("roomsync: server shutting down")

// New returns a Server and starts its text writer; Shutdown stops it.
func New(opts Options) (*Server, error) {
	switch {
	case opts.Verifier == nil, opts.Policy == nil, opts.Jobs == nil, opts.Bus == nil, opts.State == nil:
		return nil, errors.New("roomsync: Verifier, Policy, Jobs, Bus and State are required")
	}
	opts.setDefaults()
	m := newMetrics()
	if opts.Registry != nil {
		if err := m.register(opts.Registry); err != nil {
			return nil, fmt.Errorf("roomsync: %w", err)
		}
	}
	s := &Server{
		opts:    opts,
		log:     opts.Logger,
		metrics: m,
		rooms:   make(map[string]*room),
		conns:   make(map[*conn]struct{}),
	}
	ws, err := wspoll.Start(wspoll.Options{
		AllowedOrigins: opts.AllowedOrigins,
		MaxMessage:     int(opts.MaxMessage),
		SendBuffer:     opts.SendBuffer,
		PingInterval:   opts.PingInterval,
		CloseTimeout:   opts.WriteTimeout,
		Text:           true,
		OnMessage:      s.message,
		OnClose:        s.disconnected,
	})
	if err != nil {
		return nil, fmt.Errorf("roomsync: %w", err)
	}
	s.ws = ws
	s.texts = newTextWriter(opts.Texts, opts.TextDebounce, opts.Now, s.log, m)
	return s, nil
}

// ServeHTTP upgrades the request to a /sync WebSocket; the engine serves
// it from then on, and the client has the auth timeout to authenticate.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := &conn{srv: s, limit: newFloodLimiter(s.opts.MessageRate, s.opts.Now)}
	if !s.track(c) {
		http.Error(w, `{"message":"server shutting down"}`, http.StatusServiceUnavailable)
		return
	}
	// Shutdown fails the connections it finds with out set; one accepted
	// after that is failed here.
	var closed bool
	out, err := s.ws.Accept(w, r, func(out *wspoll.Conn) any {
		s.mu.Lock()
		c.out, closed = out, s.closed
		s.mu.Unlock()
		c.authTimer = time.AfterFunc(s.opts.AuthTimeout, func() { c.fail(reasonAuthTimeout) })
		return c
	})
	if err != nil {
		s.untrack(c) // Accept has written the HTTP error
		return
	}
	if closed {
		out.Fail(wspoll.ReasonShutdown)
	}
}

// message handles one message from the client of c: its auth, then its
// requests.
func (s *Server) message(out *wspoll.Conn, text bool, data []byte) {
	c := out.Value.(*conn)
	ctx := context.Background()
	switch {
	case !text:
		c.fail(reasonBinary)
	case c.room == nil:
		if s.authenticate(ctx, c, data) {
			c.authTimer.Stop()
		}
	default:
		s.handle(ctx, c, data)
	}
}

// disconnected takes c out of its room once its socket has closed.
func (s *Server) disconnected(out *wspoll.Conn, reason wspoll.Reason) {
	c := out.Value.(*conn)
	c.authTimer.Stop()
	s.metrics.disconnects.WithLabelValues(reason.Name).Inc()
	if c.room != nil {
		c.room.remove(c)
	}
	s.untrack(c)
}

// track registers c unless the server is shutting down.
func (s *Server) track(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.metrics.connections.Inc()
	return true
}

func (s *Server) untrack(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.metrics.connections.Dec()
	s.wg.Done()
}

// join adds c to the room named name, loading the room when needed. A
// room that is unloading is waited for, then loaded again.
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
			s.metrics.rooms.Inc()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				r.run()
			}()
		}
		s.mu.Unlock()

		select {
		case <-r.ready:
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
		case <-r.stopped:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
}

// forget removes r from the server; the room is unloading.
func (s *Server) forget(r *room) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rooms[r.name] == r {
		delete(s.rooms, r.name)
		s.metrics.rooms.Dec()
	}
}

// Shutdown refuses new connections, closes every connection with 1001
// (going away), waits for every connection and room to end, then stores
// the room texts not yet stored; it gives up when ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		if c.out != nil {
			c.fail(wspoll.ReasonShutdown)
		}
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = fmt.Errorf("roomsync: shutdown: %w", context.Cause(ctx))
	}
	if wsErr := s.ws.Shutdown(ctx); err == nil && wsErr != nil {
		err = fmt.Errorf("roomsync: %w", wsErr)
	}
	return errors.Join(err, s.texts.close(ctx))
}
