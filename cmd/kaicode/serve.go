package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/config"
	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/server"
)

func serveCommand(ctx context.Context, env *cliEnv, args []string) error {
	cfg, err := config.Load("kaicode serve", args, env.getenv, env.stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg, env.stderr)
	log.Info("starting kaicode", "version", version, "config", cfg)

	secret, err := jwtSecret(cfg, log)
	if err != nil {
		return err
	}
	verifier := auth.NewVerifier(secret)

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
	pipeline, err := openJobPipeline(ctx, cfg, log, reg, st, events, cfg.Worker)
	if err != nil {
		return err
	}
	defer pipeline.close(log)

	srv := server.New(server.Options{
		Logger:          log,
		Registry:        reg,
		Checks:          append(pipeline.checks, busChecks(events)...),
		ShutdownTimeout: cfg.ShutdownTimeout,
	})
	jobs.NewAPI(pipeline.service, verifier, log).Register(srv)
	access, err := startSync(ctx, cfg, log, reg, st, verifier, pipeline.service, events, srv)
	if err != nil {
		return err
	}
	defer access.Close()
	if err := startCollab(ctx, cfg, log, reg, st, verifier, access, srv); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on --addr %s: %w", cfg.Addr, err)
	}
	log.Info("listening", "addr", ln.Addr().String())
	waitWorker := pipeline.startWorker(ctx)
	return errors.Join(srv.Run(ctx, ln), waitWorker())
}

// jwtSecret returns the configured secret, or generates one and logs a
// development token signed with it, so the server never runs open.
func jwtSecret(cfg *config.Config, log *slog.Logger) ([]byte, error) {
	if cfg.JWTSecret != "" {
		return []byte(cfg.JWTSecret), nil
	}
	s, err := auth.RandomSecret()
	if err != nil {
		return nil, err
	}
	token, err := auth.Issue([]byte(s), auth.User{ID: "1"}, 7*24*time.Hour, time.Now())
	if err != nil {
		return nil, err
	}
	log.Warn("no --jwt-secret (KAICODE_JWT_SECRET or NEXTAUTH_SECRET) set: generated one for this run; tokens will not survive a restart",
		"dev_token", token,
		"try", fmt.Sprintf(`curl -H "Authorization: Bearer %s" -d '{"language":"python","source":"print(42)"}' '%s/api/v1/jobs?wait=true'`, token, cfg.BaseURL()))
	return []byte(s), nil
}
