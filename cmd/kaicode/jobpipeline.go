package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kaicode/kaicode/internal/bus"
	"github.com/kaicode/kaicode/internal/config"
	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/queue"
	"github.com/kaicode/kaicode/internal/sandbox"
	"github.com/kaicode/kaicode/internal/sandbox/docker"
	"github.com/kaicode/kaicode/internal/server"
	"github.com/kaicode/kaicode/internal/worker"
)

// queueDeadLetterMargin is how many deliveries beyond --max-receives the
// embedded queue allows before it buries a message itself. The worker
// dead-letters jobs (marking them failed) at --max-receives; the queue's
// own limit is only a backstop for a worker that cannot even do that.
const queueDeadLetterMargin = 5

// sweepInterval is how often a process running a worker looks for jobs that
// were stored but never enqueued (see jobs.Service.Sweep).
const sweepInterval = 30 * time.Second

// jobPipeline is the job side of one process: store, queue, the service
// that accepts jobs and, when this process runs jobs, the sandbox and the
// worker.
type jobPipeline struct {
	store   jobs.Store
	queue   queue.Queue
	sandbox *docker.Sandbox // nil without a worker
	service *jobs.Service
	worker  *worker.Worker // nil without a worker
	checks  []server.Check
}

// openJobPipeline builds the pipeline on st, publishing job events on
// events. With runJobs it also connects to Docker and builds a worker.
func openJobPipeline(ctx context.Context, cfg *config.Config, log *slog.Logger, reg prometheus.Registerer,
	st *stores, events bus.Bus, runJobs bool) (_ *jobPipeline, err error) {
	p := &jobPipeline{}
	defer func() {
		if err != nil {
			p.close(log)
		}
	}()
	p.store = st.jobs
	if p.queue, err = openQueue(ctx, cfg, st.db); err != nil {
		return nil, err
	}
	p.checks = []server.Check{
		{Name: "store", Probe: p.store.Ping},
		{Name: "queue", Probe: func(ctx context.Context) error { _, err := p.queue.Depth(ctx); return err }},
	}
	metrics := jobs.NewMetrics(reg)
	jobs.RegisterQueueDepth(reg, p.queue)

	catalogue := sandbox.Builtin().Capped(cfg.Sandbox.MaxRunTime, cfg.Sandbox.MaxMemory)
	if runJobs {
		p.sandbox, err = docker.New(ctx, docker.Options{
			PoolSize: cfg.Sandbox.PoolSize, ImagePrefix: cfg.Sandbox.ImagePrefix,
			MaxRunTime: cfg.Sandbox.MaxRunTime, MaxMemory: cfg.Sandbox.MaxMemory,
			OutputLimit: int(cfg.Sandbox.OutputLimit), Registerer: reg, Logger: log,
		})
		if err != nil {
			return nil, fmt.Errorf("start the job sandbox (or run with --worker=false and a separate 'kaicode worker'): %w", err)
		}
		catalogue = p.sandbox.Catalogue()
		p.checks = append(p.checks, server.Check{Name: "docker", Probe: p.sandbox.Ping})
		concurrency := cfg.Workers
		if concurrency == 0 {
			concurrency = worker.DefaultConcurrency(runtime.NumCPU(), cfg.Sandbox.PoolSize)
		}
		p.worker, err = worker.New(worker.Options{
			Queue: p.queue, Store: p.store, Sandbox: p.sandbox, Bus: events,
			Concurrency: concurrency, VisibilityTimeout: cfg.Jobs.VisibilityTimeout,
			MaxReceives: cfg.Jobs.MaxReceives, DrainTimeout: cfg.ShutdownTimeout,
			Metrics: metrics, Logger: log.With("component", "worker"),
		})
		if err != nil {
			return nil, err
		}
		log.Info("job worker ready", "concurrency", concurrency, "languages", catalogue.Len())
	}
	p.service, err = jobs.NewService(jobs.Options{
		Store: p.store, Queue: p.queue, Bus: events, Catalogue: catalogue, Metrics: metrics,
		Logger:     log.With("component", "jobs"),
		SweepGrace: cfg.Jobs.SweepGrace, SweepMaxAge: cfg.Jobs.SweepMaxAge,
		Limits: jobs.Limits{
			MaxSource: cfg.Jobs.MaxSource, RatePerMinute: cfg.Jobs.RatePerMinute,
			MaxQueuedPerUser: cfg.Jobs.MaxQueuedPerUser, MaxRunTime: cfg.Sandbox.MaxRunTime,
			MaxMemory: cfg.Sandbox.MaxMemory, MaxWait: cfg.Jobs.MaxWait,
		},
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// openQueue returns the SQS queue when --sqs-queue-url is set, else the
// embedded queue in db.
func openQueue(ctx context.Context, cfg *config.Config, db *sql.DB) (queue.Queue, error) {
	if cfg.AWS.QueueURL != "" {
		return queue.NewSQS(ctx, queue.SQSOptions{
			QueueURL: cfg.AWS.QueueURL, Region: cfg.AWS.Region, Endpoint: cfg.AWS.Endpoint,
			AccessKey: cfg.AWS.AccessKeyID, SecretKey: cfg.AWS.SecretAccessKey,
			VisibilityTimeout: cfg.Jobs.VisibilityTimeout,
		})
	}
	return queue.NewSQLite(ctx, db, queue.SQLiteOptions{
		VisibilityTimeout: cfg.Jobs.VisibilityTimeout,
		MaxReceives:       cfg.Jobs.MaxReceives + queueDeadLetterMargin,
	})
}

// startWorker runs the worker, if any, and beside it the sweeper of jobs a
// crash left unenqueued, until ctx ends; the returned function waits for
// both to stop and returns the worker's error.
func (p *jobPipeline) startWorker(ctx context.Context) (wait func() error) {
	if p.worker == nil {
		return func() error { return nil }
	}
	done, swept := make(chan error, 1), make(chan struct{})
	go func() { done <- p.worker.Run(ctx) }()
	go func() {
		defer close(swept)
		p.service.RunSweeper(ctx, sweepInterval)
	}()
	return func() error {
		<-swept
		return <-done
	}
}

// close releases the queue and the sandbox's containers, logging
// failures. The database is the caller's.
func (p *jobPipeline) close(log *slog.Logger) {
	if p.queue != nil {
		if err := p.queue.Close(); err != nil {
			log.Warn("closing the job queue", "error", err)
		}
	}
	if p.sandbox != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := p.sandbox.Close(ctx); err != nil {
			log.Warn("closing the sandbox", "error", err)
		}
	}
}
