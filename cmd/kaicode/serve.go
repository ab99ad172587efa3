package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/config"
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
	_ = auth.NewVerifier(secret)

	reg := prometheus.NewRegistry()
	srv := server.New(server.Options{
		Logger:          log,
		Registry:        reg,
		ShutdownTimeout: cfg.ShutdownTimeout,
	})

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on --addr %s: %w", cfg.Addr, err)
	}
	log.Info("listening", "addr", ln.Addr().String())
	return srv.Run(ctx, ln)
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
		"dev_token", token, "url", cfg.BaseURL()+"/?token="+token)
	return []byte(s), nil
}
