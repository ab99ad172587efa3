// Package wspoll serves WebSocket connections from an event loop instead of
// a goroutine per connection, for servers that hold many mostly idle
// sockets (the y-websocket collaboration server). It upgrades a request
// from the ordinary net/http server, then hands the socket to nbio's
// pollers: an idle connection costs a few small structs and no goroutine
// stack, and a message costs no goroutine hand-off on the way out.
//
// # Concurrency
//
// An Engine calls OnMessage and OnClose for one connection one at a time,
// in the order the frames arrived, on a goroutine that a pool (ants) lends
// for that burst of work; different connections run in parallel. The pool
// has no size limit, so a handler may block (for example until the
// connection has joined its room): only its own connection waits. Its
// goroutines are reused, keeping the stacks they grew, and end after ten
// idle seconds. OnClose is called exactly once, after the last
// OnMessage, for every connection that Accept returned.
//
// Send and Fail are safe for concurrent use and never wait for the peer:
// Send writes what the socket takes at once and leaves the rest to the
// pollers, so a room may call it while holding its lock. A connection
// whose unsent bytes pass Options.SendBuffer is dropped as a slow consumer.
//
// # Closing
//
// The first Fail wins. A reason that aborts closes the socket at once;
// any other sends a close frame after what is already queued and closes
// the socket when the peer answers, or after Options.CloseTimeout.
//
// # Keepalive
//
// Every Options.PingInterval the Engine pings each connection; one that
// has sent nothing (no message, ping or pong) for a whole interval after a
// ping is failed with ReasonPingTimeout.
package wspoll
