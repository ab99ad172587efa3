package roomsync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/bus"
	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/sandbox"
	"github.com/kaicode/kaicode/internal/store"
	"github.com/kaicode/kaicode/internal/wsconn"
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
	// SendQueue is how many messages may wait for one connection before it
	// is closed as too slow. Default 64.
	SendQueue int
	// MessageRate is how many messages a second one connection may send,
	// with bursts of twice that; excess messages are refused with an
	// error, and a connection that keeps flooding is closed. Default 20.
	MessageRate int
	// AllowedOrigins are the host patterns (path.Match syntax) of browser
	// origins allowed to connect; empty allows any.
	AllowedOrigins []string
	// PingInterval is the time between keepalive pings. Default 30s.
	PingInterval time.Duration
	// WriteTimeout bounds one write or a ping's round trip. Default 10s.
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
	setDefault(&o.SendQueue, 64)
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
	// wsOpts configures every connection's writer; set by New.
	wsOpts wsconn.Options
	texts  *textWriter

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
		wsOpts: wsconn.Options{
			MessageType:  websocket.MessageText,
			QueueLimit:   opts.SendQueue,
			WriteTimeout: opts.WriteTimeout,
			PingInterval: opts.PingInterval,
			OnWrite:      func(int) { m.messagesOut.Inc() },
			OnClose:      func(r wsconn.Reason) { m.disconnects.WithLabelValues(r.Name).Inc() },
		},
		rooms: make(map[string]*room),
		conns: make(map[*conn]struct{}),
	}
	s.texts = newTextWriter(opts.Texts, opts.TextDebounce, opts.Now, s.log, m)
	return s, nil
}

// ServeHTTP upgrades the request to a /sync WebSocket and hands it to a
// goroutine of its own, which serves it until either side closes it; the
// HTTP server can then release the request and its buffers.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ws, err := wsconn.Accept(w, r, wsconn.AcceptOptions{AllowedOrigins: s.opts.AllowedOrigins, ReadLimit: s.opts.MaxMessage})
	if err != nil {
		return // Accept has written the HTTP error
	}
	c := newConn(s, ws)
	if !s.track(c) {
		c.fail(wsconn.ReasonShutdown)
		drain(c)
		return
	}
	go s.serve(context.WithoutCancel(r.Context()), c)
}

// serve reads and handles c's messages until the connection ends and its
// socket is closed; track has counted it.
func (s *Server) serve(ctx context.Context, c *conn) {
	defer s.untrack(c)
	authTimer := time.AfterFunc(s.opts.AuthTimeout, func() { c.fail(reasonAuthTimeout) })
	defer authTimer.Stop()

	s.readLoop(ctx, c, authTimer)
	if c.room != nil {
		c.room.remove(c)
	}
	<-c.out.Done()
}

// drain reads a failed c until its close handshake ends and its socket is
// closed.
func drain(c *conn) {
	for {
		if _, _, err := c.ws.Read(context.Background()); err != nil {
			<-c.out.Done()
			return
		}
	}
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

// readLoop reads and handles messages until the connection ends.
func (s *Server) readLoop(ctx context.Context, c *conn, authTimer *time.Timer) {
	limit := newFloodLimiter(s.opts.MessageRate, s.opts.Now)
	for {
		typ, data, err := c.ws.Read(ctx)
		switch {
		case errors.Is(err, websocket.ErrMessageTooBig):
			c.fail(wsconn.ReasonMessageTooBig)
			return
		case err != nil:
			c.fail(wsconn.ReasonPeerClosed)
			return
		case c.failed():
			continue // closing: read on until the close handshake ends
		case typ != websocket.MessageText:
			c.fail(reasonBinary)
			continue
		}
		if c.room == nil {
			if s.authenticate(ctx, c, data) {
				authTimer.Stop()
			}
			continue
		}
		s.handle(ctx, c, data, limit)
	}
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
		c.fail(wsconn.ReasonShutdown)
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
	return errors.Join(err, s.texts.close(ctx))
}
