package jobs

import (
	"context"
	"fmt"
	"time"
)

// sweepBatch bounds the jobs one Sweep handles, so a sweep while the queue
// is down stays short; the rest wait for the next sweep.
const sweepBatch = 100

// Sweep finishes what a Submit interrupted between storing a job and
// marking it enqueued (a crash, or a failed mark): it sends again each
// queued job that has gone unmarked for longer than SweepGrace, then marks
// it, and marks failed each such job older than SweepMaxAge, so it stops
// counting against its user. Sending again is safe: a worker acknowledges
// the delivery of a job whose outcome is stored, and outcomes are written
// once. Sweep stops at the first failure and returns it; the jobs left are
// swept next time. It is safe to run on several nodes at once.
func (s *Service) Sweep(ctx context.Context) error {
	now := s.opts.Now()
	stale, err := s.opts.Store.Unenqueued(ctx, now.Add(-s.opts.SweepGrace), sweepBatch)
	if err != nil {
		return fmt.Errorf("jobs: sweep: %w", err)
	}
	for _, j := range stale {
		if now.Sub(j.CreatedAt) > s.opts.SweepMaxAge {
			err = s.failUnenqueued(ctx, j, now)
		} else {
			err = s.resend(ctx, j, now)
		}
		if err != nil {
			return fmt.Errorf("jobs: sweep: %w", err)
		}
	}
	return nil
}

// resend enqueues job again and marks it enqueued at now.
func (s *Service) resend(ctx context.Context, job Job, now time.Time) error {
	if err := s.send(ctx, job); err != nil {
		return fmt.Errorf("re-send job %s: %w", job.ID, err)
	}
	s.opts.Metrics.swept(sweptResent)
	if err := s.opts.Store.MarkEnqueued(ctx, job.ID, now); err != nil {
		return fmt.Errorf("mark re-sent job %s enqueued: %w", job.ID, err)
	}
	s.opts.Logger.Info("re-sent a job that was stored but never enqueued", "job", job.ID, "age", now.Sub(job.CreatedAt))
	return nil
}

// failUnenqueued marks job, never enqueued, failed at now and announces
// it to whoever waits for it.
func (s *Service) failUnenqueued(ctx context.Context, job Job, now time.Time) error {
	o := Outcome{Status: StatusFailed, At: now,
		Error: fmt.Sprintf("never enqueued: not handed to the queue within %s of submission", s.opts.SweepMaxAge)}
	written, err := s.opts.Store.Finish(ctx, job.ID, o)
	if err != nil {
		return fmt.Errorf("fail job %s that was never enqueued: %w", job.ID, err)
	}
	if !written {
		return nil
	}
	s.opts.Metrics.swept(sweptFailed)
	s.opts.Logger.Warn("failed a job that was never enqueued", "job", job.ID, "age", now.Sub(job.CreatedAt))
	job.Status, job.Error, job.FinishedAt = o.Status, o.Error, o.At
	if err := Publish(ctx, s.opts.Bus, job); err != nil {
		s.opts.Logger.Warn("announcing a failed job", "job", job.ID, "error", err)
	}
	return nil
}

// RunSweeper calls Sweep at once and then every interval until ctx ends,
// logging its failures. A process that runs a worker runs it.
func (s *Service) RunSweeper(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.opts.Logger.Error("sweeping jobs that were never enqueued", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
