// Package store keeps Kaicode's durable data, one small type per concern
// (Jobs for code-execution jobs; documents and rooms have their own), each
// creating its own tables in a shared database.
//
// The SQLite types take the *sql.DB opened by package sqlitedb; every type
// is safe for concurrent use by goroutines and by processes sharing the
// file. The consumer packages define the interfaces these types satisfy
// (jobs.Store), so a PostgreSQL implementation can sit beside them.
package store
