package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/config"
	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/web"
)

// serveCommand runs the whole server: the collaboration and sync sockets,
// the job APIs, the playground page at / and, unless --worker=false, the
// job worker.
func serveCommand(ctx context.Context, env *cliEnv, args []string) error {
	n, err := openNode(ctx, "kaicode serve", env, args, func(c *config.Config) bool { return c.Worker })
	if err != nil {
		return err
	}
	defer n.close()
	secret, err := jwtSecret(n.cfg, n.log)
	if err != nil {
		return err
	}
	verifier := auth.NewVerifier(secret)
	jobs.NewAPI(n.pipeline.service, verifier, n.log).Register(n.srv)
	n.srv.Handle("GET /{$}", web.Handler()) // only /: other paths still 404
	access, err := startSync(ctx, n.cfg, n.log, n.reg, n.stores, verifier, n.pipeline.service, n.events, n.srv)
	if err != nil {
		return err
	}
	defer access.Close()
	if err := startCollab(ctx, n.cfg, n.log, n.reg, n.stores, verifier, access, n.events, n.srv); err != nil {
		return err
	}
	return n.run(ctx)
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
	log.Warn("no --jwt-secret (KAICODE_JWT_SECRET or NEXTAUTH_SECRET) set: generated one for this run; tokens will not survive a restart; "+
		"open the playground at "+cfg.BaseURL()+"/ and paste dev_token there",
		"dev_token", token,
		"try", fmt.Sprintf(`curl -H "Authorization: Bearer %s" -d '{"language":"python","source":"print(42)"}' '%s/api/v1/jobs?wait=true'`, token, cfg.BaseURL()))
	return []byte(s), nil
}
