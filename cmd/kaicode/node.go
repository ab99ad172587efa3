package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kaicode/kaicode/internal/bus"
	"github.com/kaicode/kaicode/internal/config"
	"github.com/kaicode/kaicode/internal/server"
)

// node is what "serve" and "worker" share: settings, logger, stores, the
// room bus, the job pipeline and the HTTP server with health and metrics.
type node struct {
	cfg      *config.Config
	log      *slog.Logger
	reg      *prometheus.Registry
	stores   *stores
	events   bus.Bus
	pipeline *jobPipeline
	srv      *server.Server
	closers  []func()
}

// openNode loads the settings of the command name from args and the
// environment, then opens the stores, the bus and the job pipeline, which
// runs jobs when runJobs says so for the loaded settings. The caller
// closes the node.
func openNode(ctx context.Context, name string, env *cliEnv, args []string, runJobs func(*config.Config) bool) (_ *node, err error) {
	cfg, err := config.Load(name, args, env.getenv, env.stderr)
	if err != nil {
		return nil, err
	}
	n := &node{cfg: cfg, log: newLogger(cfg, env.stderr), reg: prometheus.NewRegistry()}
	n.log.Info("starting "+name, "version", version, "config", cfg)
	defer func() {
		if err != nil {
			n.close()
		}
	}()
	if n.stores, err = openStores(ctx, cfg, n.log); err != nil {
		return nil, err
	}
	n.closers = append(n.closers, n.stores.close)
	events, closeEvents, err := newBus(ctx, cfg, n.log)
	if err != nil {
		return nil, err
	}
	n.events = events
	n.closers = append(n.closers, closeEvents)
	if n.pipeline, err = openJobPipeline(ctx, cfg, n.log, n.reg, n.stores, events, runJobs(cfg)); err != nil {
		return nil, err
	}
	n.closers = append(n.closers, func() { n.pipeline.close(n.log) })
	n.srv = server.New(server.Options{
		Logger:          n.log,
		Registry:        n.reg,
		Checks:          append(n.pipeline.checks, busChecks(events)...),
		ShutdownTimeout: cfg.ShutdownTimeout,
	})
	return n, nil
}

// run listens on --addr and serves, with the job worker if the node has
// one, until ctx ends; then it shuts down gracefully.
func (n *node) run(ctx context.Context) error {
	ln, err := net.Listen("tcp", n.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on --addr %s: %w", n.cfg.Addr, err)
	}
	n.log.Info("listening", "addr", ln.Addr().String())
	waitWorker := n.pipeline.startWorker(ctx)
	return errors.Join(n.srv.Run(ctx, ln), waitWorker())
}

// close releases what openNode opened, last first.
func (n *node) close() {
	for i := len(n.closers) - 1; i >= 0; i-- {
		n.closers[i]()
	}
}
