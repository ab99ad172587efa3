package collab

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/kaicode/kaicode/internal/auth"
)

// conn is one client connection to a room.
type conn struct {
	srv      *Server
	ws       *websocket.Conn
	user     auth.User
	readOnly bool
	queue    *sendQueue

	// clientIDs are the awareness client ids this connection announced,
	// guarded by the room's mutex.
	clientIDs map[uint64]struct{}

	// ctx ends when the connection fails: the writer then closes the
	// socket.
	ctx      context.Context
	stop     context.CancelFunc
	stopOnce sync.Once
	reason   closeReason // set once, before ctx ends
}

func newConn(srv *Server, ws *websocket.Conn, user auth.User, readOnly bool) *conn {
	ctx, stop := context.WithCancel(context.Background())
	return &conn{
		srv:      srv,
		ws:       ws,
		user:     user,
		readOnly: readOnly,
		queue:    newSendQueue(srv.opts.SendQueue),
		ctx:      ctx,
		stop:     stop,
	}
}

// send queues msg, or drops the connection when its queue is full. It
// never blocks, so rooms call it while holding their lock.
func (c *conn) send(msg []byte) {
	if !c.queue.push(msg) {
		c.fail(reasonSlowConsumer)
	}
}

// fail ends the connection for reason; the first reason wins.
func (c *conn) fail(reason closeReason) {
	c.stopOnce.Do(func() {
		c.reason = reason
		c.stop()
	})
}

// dropWhenSlow arranges for the socket of a slow consumer to be closed
// at once, without a close handshake: its writer is likely blocked on a
// full socket buffer, and the room must not wait for it. The returned
// function cancels the arrangement.
func (c *conn) dropWhenSlow() (cancel func() bool) {
	return context.AfterFunc(c.ctx, func() {
		if c.reason.name == reasonSlowConsumer.name {
			c.ws.CloseNow()
		}
	})
}

// writeLoop sends queued messages and pings until the connection fails, then
// closes the socket with the failure's reason. It owns all writes.
func (c *conn) writeLoop() {
	ping := time.NewTicker(c.srv.opts.PingInterval)
	defer ping.Stop()
	var batch [][]byte
	for {
		select {
		case <-c.ctx.Done():
			c.closeSocket()
			return
		case <-c.queue.ready:
			batch = c.queue.take(batch[:0])
			if err := c.write(batch); err != nil {
				c.fail(reasonWriteTimeout)
			}
			clear(batch)
		case <-ping.C:
			if err := c.ping(); err != nil {
				c.fail(reasonPingTimeout)
			}
		}
	}
}

// write sends msgs within the write timeout.
func (c *conn) write(msgs [][]byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), c.srv.opts.WriteTimeout)
	defer cancel()
	for _, m := range msgs {
		if err := c.ws.Write(ctx, websocket.MessageBinary, m); err != nil {
			return err
		}
		c.srv.metrics.messagesOut.Inc()
		c.srv.metrics.bytesOut.Add(float64(len(m)))
	}
	return nil
}

func (c *conn) ping() error {
	ctx, cancel := context.WithTimeout(context.Background(), c.srv.opts.WriteTimeout)
	defer cancel()
	return c.ws.Ping(ctx)
}

// closeSocket closes the WebSocket with the connection's reason. A peer
// that already closed or vanished is closed without a handshake.
func (c *conn) closeSocket() {
	c.srv.metrics.disconnects.WithLabelValues(c.reason.name).Inc()
	if c.reason.name == reasonPeerClosed.name || c.reason.name == reasonMessageTooBig.name {
		c.ws.CloseNow()
		return
	}
	if err := c.ws.Close(c.reason.code, c.reason.text); err != nil && !errors.Is(err, context.Canceled) {
		c.ws.CloseNow()
	}
}
