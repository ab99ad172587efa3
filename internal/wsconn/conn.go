package wsconn

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Options configures the Conns of one server. The server builds it once and
// shares it; it must not change afterwards. Zero values take the default
// named in their comment.
type Options struct {
	// MessageType is the type of every message sent. Default
	// websocket.MessageText (the zero value is not a valid type).
	MessageType websocket.MessageType
	// QueueLimit is how many messages may wait for one connection before
	// it is dropped as a slow consumer. Default 64.
	QueueLimit int
	// WriteTimeout bounds one batch of writes or a ping's round trip.
	// Default 10s.
	WriteTimeout time.Duration
	// PingInterval is the time between keepalive pings. Default 30s.
	PingInterval time.Duration
	// OnWrite, when set, is called after each message is written with its
	// size in bytes (for metrics). It runs on the writer goroutine.
	OnWrite func(size int)
	// OnClose, when set, is called once with the reason just before the
	// socket closes (for metrics).
	OnClose func(Reason)
}

func (o *Options) messageType() websocket.MessageType {
	if o.MessageType == 0 {
		return websocket.MessageText
	}
	return o.MessageType
}

func (o *Options) queueLimit() int { return orDefault(o.QueueLimit, 64) }

func (o *Options) writeTimeout() time.Duration { return orDefault(o.WriteTimeout, 10*time.Second) }

func (o *Options) pingInterval() time.Duration { return orDefault(o.PingInterval, 30*time.Second) }

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// writerLinger is how long a writer with nothing to write waits for more
// before it exits. Under steady traffic the writer then stays alive instead
// of being started for every message; an idle connection still ends up
// with no writer.
const writerLinger = 20 * time.Millisecond

// Conn owns the writing side of one WebSocket: its send queue, its
// keepalive and its close. See the package documentation for the rules.
type Conn struct {
	ws   *websocket.Conn
	opts *Options
	ping *time.Timer
	done chan struct{} // closed when the socket is closed and no writer runs
	wake chan struct{} // tells a lingering writer there is work; capacity 1

	mu      sync.Mutex
	queue   [][]byte // nil while empty, so an idle Conn holds no buffer
	writing bool     // a writer goroutine runs; it alone touches ws
	pingDue bool
	failed  bool
	reason  Reason
}

// New returns the Conn that writes to ws and starts its keepalive. opts is
// shared, not copied.
func New(ws *websocket.Conn, opts *Options) *Conn {
	c := &Conn{ws: ws, opts: opts, done: make(chan struct{}), wake: make(chan struct{}, 1)}
	c.ping = time.AfterFunc(opts.pingInterval(), c.pingSoon)
	return c
}

// Send queues msg for the peer and reports whether it was queued. A full
// queue fails the connection with ReasonSlowConsumer; after Fail nothing is
// queued. Send never waits for the peer. The caller must not modify msg
// afterwards.
func (c *Conn) Send(msg []byte) bool {
	c.mu.Lock()
	if c.failed {
		c.mu.Unlock()
		return false
	}
	if len(c.queue) >= c.opts.queueLimit() {
		c.mu.Unlock()
		c.Fail(ReasonSlowConsumer)
		return false
	}
	c.queue = append(c.queue, msg)
	c.startWriterLocked()
	c.mu.Unlock()
	return true
}

// Fail ends the connection for r; the first reason wins. The writer sends
// what is queued, then closes the socket with r; when r aborts, Fail closes
// the socket itself, so that a writer blocked on a peer that does not read
// returns at once.
func (c *Conn) Fail(r Reason) {
	c.mu.Lock()
	if c.failed {
		c.mu.Unlock()
		return
	}
	c.failed, c.reason = true, r
	c.ping.Stop()
	c.startWriterLocked()
	c.mu.Unlock()
	if r.Abort {
		c.ws.CloseNow()
	}
}

// Reason returns the reason the connection ends and whether Fail has been
// called.
func (c *Conn) Reason() (Reason, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reason, c.failed
}

// Failed reports whether Fail has been called.
func (c *Conn) Failed() bool {
	_, failed := c.Reason()
	return failed
}

// Done is closed once the socket is closed and the Conn's goroutines have
// ended.
func (c *Conn) Done() <-chan struct{} { return c.done }

// pingSoon asks the writer for a keepalive ping; the ping timer calls it.
func (c *Conn) pingSoon() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failed {
		return
	}
	c.pingDue = true
	c.startWriterLocked()
}

// startWriterLocked starts the writer, or wakes it if it lingers. c.mu
// must be held.
func (c *Conn) startWriterLocked() {
	if !c.writing {
		c.writing = true
		go c.writeLoop()
		return
	}
	select {
	case c.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// writeLoop writes batches of queued messages and due pings until there has
// been nothing to do for writerLinger, then exits; after Fail it closes the
// socket instead.
func (c *Conn) writeLoop() {
	var batch [][]byte
	var linger *time.Timer
	defer func() {
		if linger != nil {
			linger.Stop()
		}
	}()
	for {
		c.mu.Lock()
		batch, c.queue = c.queue, batch[:0]
		ping, failed, reason := c.pingDue, c.failed, c.reason
		c.pingDue = false
		if len(batch) == 0 && !ping && !failed {
			c.mu.Unlock()
			if linger == nil {
				linger = time.NewTimer(writerLinger)
			} else {
				linger.Reset(writerLinger)
			}
			select {
			case <-c.wake:
				continue
			case <-linger.C:
			}
			c.mu.Lock()
			if len(c.queue) == 0 && !c.pingDue && !c.failed {
				c.writing, c.queue = false, nil
				c.mu.Unlock()
				return
			}
			c.mu.Unlock()
			continue
		}
		c.mu.Unlock()

		if failed && (reason.Abort || len(batch) == 0) {
			c.closeSocket(reason)
			return
		}
		if len(batch) > 0 {
			if err := c.write(batch); err != nil {
				c.Fail(ReasonWriteTimeout)
			}
			clear(batch)
		}
		if ping && !failed {
			c.keepalive()
		}
	}
}

// write sends msgs within the write timeout.
func (c *Conn) write(msgs [][]byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.writeTimeout())
	defer cancel()
	for _, m := range msgs {
		if err := c.ws.Write(ctx, c.opts.messageType(), m); err != nil {
			return fmt.Errorf("wsconn: write: %w", err)
		}
		if c.opts.OnWrite != nil {
			c.opts.OnWrite(len(m))
		}
	}
	return nil
}

// keepalive pings the peer and waits for the pong, then schedules the next
// ping; a peer that does not answer within the write timeout is failed.
func (c *Conn) keepalive() {
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.writeTimeout())
	defer cancel()
	if err := c.ws.Ping(ctx); err != nil {
		c.Fail(ReasonPingTimeout)
		return
	}
	c.mu.Lock()
	if !c.failed {
		c.ping.Reset(c.opts.pingInterval())
	}
	c.mu.Unlock()
}

// closeSocket closes the socket with r, without a handshake when r aborts
// or the handshake fails, and closes done.
func (c *Conn) closeSocket(r Reason) {
	defer close(c.done)
	if c.opts.OnClose != nil {
		c.opts.OnClose(r)
	}
	if r.Abort {
		c.ws.CloseNow()
		return
	}
	if err := c.ws.Close(r.Code, r.Text); err != nil {
		c.ws.CloseNow()
	}
}
