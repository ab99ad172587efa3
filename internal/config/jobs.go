package config

import (
	"fmt"
	"time"
)

// Jobs configures job submission and the worker's queue handling.
type Jobs struct {
	// MaxSource caps the total size of a job's source files and stdin, in
	// bytes. Default 256KiB.
	MaxSource int64
	// RatePerMinute is how many jobs one user may submit per minute.
	// Default 30.
	RatePerMinute int
	// MaxQueuedPerUser bounds a user's unfinished jobs. Default 5.
	MaxQueuedPerUser int
	// VisibilityTimeout is how long a received job stays hidden from other
	// workers before it is redelivered; running jobs extend it. Default 30s.
	VisibilityTimeout time.Duration
	// MaxReceives is how often a job is delivered before it is dead-lettered.
	// Default 3.
	MaxReceives int
	// MaxWait bounds how long "?wait=true" holds a request. Default 60s.
	MaxWait time.Duration
	// SweepGrace is how long a stored job may wait to be enqueued (after a
	// crash between the two) before the sweeper sends it. Default 1m.
	SweepGrace time.Duration
	// SweepMaxAge is how old a never-enqueued job may get before the
	// sweeper marks it failed. Default 10m.
	SweepMaxAge time.Duration
}

func (j *Jobs) settings() []setting {
	return []setting{
		{"max-source", []string{"KAICODE_MAX_SOURCE"}, "256KiB", "cap on a job's source files plus stdin", bytesVar(&j.MaxSource)},
		{"rate-per-minute", []string{"KAICODE_RATE_PER_MINUTE"}, "30", "jobs one user may submit per minute", intVar(&j.RatePerMinute, 1, 100000)},
		{"max-queued-per-user", []string{"KAICODE_MAX_QUEUED_PER_USER"}, "5", "unfinished jobs one user may have", intVar(&j.MaxQueuedPerUser, 1, 10000)},
		{"visibility-timeout", []string{"KAICODE_VISIBILITY_TIMEOUT"}, "30s", "how long a received job is hidden before redelivery", durationVar(&j.VisibilityTimeout)},
		{"max-receives", []string{"KAICODE_MAX_RECEIVES"}, "3", "deliveries of a job before it is dead-lettered", intVar(&j.MaxReceives, 1, 100)},
		{"max-wait", []string{"KAICODE_MAX_WAIT"}, "60s", "longest hold of a ?wait=true request", durationVar(&j.MaxWait)},
		{"sweep-grace", []string{"KAICODE_SWEEP_GRACE"}, "1m", "how long a stored job may wait to be enqueued before it is sent again", durationVar(&j.SweepGrace)},
		{"sweep-max-age", []string{"KAICODE_SWEEP_MAX_AGE"}, "10m", "age at which a never-enqueued job is marked failed", durationVar(&j.SweepMaxAge)},
	}
}

func (j Jobs) validate() error {
	if j.MaxSource < 1<<10 {
		return fmt.Errorf("invalid --max-source %s: must be at least 1KiB", FormatBytes(j.MaxSource))
	}
	if j.VisibilityTimeout < time.Second {
		return fmt.Errorf("invalid --visibility-timeout %s: must be at least 1s", j.VisibilityTimeout)
	}
	if j.MaxWait < time.Second {
		return fmt.Errorf("invalid --max-wait %s: must be at least 1s", j.MaxWait)
	}
	if j.SweepGrace < time.Second {
		return fmt.Errorf("invalid --sweep-grace %s: must be at least 1s", j.SweepGrace)
	}
	if j.SweepMaxAge < j.SweepGrace {
		return fmt.Errorf("invalid --sweep-max-age %s: must be at least --sweep-grace", j.SweepMaxAge)
	}
	return nil
}
