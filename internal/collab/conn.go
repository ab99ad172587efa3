package collab

import (
	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/wspoll"
)

// conn is one client connection to a room.
type conn struct {
	srv      *Server
	user     auth.User
	readOnly bool
	// ready is closed once the connection has joined its room (or failed
	// to); its handlers wait for it, and out and rm are set before.
	ready chan struct{}
	out   *wspoll.Conn
	rm    *room // nil when joining failed

	// clientIDs are the awareness client ids this connection announced,
	// guarded by the room's mutex.
	clientIDs map[uint64]struct{}
}

// send writes msg, or leaves it to the pollers; a client that has too much
// waiting is dropped. It never blocks, so rooms call it while holding their
// lock.
func (c *conn) send(msg []byte) {
	if c.out.Send(msg) {
		c.srv.metrics.messagesOut.Inc()
		c.srv.metrics.bytesOut.Add(float64(len(msg)))
	}
}

// fail ends the connection for reason; the first reason wins.
func (c *conn) fail(reason wspoll.Reason) { c.out.Fail(reason) }
