package roomsync

import (
	"github.com/coder/websocket"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/wsconn"
)

// conn is one /sync connection. Its goroutine reads ws; out owns every
// write and the close.
type conn struct {
	srv *Server
	ws  *websocket.Conn
	out *wsconn.Conn

	// Set once by auth, before the connection joins its room; read-only
	// afterwards.
	user   auth.User
	access auth.Access
	room   *room
}

func newConn(srv *Server, ws *websocket.Conn) *conn {
	return &conn{srv: srv, ws: ws, out: wsconn.New(ws, &srv.wsOpts)}
}

// send queues msg, or closes the connection when its queue is full. It
// never blocks, so rooms call it while holding their lock.
func (c *conn) send(msg []byte) { c.out.Send(msg) }

// sendError queues an error event.
func (c *conn) sendError(e *protocolError) {
	c.send(encode(errorMessage{Event: eventError, Code: e.Code, Message: e.Message}))
}

// fail ends the connection for reason, after sending what is queued (the
// error or output that explains it); the first reason wins.
func (c *conn) fail(reason wsconn.Reason) { c.out.Fail(reason) }

// failed reports whether the connection is closing.
func (c *conn) failed() bool { return c.out.Failed() }
