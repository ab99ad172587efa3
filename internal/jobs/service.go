package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/google/uuid"

	"github.com/kaicode/kaicode/internal/bus"
	"github.com/kaicode/kaicode/internal/queue"
	"github.com/kaicode/kaicode/internal/sandbox"
)

// Limits are the server's bounds on submissions. Every field is required
// (NewService rejects zero values): no limit can be switched off.
type Limits struct {
	// MaxSource caps the bytes of all source files plus stdin.
	MaxSource int64
	// RatePerMinute is how many jobs one user may submit per minute (with
	// a burst of the same size).
	RatePerMinute int
	// MaxQueuedPerUser bounds one user's queued and running jobs.
	MaxQueuedPerUser int
	// MaxRunTime caps the wall-clock and CPU time a request may ask for,
	// below the language's own maximum.
	MaxRunTime time.Duration
	// MaxMemory caps the memory a request may ask for, in bytes, below the
	// language's own maximum.
	MaxMemory int64
	// MaxWait bounds how long Wait-mode HTTP requests are held.
	MaxWait time.Duration
}

// Options configure a Service.
type Options struct {
	// Store, Queue, Bus and Catalogue are required.
	Store     Store
	Queue     queue.Queue
	Bus       bus.Bus
	Catalogue sandbox.Catalogue
	Limits    Limits
	// Metrics records submissions; nil records nothing.
	Metrics *Metrics
	// Logger receives failures that are not returned (a failed clean-up).
	// Default: discard.
	Logger *slog.Logger
	// PollInterval is how often Wait also reads the store, in case the
	// job runs on another node whose events do not reach this bus.
	// Default 1s.
	PollInterval time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// SweepGrace is how long a job may stay stored but not enqueued before
	// Sweep sends it again. It must exceed the time a Submit takes from
	// storing to enqueueing (and the clock skew between nodes), so a sweep
	// never races a Submit in flight. Default 1m.
	SweepGrace time.Duration
	// SweepMaxAge is how old a job that was never enqueued may get before
	// Sweep stops sending it and marks it failed. Default 10m; at least
	// SweepGrace.
	SweepMaxAge time.Duration
}

// Service accepts jobs and answers questions about them.
type Service struct {
	opts    Options
	limiter *userLimiter
}

// NewService checks opts and returns a Service.
func NewService(opts Options) (*Service, error) {
	switch {
	case opts.Store == nil || opts.Queue == nil || opts.Bus == nil:
		return nil, errors.New("jobs: Store, Queue and Bus are required")
	case opts.Catalogue.Len() == 0:
		return nil, errors.New("jobs: Catalogue is empty")
	case opts.Limits.MaxSource <= 0, opts.Limits.RatePerMinute <= 0, opts.Limits.MaxQueuedPerUser <= 0,
		opts.Limits.MaxRunTime <= 0, opts.Limits.MaxMemory <= 0, opts.Limits.MaxWait <= 0:
		return nil, fmt.Errorf("jobs: every limit must be positive: %+v", opts.Limits)
	case opts.SweepGrace < 0, opts.SweepMaxAge < 0:
		return nil, fmt.Errorf("jobs: SweepGrace %s and SweepMaxAge %s must not be negative", opts.SweepGrace, opts.SweepMaxAge)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.SweepGrace == 0 {
		opts.SweepGrace = time.Minute
	}
	if opts.SweepMaxAge == 0 {
		opts.SweepMaxAge = 10 * time.Minute
	}
	if opts.SweepMaxAge < opts.SweepGrace {
		return nil, fmt.Errorf("jobs: SweepMaxAge %s is shorter than SweepGrace %s", opts.SweepMaxAge, opts.SweepGrace)
	}
	return &Service{opts: opts, limiter: newUserLimiter(opts.Limits.RatePerMinute)}, nil
}

// Submission is one run request from a user.
type Submission struct {
	// User is the authenticated user's id. Required.
	User string
	// Room is the collaboration room the run comes from; empty for API
	// clients. Events of the job are published to it.
	Room string
	// Request is what to run. Zero limits take the language's defaults.
	Request sandbox.Request
}

// Submit validates s, stores it as a queued job, announces it to its room
// (a job.status event, before any worker can pick it up), enqueues it and
// marks it enqueued; Sweep finds a job a crash left unmarked. Errors are *Error
// values: CodeInvalid, CodeUnknownLanguage, CodeTooLarge, CodeLimitTooHigh
// (the caller's), CodeRateLimited, CodeQueueFull (the user's quota) or
// CodeUnavailable (store or queue failed).
func (s *Service) Submit(ctx context.Context, sub Submission) (Job, error) {
	if sub.User == "" {
		return Job{}, errorf(CodeInvalid, "no user")
	}
	req, err := s.validate(sub.Request)
	if err != nil {
		s.opts.Metrics.rejected(CodeOf(err))
		return Job{}, err
	}
	now := s.opts.Now()
	wait, undo := s.limiter.reserve(sub.User, now)
	if wait > 0 {
		s.opts.Metrics.rejected(CodeRateLimited)
		return Job{}, &Error{Code: CodeRateLimited, RetryAfter: wait,
			Message: fmt.Sprintf("more than %d jobs a minute; retry in %s", s.opts.Limits.RatePerMinute, wait.Round(time.Second))}
	}
	id, err := uuid.NewV7()
	if err != nil {
		undo()
		return Job{}, unavailable("allocating a job id", err)
	}
	job := Job{ID: id.String(), Room: sub.Room, User: sub.User, Request: req, Status: StatusQueued, CreatedAt: now}
	if err := s.opts.Store.Insert(ctx, job, s.opts.Limits.MaxQueuedPerUser); err != nil {
		undo()
		if errors.Is(err, ErrUserBusy) {
			s.opts.Metrics.rejected(CodeQueueFull)
			return Job{}, errorf(CodeQueueFull, "you already have %d unfinished jobs; wait for one to finish", s.opts.Limits.MaxQueuedPerUser)
		}
		return Job{}, unavailable("storing the job", err)
	}
	if job.Room != "" {
		// Announced before the queue sees the job, so that no worker's
		// "running" can reach the room ahead of it.
		if err := Publish(ctx, s.opts.Bus, job); err != nil {
			s.opts.Logger.Warn("announcing a queued job", "job", job.ID, "room", job.Room, "error", err)
		}
	}
	if err := s.send(ctx, job); err != nil {
		e := unavailable("enqueueing the job", err)
		if s.abandon(job, err) {
			e.Job = job.ID
		}
		return Job{}, e
	}
	s.opts.Metrics.submitted()
	s.markEnqueued(ctx, job)
	return job, nil
}

// markEnqueued records that job is in the queue, even if the caller has
// gone meanwhile. A failure is only logged: the job will run, and Sweep
// will merely send it again.
func (s *Service) markEnqueued(ctx context.Context, job Job) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.opts.Store.MarkEnqueued(ctx, job.ID, s.opts.Now()); err != nil {
		s.opts.Logger.Warn("job enqueued but not marked so; the sweeper will send it again", "job", job.ID, "error", err)
	}
}

// send enqueues job's message, grouped by room (or user) and deduplicated
// by job id on FIFO queues.
func (s *Service) send(ctx context.Context, job Job) error {
	group := job.Room
	if group == "" {
		group = "user:" + job.User
	}
	return s.opts.Queue.Send(ctx, MessageBody(job.ID), queue.SendOptions{GroupID: group, DedupID: job.ID})
}

// abandon marks a stored job that could not be enqueued as failed, so it
// does not count against its user forever, and tells its room, which saw
// it queued. It reports whether the room was told.
func (s *Service) abandon(job Job, cause error) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	o := Outcome{Status: StatusFailed, Error: "could not be enqueued", At: s.opts.Now()}
	if _, err := s.opts.Store.Finish(ctx, job.ID, o); err != nil {
		s.opts.Logger.Error("job stored but neither enqueued nor failed", "job", job.ID, "enqueue_error", cause, "error", err)
		return false
	}
	if job.Room == "" {
		return false
	}
	failed, err := s.opts.Store.Get(ctx, job.ID)
	if err == nil {
		err = Publish(ctx, s.opts.Bus, failed)
	}
	if err != nil {
		s.opts.Logger.Warn("announcing a job that could not be enqueued", "job", job.ID, "room", job.Room, "error", err)
		return false
	}
	return true
}

// validate checks req against the server's limits and the catalogue and
// returns it with the language's canonical name, default file name and
// default limits filled in.
func (s *Service) validate(req sandbox.Request) (sandbox.Request, error) {
	lim := s.opts.Limits
	if req.Language == "" {
		return req, errorf(CodeInvalid, "language is required")
	}
	lang, ok := s.opts.Catalogue.Lookup(req.Language)
	if !ok {
		return req, errorf(CodeUnknownLanguage, "unknown language %q; GET /api/v1/languages lists them", req.Language)
	}
	size := int64(len(req.Stdin))
	for _, f := range req.Files {
		size += int64(len(f.Content))
	}
	if size > lim.MaxSource {
		return req, errorf(CodeTooLarge, "source and stdin are %d bytes, more than the limit of %d", size, lim.MaxSource)
	}
	maxRun, maxCompile := capLimits(lang.MaxRun, lim), capLimits(lang.MaxCompile, lim)
	if err := checkMax("run", req.Run, maxRun); err != nil {
		return req, err
	}
	req.Run = fillDefaults(req.Run, lang.DefaultRun, maxRun)
	if lang.Compiled() {
		if err := checkMax("compile", req.Compile, maxCompile); err != nil {
			return req, err
		}
		req.Compile = fillDefaults(req.Compile, lang.DefaultCompile, maxCompile)
	}
	plan, err := s.opts.Catalogue.Plan(req)
	switch {
	case errors.Is(err, sandbox.ErrUnknownLanguage):
		return req, &Error{Code: CodeUnknownLanguage, Message: err.Error()}
	case err != nil:
		return req, &Error{Code: CodeInvalid, Message: err.Error()}
	}
	req.Language, req.Files, req.Run, req.Compile = lang.Name, plan.Files, plan.Run, plan.Compile
	return req, nil
}

// MaxLimits returns the largest run and compile limits the server accepts
// for lang.
func (s *Service) MaxLimits(lang sandbox.Language) (run, compile sandbox.Limits) {
	return capLimits(lang.MaxRun, s.opts.Limits), capLimits(lang.MaxCompile, s.opts.Limits)
}

// capLimits lowers a language's maximum limits to the server's.
func capLimits(l sandbox.Limits, lim Limits) sandbox.Limits {
	return sandbox.Limits{
		WallTime: min(l.WallTime, lim.MaxRunTime),
		CPUTime:  min(l.CPUTime, lim.MaxRunTime),
		Memory:   min(l.Memory, lim.MaxMemory),
	}
}

// fillDefaults sets the zero fields of l to the language's default, lowered
// to the server's maximum.
func fillDefaults(l, def, max sandbox.Limits) sandbox.Limits {
	if l.WallTime == 0 {
		l.WallTime = min(def.WallTime, max.WallTime)
	}
	if l.CPUTime == 0 {
		l.CPUTime = min(def.CPUTime, max.CPUTime)
	}
	if l.Memory == 0 {
		l.Memory = min(def.Memory, max.Memory)
	}
	return l
}

// checkMax rejects negative limits and limits above max.
func checkMax(step string, l, max sandbox.Limits) error {
	if l.WallTime < 0 || l.CPUTime < 0 || l.Memory < 0 {
		return errorf(CodeInvalid, "%s limits must not be negative", step)
	}
	switch {
	case l.WallTime > max.WallTime:
		return errorf(CodeLimitTooHigh, "%s wall time %s exceeds the server's maximum of %s", step, l.WallTime, max.WallTime)
	case l.CPUTime > max.CPUTime:
		return errorf(CodeLimitTooHigh, "%s CPU time %s exceeds the server's maximum of %s", step, l.CPUTime, max.CPUTime)
	case l.Memory > max.Memory:
		return errorf(CodeLimitTooHigh, "%s memory %d bytes exceeds the server's maximum of %d", step, l.Memory, max.Memory)
	}
	return nil
}

// Get returns the job with id; CodeNotFound when there is none.
func (s *Service) Get(ctx context.Context, id string) (Job, error) {
	j, err := s.opts.Store.Get(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return Job{}, errorf(CodeNotFound, "no job %q", id)
	case err != nil:
		return Job{}, unavailable("reading the job", err)
	}
	return j, nil
}

// Wait returns job id once it is final, or its latest state with ctx's
// error when ctx ends first. It subscribes to the job's events before it
// reads the store, so a result stored in between is not missed, and reads
// the store again every PollInterval in case the job runs on a node whose
// events do not reach this bus.
func (s *Service) Wait(ctx context.Context, id string) (Job, error) {
	sub, err := s.opts.Bus.Subscribe(ctx, Topic(id))
	if err != nil {
		return Job{}, unavailable("subscribing to the job", err)
	}
	defer sub.Close()
	events := sub.Events()
	tick := time.NewTicker(s.opts.PollInterval)
	defer tick.Stop()
	var last Job
	for {
		j, err := s.Get(ctx, id)
		switch {
		case err != nil && ctx.Err() != nil && last.ID != "":
			return last, context.Cause(ctx)
		case err != nil || j.Status.Final():
			return j, err
		}
		last = j
		select {
		case <-ctx.Done():
			return j, context.Cause(ctx)
		case _, open := <-events:
			if !open {
				events = nil // dropped as slow: polling carries on
			}
		case <-tick.C:
		}
	}
}

// MaxWait is the longest a wait-mode request may be held.
func (s *Service) MaxWait() time.Duration { return s.opts.Limits.MaxWait }

// Catalogue returns the languages the service accepts.
func (s *Service) Catalogue() sandbox.Catalogue { return s.opts.Catalogue }

// retryAfterSeconds rounds d up to whole seconds for a Retry-After header.
func retryAfterSeconds(d time.Duration) int {
	return int(math.Ceil(d.Seconds()))
}
