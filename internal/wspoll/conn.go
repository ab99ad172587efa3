package wspoll

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/lesismal/nbio/nbhttp/websocket"
)

// Conn is one WebSocket connection served by an Engine.
type Conn struct {
	// Value is the handlers' state, returned by Accept's bind.
	Value any

	e  *Engine
	ws *websocket.Conn
	// heard is set by every frame from the peer and cleared by each ping.
	heard atomic.Bool
	// ping fires keepalive; only keepalive resets it.
	ping *time.Timer
	// pinged is set once a ping is out; only keepalive touches it.
	pinged bool

	mu         sync.Mutex
	failed     bool
	closed     bool
	reason     Reason
	closeTimer *time.Timer
}

// Send writes msg, or leaves what the socket does not take to the pollers,
// and reports whether the connection took it. It never waits for the peer.
func (c *Conn) Send(msg []byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.failed && c.ws.WriteMessage(c.e.msgType, msg) == nil
}

// Fail ends the connection for r; the first reason wins. See the package
// documentation.
func (c *Conn) Fail(r Reason) {
	c.mu.Lock()
	if c.failed {
		c.mu.Unlock()
		return
	}
	c.failed, c.reason = true, r
	c.ping.Stop()
	graceful := !r.Abort && !c.closed && c.ws.WriteClose(int(r.Code), r.Text) == nil
	if graceful {
		c.closeTimer = time.AfterFunc(c.e.opts.CloseTimeout, c.abort)
	}
	c.mu.Unlock()
	if !graceful {
		c.abort()
	}
}

// Failed reports whether the connection is ending: Fail was called or the
// socket closed.
func (c *Conn) Failed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.failed
}

// abort closes the socket without a handshake.
func (c *Conn) abort() { c.ws.Close() }

// end records that the socket closed, for reason unless Fail gave one
// first, and returns the reason the connection ended.
func (c *Conn) end(reason Reason) Reason {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if !c.failed {
		c.failed, c.reason = true, reason
	}
	c.ping.Stop()
	if c.closeTimer != nil {
		c.closeTimer.Stop()
	}
	return c.reason
}

// keepalive fails a peer that has been silent since the last ping, or
// pings it and schedules the next check.
func (c *Conn) keepalive() {
	if !c.heard.Swap(false) && c.pinged {
		c.Fail(ReasonPingTimeout)
		return
	}
	c.pinged = true
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.failed {
		c.ws.WriteMessage(websocket.PingMessage, nil)
		c.ping.Reset(c.e.opts.PingInterval)
	}
}
