// Package pgstore keeps Kaicode's durable data in PostgreSQL, so several
// kaicode nodes can share it. It has the same types, methods and semantics
// as the SQLite stores of package store (Jobs, Rooms, RoomTexts, Docs), and
// the same conformance suites run against both.
//
// Every table lives in the schema "kaicode", so nothing collides with the
// tables of the frontend when DATABASE_URL names the frontend's database.
// Each New function creates its tables if needed, under a transaction-level
// advisory lock, so nodes starting together can all do it.
//
// Every type is safe for concurrent use by goroutines and by nodes sharing
// the database. Where the SQLite stores rely on SQLite's single writer
// (the per-user bound of Jobs.Insert, the replacement of an allow-list,
// the order of a room's document updates), these types take an advisory
// lock scoped to the user or room for the length of one transaction.
package pgstore
