package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/queue"
	"github.com/kaicode/kaicode/internal/sandbox"
)

// runMargin is added to a job's own time limits to bound a sandbox call
// that hangs (an engine that stops answering).
const runMargin = 30 * time.Second

// handle processes one delivery of a job message. It acknowledges the
// message only when the job's outcome is stored (now, or by an earlier
// delivery) or the message can never succeed; in every other case it
// leaves the message to be redelivered.
func (w *Worker) handle(ctx context.Context, m queue.Message) {
	id, err := jobs.ParseMessage(m.Body)
	if err != nil {
		w.log.Error("dropping malformed queue message", "message", m.ID, "error", err)
		w.ack(m, w.log)
		return
	}
	log := w.log.With("job", id, "delivery", m.ReceiveCount)
	job, err := w.opts.Store.Get(ctx, id)
	switch {
	case errors.Is(err, jobs.ErrNotFound):
		log.Error("dropping queue message of a job that is not in the store")
		w.ack(m, log)
		return
	case err != nil:
		log.Error("reading job failed; leaving it for redelivery", "error", err)
		return
	case job.Status.Final():
		log.Info("job already has its outcome; acknowledging the repeated delivery")
		w.ack(m, log)
		return
	case m.ReceiveCount > w.opts.MaxReceives:
		reason := fmt.Sprintf("dead-lettered: delivered %d times without an outcome (the workers running it stopped or failed)", m.ReceiveCount)
		log.Error("dead-lettering job", "reason", reason)
		w.complete(ctx, m, job, jobs.Outcome{Status: jobs.StatusFailed, Error: reason}, log)
		return
	}

	job, err = w.opts.Store.Start(ctx, id, w.opts.Now())
	if err != nil {
		log.Error("marking job running failed; leaving it for redelivery", "error", err)
		return
	}
	if job.Status.Final() {
		w.ack(m, log)
		return
	}
	w.opts.Metrics.Started()
	w.publish(ctx, job, log)

	res, err := w.run(ctx, m, job, log)
	switch {
	case ctx.Err() != nil:
		log.Warn("job interrupted by shutdown; it will be redelivered", "cause", context.Cause(ctx))
	case errors.Is(err, sandbox.ErrBadRequest), errors.Is(err, sandbox.ErrUnknownLanguage):
		w.complete(ctx, m, job, jobs.Outcome{Status: jobs.StatusFailed, Error: err.Error()}, log)
	case err != nil:
		log.Error("sandbox failed; the job will be retried", "error", err)
		w.retryLater(ctx, m, log)
	default:
		w.complete(ctx, m, job, jobs.Outcome{Status: jobs.StatusFinished, Result: &res}, log)
	}
}

// run executes job in the sandbox while keeping m hidden from other
// workers.
func (w *Worker) run(ctx context.Context, m queue.Message, job jobs.Job, log *slog.Logger) (sandbox.Result, error) {
	limit := job.Request.Compile.WallTime + job.Request.Run.WallTime + runMargin
	runCtx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	stop := w.keepHidden(runCtx, m, log)
	defer stop()
	return w.opts.Sandbox.Run(runCtx, job.Request)
}

// keepHidden extends m's visibility every third of the timeout until the
// returned function is called; that function returns once the extending
// goroutine has ended.
func (w *Worker) keepHidden(ctx context.Context, m queue.Message, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(w.opts.VisibilityTimeout / 3)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if err := w.opts.Queue.Extend(ctx, m, w.opts.VisibilityTimeout); err != nil && ctx.Err() == nil {
					log.Warn("extending the job's visibility failed; another worker may receive it", "error", err)
				}
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// complete stores o as job's outcome and, once stored, announces it and
// acknowledges m. If the outcome was stored by another delivery first,
// only the acknowledgement remains to do.
func (w *Worker) complete(ctx context.Context, m queue.Message, job jobs.Job, o jobs.Outcome, log *slog.Logger) {
	o.At = w.opts.Now()
	written, err := w.opts.Store.Finish(ctx, job.ID, o)
	if err != nil {
		log.Error("storing the outcome failed; the job will be redelivered", "error", err)
		return
	}
	if written {
		job.Status, job.Result, job.Error, job.FinishedAt = o.Status, o.Result, o.Error, o.At
		w.opts.Metrics.Finished(job, o.At)
		w.publish(ctx, job, log)
		log.Info("job done", "status", job.Status, "latency", o.At.Sub(job.CreatedAt))
	} else {
		log.Info("another delivery stored the outcome first; discarding this one")
	}
	w.ack(m, log)
}

// publish announces job on the bus; subscribers that miss it read the
// store.
func (w *Worker) publish(ctx context.Context, job jobs.Job, log *slog.Logger) {
	if err := jobs.Publish(ctx, w.opts.Bus, job); err != nil {
		log.Warn("publishing job event failed", "error", err)
	}
}

// ack deletes m. A failed delete only costs a redelivery, which finds the
// outcome stored and acknowledges again.
func (w *Worker) ack(m queue.Message, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.opts.Queue.Delete(ctx, m); err != nil {
		log.Warn("acknowledging the message failed; it will be redelivered and acknowledged then", "error", err)
	}
}

// retryLater makes m visible again after a back-off that grows with its
// deliveries, instead of the full visibility timeout.
func (w *Worker) retryLater(ctx context.Context, m queue.Message, log *slog.Logger) {
	delay := min(time.Duration(m.ReceiveCount)*time.Second, w.opts.VisibilityTimeout)
	if err := w.opts.Queue.Extend(ctx, m, delay); err != nil {
		log.Warn("scheduling the retry failed; it returns after the visibility timeout", "error", err)
	}
}
