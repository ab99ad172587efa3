package main

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kaicode/kaicode/internal/config"
	"github.com/kaicode/kaicode/internal/server"
)

// workerCommand runs only the job worker, for scale-out: it takes jobs from
// the queue (SQS, or the embedded queue in --data-dir shared with a
// server) and serves /healthz, /readyz and /metrics on --addr.
func workerCommand(ctx context.Context, env *cliEnv, args []string) error {
	cfg, err := config.Load("kaicode worker", args, env.getenv, env.stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg, env.stderr)
	log.Info("starting kaicode worker", "version", version, "config", cfg)

	st, err := openStores(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.close()
	events, closeEvents, err := newBus(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeEvents()
	reg := prometheus.NewRegistry()
	pipeline, err := openJobPipeline(ctx, cfg, log, reg, st, events, true)
	if err != nil {
		return err
	}
	defer pipeline.close(log)

	srv := server.New(server.Options{
		Logger: log, Registry: reg, Checks: append(pipeline.checks, busChecks(events)...), ShutdownTimeout: cfg.ShutdownTimeout,
	})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on --addr %s: %w", cfg.Addr, err)
	}
	log.Info("listening", "addr", ln.Addr().String())
	waitWorker := pipeline.startWorker(ctx)
	return errors.Join(srv.Run(ctx, ln), waitWorker())
}
