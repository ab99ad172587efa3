package main

import (
	"context"
	"log/slog"

	"github.com/kaicode/kaicode/internal/bus"
	"github.com/kaicode/kaicode/internal/config"
	"github.com/kaicode/kaicode/internal/server"
)

// newBus returns the room fan-out bus: Redis pub/sub shared by every node
// when cfg.RedisURL is set, else an in-process bus. The returned function
// closes it; call it after everything that publishes or subscribes has
// stopped.
func newBus(ctx context.Context, cfg *config.Config, log *slog.Logger) (bus.Bus, func(), error) {
	if cfg.RedisURL == "" {
		log.Info("room events stay in this process (set --redis-url to share them between nodes)")
		m := bus.NewMemory(0)
		return m, m.Close, nil
	}
	r, err := bus.NewRedis(ctx, bus.RedisOptions{
		URL:      cfg.RedisURL,
		Password: cfg.RedisPassword,
		Logger:   log.With("component", "bus"),
	})
	if err != nil {
		return nil, nil, err
	}
	log.Info("room events shared through redis", "prefix", bus.DefaultRedisPrefix)
	return r, r.Close, nil
}

// busChecks returns the readiness check of a bus that depends on a remote
// broker.
func busChecks(b bus.Bus) []server.Check {
	if r, ok := b.(*bus.Redis); ok {
		return []server.Check{{Name: "bus", Probe: r.Ping}}
	}
	return nil
}
