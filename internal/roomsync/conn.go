package roomsync

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/kaicode/kaicode/internal/auth"
)

// conn is one /sync connection. The handler goroutine reads; the writer
// goroutine (writeLoop) owns every write and the close.
type conn struct {
	srv   *Server
	ws    *websocket.Conn
	queue chan []byte

	// Set once by auth, before the connection joins its room; read-only
	// afterwards.
	user   auth.User
	access auth.Access
	room   *room

	stopOnce sync.Once
	stop     chan struct{} // closed by fail: the writer closes the socket
	reason   closeReason   // set once, before stop is closed
	done     chan struct{} // closed when the writer has closed the socket
}

func newConn(srv *Server, ws *websocket.Conn) *conn {
	return &conn{
		srv:   srv,
		ws:    ws,
		queue: make(chan []byte, srv.opts.SendQueue),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
}

// send queues msg, or closes the connection when its queue is full. It
// never blocks, so rooms call it while holding their lock.
func (c *conn) send(msg []byte) {
	select {
	case c.queue <- msg:
	default:
		c.fail(reasonSlowConsumer)
	}
}

// sendError queues an error event.
func (c *conn) sendError(e *protocolError) {
	c.send(encode(errorMessage{Event: eventError, Code: e.Code, Message: e.Message}))
}

// fail ends the connection for reason; the first reason wins.
func (c *conn) fail(reason closeReason) {
	c.stopOnce.Do(func() {
		c.reason = reason
		close(c.stop)
	})
}

// failed reports whether the connection is closing.
func (c *conn) failed() bool {
	select {
	case <-c.stop:
		return true
	default:
		return false
	}
}

// writeLoop sends queued messages and pings until the connection fails,
// then closes the socket with the failure's reason.
func (c *conn) writeLoop() {
	defer close(c.done)
	ping := time.NewTicker(c.srv.opts.PingInterval)
	defer ping.Stop()
	for {
		select {
		case <-c.stop:
			c.closeSocket()
			return
		case msg := <-c.queue:
			if err := c.write(msg); err != nil {
				c.fail(reasonWriteFailed)
			}
		case <-ping.C:
			if err := c.ping(); err != nil {
				c.fail(reasonPingTimeout)
			}
		}
	}
}

// write sends msg and whatever else is queued within the write timeout.
func (c *conn) write(msg []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), c.srv.opts.WriteTimeout)
	defer cancel()
	for {
		if err := c.ws.Write(ctx, websocket.MessageText, msg); err != nil {
			return err
		}
		c.srv.metrics.messagesOut.Inc()
		select {
		case msg = <-c.queue:
		default:
			return nil
		}
	}
}

func (c *conn) ping() error {
	ctx, cancel := context.WithTimeout(context.Background(), c.srv.opts.WriteTimeout)
	defer cancel()
	return c.ws.Ping(ctx)
}

// closeSocket closes the WebSocket with the connection's reason, after
// sending what is still queued (the error or output that explains a
// close). A peer that already closed, or a socket the library already
// closed, is closed without a handshake.
func (c *conn) closeSocket() {
	c.srv.metrics.disconnects.WithLabelValues(c.reason.name).Inc()
	if c.reason == reasonPeerClosed || c.reason == reasonTooBig {
		c.ws.CloseNow()
		return
	}
	if c.reason != reasonSlowConsumer && c.reason != reasonWriteFailed {
		c.flushQueued()
	}
	if err := c.ws.Close(c.reason.code, c.reason.text); err != nil && !errors.Is(err, context.Canceled) {
		c.ws.CloseNow()
	}
}

// flushQueued writes the messages queued so far, within the write timeout.
func (c *conn) flushQueued() {
	select {
	case msg := <-c.queue:
		_ = c.write(msg)
	default:
	}
}
