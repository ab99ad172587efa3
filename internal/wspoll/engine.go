package wspoll

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/lesismal/nbio/nbhttp"
	"github.com/lesismal/nbio/nbhttp/websocket"
	"github.com/panjf2000/ants/v2"
)

// readBufferSize is the size of each poller's shared read buffer.
const readBufferSize = 64 << 10

// maxFramePayload is the largest frame written; longer messages are sent
// as several frames.
const maxFramePayload = 1 << 20

// Options configures an Engine. Zero values take the default named in
// their comment; OnMessage and OnClose are required.
type Options struct {
	// AllowedOrigins are the host[:port] patterns (path.Match syntax) of
	// browser origins allowed to connect besides the server's own; empty
	// allows any.
	AllowedOrigins []string
	// MaxMessage caps one incoming message, in bytes; a larger one fails
	// the connection with ReasonMessageTooBig (1009). A message
	// more than twice as large is not read to its end: the socket is cut
	// as soon as that shows. Default 1 MiB.
	MaxMessage int
	// SendBuffer caps the bytes written to a connection that its socket
	// has not taken yet; past it the connection is dropped as a slow
	// consumer. It must exceed the largest message sent. Default 32 MiB.
	SendBuffer int
	// PingInterval is the time between keepalive pings. Default 30s.
	PingInterval time.Duration
	// CloseTimeout bounds the close handshake. Default 10s.
	CloseTimeout time.Duration
	// Text makes Send write text messages instead of binary ones.
	Text bool

	// OnMessage handles one message; text tells its type. data belongs to
	// the handler.
	OnMessage func(c *Conn, text bool, data []byte)
	// OnClose is called once when the socket has closed, with the reason.
	OnClose func(c *Conn, r Reason)
}

func (o *Options) setDefaults() {
	setDefault(&o.MaxMessage, 1<<20)
	setDefault(&o.SendBuffer, 32<<20)
	setDefault(&o.PingInterval, 30*time.Second)
	setDefault(&o.CloseTimeout, 10*time.Second)
}

func setDefault[T int | time.Duration](p *T, def T) {
	if *p <= 0 {
		*p = def
	}
}

// Engine owns the pollers and the connections of one server.
type Engine struct {
	opts    Options
	msgType websocket.MessageType
	nb      *nbhttp.Engine
	up      *websocket.Upgrader
	workers *ants.Pool
	stop    sync.Once

	mu       sync.Mutex
	stopping bool
	// conns counts connections from Accept until OnClose has returned;
	// Add only under mu while not stopping.
	conns sync.WaitGroup
}

// Start starts the pollers of a new Engine.
func Start(opts Options) (*Engine, error) {
	if opts.OnMessage == nil || opts.OnClose == nil {
		return nil, errors.New("wspoll: Options.OnMessage and OnClose are required")
	}
	opts.setDefaults()
	useLogger()
	// Each connection's burst of handlers runs on a goroutine of the
	// pool's, one per burst and as many as there are bursts: a handler that
	// waits holds up only its connection. The pool reuses goroutines,
	// which keep the stacks they grew, and ends those idle for workerIdle.
	workers, err := ants.NewPool(0, ants.WithExpiryDuration(workerIdle), ants.WithLogger(antsLogger{}))
	if err != nil {
		return nil, fmt.Errorf("wspoll: handler pool: %w", err)
	}
	e := &Engine{opts: opts, msgType: websocket.BinaryMessage, workers: workers}
	nb := nbhttp.NewEngine(nbhttp.Config{
		Name:                         "kaicode-ws",
		ReadBufferSize:               readBufferSize,
		ReadLimit:                    hardLimit(opts.MaxMessage) + readBufferSize,
		MaxWriteBufferSize:           opts.SendBuffer,
		MaxWebsocketFramePayloadSize: maxFramePayload,
		ServerExecutor:               e.execute,
		SupportServerOnly:            true,
	})
	if err := nb.Start(); err != nil {
		workers.Release()
		return nil, fmt.Errorf("wspoll: start pollers: %w", err)
	}
	e.nb = nb
	if opts.Text {
		e.msgType = websocket.TextMessage
	}
	up := websocket.NewUpgrader()
	up.Engine = nb
	up.KeepaliveTime = 0 // the Engine's pings watch liveness
	up.MessageLengthLimit = hardLimit(opts.MaxMessage)
	up.BlockingModTrasferConnToPoller = true
	up.CheckOrigin = originChecker(opts.AllowedOrigins)
	up.OnMessage(e.message)
	up.SetPingHandler(e.ping)
	up.SetPongHandler(e.pong)
	up.SetCloseHandler(e.peerClose)
	up.OnClose(e.closed)
	e.up = up
	return e, nil
}

// workerIdle is how long a handler goroutine waits for more work before it
// ends.
const workerIdle = 10 * time.Second

// execute runs f, a connection's burst of handlers, on the pool, or on a
// goroutine of its own once the pool is released.
func (e *Engine) execute(f func()) {
	if err := e.workers.Submit(f); err != nil {
		go f()
	}
}

// hardLimit is the message size past which the pollers cut a socket
// without reading on. Between it and maxMessage the message is read to its
// end, so the close handshake can tell the client why.
func hardLimit(maxMessage int) int { return 2*maxMessage + readBufferSize }

// Accept upgrades r and returns the connection. bind, called before any
// handler can run, returns the handlers' state for Conn.Value; it must not
// block, and may already Send or Fail. On failure bind was not called, and
// Accept has written the HTTP error unless the Engine is shutting down.
func (e *Engine) Accept(w http.ResponseWriter, r *http.Request, bind func(*Conn) any) (*Conn, error) {
	ws, err := e.up.Upgrade(hijacker{w}, r, nil)
	if err != nil {
		return nil, fmt.Errorf("wspoll: upgrade: %w", err)
	}
	e.mu.Lock()
	if e.stopping {
		e.mu.Unlock()
		ws.Close()
		return nil, errors.New("wspoll: shutting down")
	}
	e.conns.Add(1)
	e.mu.Unlock()
	c := &Conn{e: e, ws: ws}
	c.mu.Lock()
	c.ping = time.AfterFunc(e.opts.PingInterval, c.keepalive)
	c.mu.Unlock()
	c.Value = bind(c)
	// Publishing the Conn lets the handlers, which may already wait for
	// it, run.
	ws.SetSession(c)
	return c, nil
}

// hijacker lets the upgrader take over the connection through writers
// that wrap the server's (logging, metrics) and unwrap to it.
type hijacker struct{ http.ResponseWriter }

// Hijack takes over the connection from the HTTP server.
func (h hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(h.ResponseWriter).Hijack()
}

// Shutdown closes every connection still open, stops the pollers and waits
// for the connections' OnClose handlers or until ctx ends. Later calls only
// wait.
func (e *Engine) Shutdown(ctx context.Context) error {
	e.mu.Lock()
	e.stopping = true
	e.mu.Unlock()
	e.stop.Do(e.nb.Stop)
	done := make(chan struct{})
	go func() {
		e.conns.Wait()
		close(done)
	}()
	// Released, the pool ends its idle goroutines; a handler still running
	// finishes on its own.
	defer e.workers.Release()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wspoll: shutdown: %w", context.Cause(ctx))
	}
}

// sessionWait bounds how long a handler waits for Accept to publish its
// Conn: frames can be read as soon as the socket is handed to the pollers,
// just before Accept returns.
const sessionWait = time.Second

// conn returns the Conn of ws, waiting for Accept to publish it; nil when
// the upgrade failed.
func (e *Engine) conn(ws *websocket.Conn) *Conn {
	for deadline := time.Now().Add(sessionWait); ; {
		if c, ok := ws.SessionWithLock().(*Conn); ok {
			return c
		}
		if time.Now().After(deadline) {
			return nil
		}
		time.Sleep(100 * time.Microsecond)
	}
}

func (e *Engine) message(ws *websocket.Conn, typ websocket.MessageType, data []byte) {
	c := e.conn(ws)
	if c == nil {
		ws.Close()
		return
	}
	c.heard.Store(true)
	switch {
	case c.Failed():
	case len(data) > e.opts.MaxMessage:
		c.Fail(ReasonMessageTooBig)
	default:
		e.opts.OnMessage(c, typ == websocket.TextMessage, data)
	}
}

func (e *Engine) ping(ws *websocket.Conn, data string) {
	if c := e.conn(ws); c != nil {
		c.heard.Store(true)
	}
	ws.WriteMessage(websocket.PongMessage, []byte(data))
}

func (e *Engine) pong(ws *websocket.Conn, _ string) {
	if c := e.conn(ws); c != nil {
		c.heard.Store(true)
	}
}

// peerClose answers a close frame the server did not start with the same
// code, as RFC 6455 asks; nbio closes the socket after it. A close frame
// that answers the server's own needs no answer.
func (e *Engine) peerClose(ws *websocket.Conn, code int, _ string) {
	if c := e.conn(ws); c == nil || c.Failed() {
		return
	}
	if code == noStatus {
		ws.WriteMessage(websocket.CloseMessage, nil)
		return
	}
	ws.WriteClose(code, "")
}

// noStatus is the code nbio reports for a close frame without one.
const noStatus = 1005

func (e *Engine) closed(ws *websocket.Conn, err error) {
	c := e.conn(ws)
	if c == nil {
		return
	}
	defer e.conns.Done()
	e.mu.Lock()
	stopping := e.stopping
	e.mu.Unlock()
	e.opts.OnClose(c, c.end(closeReason(err, stopping)))
}

// originChecker allows requests without an Origin, from the server's own
// host, or from a host matching one of patterns; any origin when patterns
// is empty.
func originChecker(patterns []string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		origin := r.Header.Get("Origin")
		if len(patterns) == 0 || origin == "" {
			return true
		}
		u, err := url.Parse(origin)
		if err != nil {
			return false
		}
		host := strings.ToLower(u.Host)
		if host == strings.ToLower(r.Host) {
			return true
		}
		for _, p := range patterns {
			if ok, _ := path.Match(strings.ToLower(p), host); ok {
				return true
			}
		}
		return false
	}
}
