package roomsync

import (
	"time"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/wspoll"
)

// conn is one /sync connection. Its handlers run one at a time.
type conn struct {
	srv *Server
	// out is the socket; set when it is accepted, under srv.mu.
	out *wspoll.Conn
	// authTimer fails the connection when no auth arrives in time.
	authTimer *time.Timer
	limit     *floodLimiter

	// Set once by auth, before the connection joins its room; read-only
	// afterwards.
	user   auth.User
	access auth.Access
	room   *room
}

// send writes msg, or leaves it to the pollers; a client that has too much
// waiting is dropped. It never blocks, so rooms call it while holding their
// lock.
func (c *conn) send(msg []byte) {
	if c.out.Send(msg) {
		c.srv.metrics.messagesOut.Inc()
	}
}

// sendError sends an error event.
func (c *conn) sendError(e *protocolError) {
	c.send(encode(errorMessage{Event: eventError, Code: e.Code, Message: e.Message}))
}

// fail ends the connection for reason, after what is already sent (the
// error or output that explains it); the first reason wins.
func (c *conn) fail(reason wspoll.Reason) { c.out.Fail(reason) }

// failed reports whether the connection is closing.
func (c *conn) failed() bool { return c.out.Failed() }
