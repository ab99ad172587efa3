// Package wsconn is the WebSocket plumbing that Kaicode's collaboration
// (y-websocket) and sync (/sync JSON) servers share: an upgrade that keeps
// little per connection, a bounded send queue that drops clients too slow
// to read it, keepalive pings, and typed close reasons that carry the close
// code and text. Protocols stay in their own packages.
//
// # Memory
//
// An idle connection costs the goroutine that reads it, the socket and a
// few small structs. Accept gives the connection its own small read and
// write buffers instead of the HTTP server's 4 KiB pair, so a handler that
// hands the connection to a goroutine of its own and returns lets the HTTP
// server's per-request state go. A Conn runs a writer goroutine only while
// it has something to send (and for 20 ms after, so steady
// traffic does not start one per message), and pings from a timer, not a
// goroutine.
//
// # Concurrency
//
// The owner of a Conn reads the socket from one goroutine of its own and
// never writes to it: every write and the close go through the Conn. Send
// and Fail are safe for concurrent use and never wait for the peer, so a
// room may call them while holding its lock; a Fail that aborts closes the
// socket at once and waits only for the Conn's own read and write calls to
// return from it. At most one writer goroutine runs at a
// time, so messages are written in the order Send accepted them. The first
// Fail wins; the writer then sends what is queued (unless the reason
// aborts), closes the socket with the reason and exits, after which Done is
// closed and no goroutine of the Conn remains. The owner must keep reading
// until the read fails (the close handshake needs a reader) and then wait
// for Done.
package wsconn
