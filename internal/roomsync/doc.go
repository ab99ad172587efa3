// Package roomsync is the /sync room protocol server: the JSON WebSocket
// the existing Kaicode web frontend opens beside its Yjs socket, for
// authentication, runs, their output and the room's shared state.
//
// # Protocol
//
// Every frame is a JSON text message with an "event" field. A client first
// sends "auth" (token, room_name); anything else first, or nothing within
// the auth timeout, closes the socket with 1008 (policy violation) and a
// reason. Then it may send "sync" (the editor's whole text, stored after a
// quiet period), "judge" (a run: answered by exactly one "output", to the
// whole room when the run happened, to the requester alone when it could
// not be queued) and "language". The server adds events the original
// frontend ignores: "authenticated", "status", "presence", "language" and
// "error". wire.go lists every message.
//
// # Concurrency
//
// Connections are served by a wspoll.Engine: no goroutine waits on an idle
// socket. A connection's messages are handled one at a time, in order, on
// a goroutine that lives for the burst; its writes go straight to the
// socket, what the socket does not take waits in the engine (a client that
// lets 4 MiB pile up is dropped and counted as slow_consumer), and the
// close carries the connection's reason after what is already sent. Each
// room with connections on this
// node has one goroutine that reads the room's bus topic (job events from
// any worker, language and status from any node) and fans each event out,
// encoded once, to the room's connections. Run output is remembered per room in memory and in the
// store for late joiners. A text writer goroutine stores room texts after a
// quiet period. Shutdown closes every connection with 1001, waits for
// every goroutine and flushes the text writer.
package roomsync
