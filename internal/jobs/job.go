// Package jobs turns run requests into durable jobs and serves them over
// HTTP.
//
// Service.Submit is the single entry point: it validates a request against
// the language catalogue and the server's limits, applies the per-user rate
// limit and the bound on unfinished jobs, stores the job as queued, enqueues
// its id and marks it enqueued; Service.Sweep (sweep.go) enqueues or fails
// the jobs a crash left stored but unmarked. A worker (package worker) executes it and writes the
// result once through the same Store; Service.Wait and the bus events
// (events.go) tell callers when it is done.
//
// The REST API (/api/v1) and the Piston-compatible API (/api/v2) in this
// package are thin layers over Service; every error they return comes from
// one mapping of the Error codes to HTTP statuses.
//
// Service is safe for concurrent use.
package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/kaicode/kaicode/internal/sandbox"
)

// Status is where a job is in its life.
type Status string

// The statuses of a job. Finished and failed are final.
const (
	// StatusQueued: stored, not yet picked up. Its message is in the
	// queue, or about to be (see Service.Sweep).
	StatusQueued Status = "queued"
	// StatusRunning: a worker is executing it (or died doing so, in which
	// case it is redelivered after the visibility timeout).
	StatusRunning Status = "running"
	// StatusFinished: the sandbox produced a Result. The user's program may
	// still have failed; Result.Status says how it ended.
	StatusFinished Status = "finished"
	// StatusFailed: no Result could be produced; Job.Error says why (the
	// request was refused by the sandbox, or the job was dead-lettered
	// after too many deliveries).
	StatusFailed Status = "failed"
)

// Final reports whether s is a terminal status.
func (s Status) Final() bool { return s == StatusFinished || s == StatusFailed }

// Job is one run request and, once done, its outcome.
type Job struct {
	ID string
	// Room is the collaboration room the job was run from; empty for jobs
	// submitted through the HTTP APIs.
	Room string
	// User is the submitting user's id.
	User string
	// Request is the validated request: Language is the catalogue name.
	Request sandbox.Request
	Status  Status
	// Result is set when Status is StatusFinished.
	Result *sandbox.Result
	// Error explains StatusFailed.
	Error string
	// Attempts counts the deliveries that started executing the job.
	Attempts int
	// CreatedAt is when the job was submitted; StartedAt when the last
	// attempt started; FinishedAt when the outcome was stored. Zero when
	// not yet reached.
	CreatedAt  time.Time
	StartedAt  time.Time
	FinishedAt time.Time
}

// Outcome is the final state a worker records for a job.
type Outcome struct {
	// Status is StatusFinished or StatusFailed.
	Status Status
	// Result is the sandbox's result when Status is StatusFinished.
	Result *sandbox.Result
	// Error explains StatusFailed.
	Error string
	// At is when the outcome was reached.
	At time.Time
}

// Errors a Store returns.
var (
	// ErrNotFound means no job has the id.
	ErrNotFound = errors.New("job not found")
	// ErrUserBusy means the user already has the maximum number of
	// unfinished jobs.
	ErrUserBusy = errors.New("too many unfinished jobs")
)

// Store keeps jobs durably. Implementations (package store) are safe for
// concurrent use by several goroutines and processes sharing the same
// database, and wrap ErrNotFound and ErrUserBusy where documented.
type Store interface {
	// Insert stores a new job, not yet enqueued, unless its user already
	// has maxUnfinished or more queued or running jobs (then ErrUserBusy).
	// The check and the insert are one atomic step.
	Insert(ctx context.Context, job Job, maxUnfinished int) error
	// MarkEnqueued records that job id's message was handed to the queue
	// at at. Marking a job already marked keeps the first time.
	// ErrNotFound when there is no such job.
	MarkEnqueued(ctx context.Context, id string, at time.Time) error
	// Unenqueued returns at most limit queued jobs that were never marked
	// enqueued and were created before createdBefore, oldest first.
	Unenqueued(ctx context.Context, createdBefore time.Time, limit int) ([]Job, error)
	// Get returns the job with id, or ErrNotFound.
	Get(ctx context.Context, id string) (Job, error)
	// Start marks a queued or running job as running, counts the attempt
	// and records at as its start, then returns the job. A job whose
	// outcome is already stored is returned unchanged, so the caller can
	// see it needs no run. ErrNotFound when there is no such job.
	Start(ctx context.Context, id string, at time.Time) (Job, error)
	// Finish records the outcome of a job that has none yet and reports
	// whether it did. It writes at most once per job: a second Finish (a
	// redelivered job executed twice) changes nothing and returns false.
	Finish(ctx context.Context, id string, o Outcome) (bool, error)
	// Ping reports whether the store can be reached.
	Ping(ctx context.Context) error
}
