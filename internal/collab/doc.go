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
// # Several nodes
//
// With Options.Bus, a loaded room relays the updates and awareness changes
// of its own clients to the other nodes that have it loaded, applies
// theirs, and on subscribing asks them, with its state vector, for what it
// lacks (relay.go). Each node stores only what its own clients wrote;
// compaction merges everything stored, by any node, into its snapshot.
//
// # Concurrency
//
// Connections are served by a wspoll.Engine: no goroutine waits on an idle
// socket. The HTTP handler upgrades a request, joins the room and greets
// the client, then returns. A connection's messages are then handled one
// at a time, in order, on a goroutine that lives for the burst (they wait
// until the join has finished). Writes go straight to the socket; what it
// does not take waits in the engine, and a client that lets more than the
// send buffer pile up is dropped; it never blocks the room. Each loaded
// room has one goroutine that loads it, persists its new updates within the
// persist delay, compacts the store in the background and flushes on
// unload. A room's state is guarded by one
// mutex held only for in-memory work; merges and store writes run outside
// it. Shutdown closes every connection with 1001 (going away), flushes every
// room and waits for all of these goroutines.
package collab
