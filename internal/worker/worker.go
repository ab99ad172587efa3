// Package worker executes queued jobs: it receives job messages from the
// queue, runs each job in the sandbox, stores its outcome once and
// announces it on the bus.
//
// A message is acknowledged (deleted) only after the job's outcome is
// stored, so a worker that dies mid-job leaves the message to be
// redelivered after the visibility timeout, which the worker extends while
// a job runs. A redelivered job whose outcome is already stored is
// acknowledged without running again, and the store writes an outcome at
// most once, so a user sees exactly one result. A job delivered more than
// MaxReceives times is dead-lettered: marked failed with a reason and
// acknowledged, so a job that kills its workers cannot loop forever.
//
// Run owns every goroutine it starts and returns only after all of them
// have ended.
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/kaicode/kaicode/internal/bus"
	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/queue"
	"github.com/kaicode/kaicode/internal/sandbox"
)

// Options configure a Worker.
type Options struct {
	// Queue, Store, Sandbox and Bus are required.
	Queue   queue.Queue
	Store   jobs.Store
	Sandbox sandbox.Sandbox
	Bus     bus.Bus
	// Concurrency is the number of jobs run at once. Required; see
	// DefaultConcurrency.
	Concurrency int
	// VisibilityTimeout is the queue's; a running job's message is
	// extended by this much every third of it. Required.
	VisibilityTimeout time.Duration
	// MaxReceives is how many deliveries of a job may start it; the next
	// one dead-letters it. Required.
	MaxReceives int
	// ReceiveWait is how long one Receive call waits for messages.
	// Default 5s.
	ReceiveWait time.Duration
	// DrainTimeout is how long Run lets running jobs finish after its
	// context ends; jobs still running then are cancelled and left
	// unacknowledged, to be redelivered. Default 20s.
	DrainTimeout time.Duration
	// Metrics records runs; nil records nothing.
	Metrics *jobs.Metrics
	// Logger receives job failures. Default: discard.
	Logger *slog.Logger
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Worker runs jobs from a queue.
type Worker struct {
	opts Options
	log  *slog.Logger
}

// DefaultConcurrency is the number of runners for a machine with cpus
// CPUs and poolSize warm containers per language: enough to keep every
// CPU and every warm container busy.
func DefaultConcurrency(cpus, poolSize int) int {
	return max(1, cpus, poolSize)
}

// New checks opts and returns a Worker.
func New(opts Options) (*Worker, error) {
	switch {
	case opts.Queue == nil || opts.Store == nil || opts.Sandbox == nil || opts.Bus == nil:
		return nil, errors.New("worker: Queue, Store, Sandbox and Bus are required")
	case opts.Concurrency < 1:
		return nil, fmt.Errorf("worker: Concurrency %d must be at least 1", opts.Concurrency)
	case opts.VisibilityTimeout <= 0:
		return nil, fmt.Errorf("worker: VisibilityTimeout %s must be positive", opts.VisibilityTimeout)
	case opts.MaxReceives < 1:
		return nil, fmt.Errorf("worker: MaxReceives %d must be at least 1", opts.MaxReceives)
	}
	if opts.ReceiveWait <= 0 {
		opts.ReceiveWait = 5 * time.Second
	}
	if opts.DrainTimeout <= 0 {
		opts.DrainTimeout = 20 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Worker{opts: opts, log: opts.Logger}, nil
}

// errShutdown cancels the jobs still running when the drain time is over.
var errShutdown = errors.New("worker: shutting down")

// Run receives and runs jobs until ctx ends, then stops receiving, lets
// running jobs finish for up to DrainTimeout and cancels the rest, which
// are left to be redelivered. It returns nil after a shutdown, or the
// queue's error if the queue was closed under it.
func (w *Worker) Run(ctx context.Context) error {
	jobCtx, cancelJobs := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancelJobs(errShutdown)
	var running sync.WaitGroup
	err := w.receiveLoop(ctx, jobCtx, &running)

	drained := make(chan struct{})
	go func() {
		running.Wait()
		close(drained)
	}()
	timer := time.NewTimer(w.opts.DrainTimeout)
	defer timer.Stop()
	select {
	case <-drained:
	case <-timer.C:
		w.log.Warn("drain timeout: cancelling running jobs, they will be redelivered", "timeout", w.opts.DrainTimeout)
		cancelJobs(errShutdown)
		<-drained
	}
	return err
}

// receiveLoop receives as many messages as there are free runners and
// starts one goroutine per message, until ctx ends.
func (w *Worker) receiveLoop(ctx, jobCtx context.Context, running *sync.WaitGroup) error {
	slots := make(chan struct{}, w.opts.Concurrency)
	for {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		free := 1
	more:
		for free < w.opts.Concurrency {
			select {
			case slots <- struct{}{}:
				free++
			default:
				break more
			}
		}
		msgs, err := w.opts.Queue.Receive(ctx, free, w.opts.ReceiveWait)
		for range free - len(msgs) {
			<-slots
		}
		switch {
		case ctx.Err() != nil:
			w.release(msgs)
			return nil
		case errors.Is(err, queue.ErrClosed):
			return fmt.Errorf("worker: receive: %w", err)
		case err != nil:
			w.log.Error("receive from queue failed; retrying", "error", err)
			if !sleep(ctx, time.Second) {
				return nil
			}
			continue
		}
		for _, m := range msgs {
			running.Go(func() {
				defer func() { <-slots }()
				w.handle(jobCtx, m)
			})
		}
	}
}

// release makes messages received during shutdown visible again at once.
func (w *Worker) release(msgs []queue.Message) {
	for _, m := range msgs {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if err := w.opts.Queue.Extend(ctx, m, 0); err != nil {
			w.log.Warn("could not release message at shutdown; it returns after the visibility timeout", "message", m.ID, "error", err)
		}
		cancel()
	}
}

// sleep waits d or until ctx ends, reporting whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
