// Package storetest holds the conformance suites that every implementation
// of the room and document stores must pass: the SQLite types of package
// store and the PostgreSQL types of package pgstore run the same suites
// (the jobs store has its own, in package jobstest).
//
// Each suite asks its constructor for a fresh, empty store per case and
// runs the cases in parallel.
package storetest
