package worker_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/bus"
	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/queue"
	"github.com/kaicode/kaicode/internal/sandbox"
	"github.com/kaicode/kaicode/internal/worker"
)

// The worker's behaviour with a real store, queue and sandbox is tested
// end to end in package jobs (pipeline_test.go, docker_test.go) and with
// killed processes in cmd/kaicode (worker_crash_test.go).

func TestDefaultConcurrency(t *testing.T) {
	t.Parallel()
	tests := []struct{ cpus, pool, want int }{
		{0, 0, 1}, {2, 1, 2}, {2, 4, 4}, {8, 1, 8},
	}
	for _, tt := range tests {
		if got := worker.DefaultConcurrency(tt.cpus, tt.pool); got != tt.want {
			t.Errorf("DefaultConcurrency(%d, %d) = %d, want %d", tt.cpus, tt.pool, got, tt.want)
		}
	}
}

type nopSandbox struct{}

func (nopSandbox) Run(context.Context, sandbox.Request) (sandbox.Result, error) {
	return sandbox.Result{}, nil
}

func TestNewRejectsIncompleteOptions(t *testing.T) {
	t.Parallel()
	valid := func() worker.Options {
		var q queue.Queue = (*queue.SQLite)(nil)
		var s jobs.Store = nopStore{}
		return worker.Options{Queue: q, Store: s, Sandbox: nopSandbox{}, Bus: bus.NewMemory(0),
			Concurrency: 1, VisibilityTimeout: time.Second, MaxReceives: 1}
	}
	tests := []struct {
		name   string
		change func(*worker.Options)
		want   string
	}{
		{"no queue", func(o *worker.Options) { o.Queue = nil }, "required"},
		{"no sandbox", func(o *worker.Options) { o.Sandbox = nil }, "required"},
		{"no concurrency", func(o *worker.Options) { o.Concurrency = 0 }, "Concurrency"},
		{"no visibility timeout", func(o *worker.Options) { o.VisibilityTimeout = 0 }, "VisibilityTimeout"},
		{"no receives", func(o *worker.Options) { o.MaxReceives = 0 }, "MaxReceives"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := valid()
			tt.change(&o)
			if _, err := worker.New(o); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: %v, want an error naming %s", err, tt.want)
			}
		})
	}
	if _, err := worker.New(valid()); err != nil {
		t.Errorf("New(valid): %v", err)
	}
}

// nopStore satisfies jobs.Store for option checks; it is never called.
type nopStore struct{ jobs.Store }
