package collab

import (
	"github.com/coder/websocket"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/wsconn"
)

// conn is one client connection to a room. Its goroutine reads ws; out
// owns every write and the close.
type conn struct {
	srv      *Server
	ws       *websocket.Conn
	out      *wsconn.Conn
	user     auth.User
	readOnly bool

	// clientIDs are the awareness client ids this connection announced,
	// guarded by the room's mutex.
	clientIDs map[uint64]struct{}
}

func newConn(srv *Server, ws *websocket.Conn, user auth.User, readOnly bool) *conn {
	return &conn{srv: srv, ws: ws, out: wsconn.New(ws, &srv.wsOpts), user: user, readOnly: readOnly}
}

// send queues msg, or drops the connection when its queue is full. It
// never blocks, so rooms call it while holding their lock.
func (c *conn) send(msg []byte) { c.out.Send(msg) }

// fail ends the connection for reason; the first reason wins.
func (c *conn) fail(reason wsconn.Reason) { c.out.Fail(reason) }
