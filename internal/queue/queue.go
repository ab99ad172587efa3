// Package queue moves job messages from the servers that accept runs to the
// workers that execute them, with at-least-once delivery.
//
// Two implementations share one contract, checked by the conformance suite
// in package queuetest:
//
//   - SQLite, the embedded default: tables in the server's SQLite data file,
//     durable across restarts, shared safely by goroutines of one process and
//     by several processes using the same file.
//   - SQS, for several machines: an Amazon SQS queue (or any endpoint that
//     speaks its JSON protocol), standard or FIFO.
//
// # Delivery
//
// A received message is hidden from other receivers for the visibility
// timeout. The receiver acknowledges it with Delete once the work is done,
// keeps it hidden for longer with Extend, or lets the timeout lapse, after
// which the message is delivered again with ReceiveCount one higher. A
// message is therefore processed at least once: handlers must tolerate a
// repeat (a worker that died mid-job, or one slower than its visibility
// timeout without extending it).
//
// # Ordering
//
// Standard queues give no ordering guarantee. FIFO queues (SQS FIFO, and
// SQLite with SQLiteOptions.FIFO) deliver the messages of one group
// (SendOptions.GroupID) in the order they were sent and hold back the rest of
// a group while one of its messages is in flight; different groups proceed
// independently.
//
// # Concurrency
//
// Every Queue method is safe for concurrent use. Any number of goroutines
// and processes may receive from one queue; a message is in the hands of at
// most one receiver at a time, as long as each finishes (or extends) within
// the visibility timeout.
package queue

import (
	"context"
	"errors"
	"time"
)

// Message is one received message. Receipt identifies this delivery: Delete
// and Extend act on the delivery, not on the message, so a receiver whose
// visibility timeout lapsed cannot disturb the next receiver of the message.
type Message struct {
	// ID identifies the message across deliveries.
	ID string
	// Body is the payload, as sent.
	Body []byte
	// ReceiveCount is how many times the message has been received,
	// this delivery included: 1 on the first delivery. A worker may treat a
	// message with a high count as poison.
	ReceiveCount int
	// Receipt identifies this delivery.
	Receipt string
}

// SendOptions carries the per-message settings of FIFO queues. Standard
// queues ignore it.
type SendOptions struct {
	// GroupID orders messages: those of one group are delivered one at a time
	// in send order (Kaicode uses the room). Empty is a group of its own.
	GroupID string
	// DedupID drops a repeated send: a second message with the same DedupID
	// is accepted but not enqueued (Kaicode uses the job ID). Empty means no
	// deduplication. On SQS the window is five minutes; on SQLite it lasts
	// while the first message is in the queue.
	DedupID string
}

// Queue is a message queue with SQS semantics. See the package
// documentation for the delivery, ordering and concurrency rules.
type Queue interface {
	// Send enqueues body.
	Send(ctx context.Context, body []byte, opts SendOptions) error
	// Receive waits up to wait for at most max messages, hiding each for the
	// visibility timeout. It returns as soon as at least one message is
	// available, and an empty slice with a nil error when wait passes without
	// one. A max below 1 counts as 1.
	Receive(ctx context.Context, max int, wait time.Duration) ([]Message, error)
	// Delete acknowledges m: the message is not delivered again. Deleting a
	// message already deleted succeeds. With the receipt of an earlier
	// delivery, Delete either returns ErrReceiptExpired or succeeds
	// (SQS standard queues may then delete the message anyway).
	Delete(ctx context.Context, m Message) error
	// Extend hides m for d from now, replacing the rest of its visibility
	// timeout; d of 0 makes it visible again at once (a negative
	// acknowledgement). It returns ErrReceiptExpired when m is no longer in
	// flight under this receipt (SQS standard queues may apply it anyway).
	Extend(ctx context.Context, m Message, d time.Duration) error
	// Depth returns the approximate number of messages waiting to be received.
	Depth(ctx context.Context) (int, error)
	// Close stops the queue: calls waiting in Receive return ErrClosed, and
	// so does every later call. Close does not close resources it was given
	// (such as the *sql.DB). Calling it again returns nil.
	Close() error
}

var (
	// ErrReceiptExpired reports that a receipt no longer identifies the
	// message's current delivery: its visibility timeout lapsed (and it may
	// have been received again), or it was deleted.
	ErrReceiptExpired = errors.New("queue: receipt expired")
	// ErrClosed reports a call on a closed queue.
	ErrClosed = errors.New("queue: closed")
)
