// Package collab is Kaicode's Yjs collaboration server: it speaks the
// y-websocket protocol on /ws/{room}, keeps each room's document in memory
// while anyone is connected, and persists it through a DocStore.
//
// # Rooms
//
// A room is loaded from the store when its first connection arrives and is
// unloaded, after a final flush, when it has been empty for the unload
// grace period. Its document is kept as one merged update plus the updates
// accepted since the last merge; small updates are never merged into the
// whole document on the hot path, only when a joiner needs the full state,
// when enough have accumulated, or when the store is compacted.
//
// # Concurrency
//
// Each connection has one goroutine of its own, which reads and applies
// messages; the HTTP handler starts it and returns, so the server keeps no
// per-request state. A wsconn.Conn owns every write: it drains the
// connection's bounded send queue from a writer goroutine that runs only
// while there is something to send, and pings from a timer. A connection
// whose queue overflows is dropped; it never blocks the room. Each loaded
// room has one goroutine that loads it, persists its new updates within the
// persist delay, compacts the store in the background and flushes on
// unload. A room's state is guarded by one
// mutex held only for in-memory work; merges and store writes run outside
// it. Shutdown closes every connection with 1001 (going away), flushes every
// room and waits for all of these goroutines.
package collab
