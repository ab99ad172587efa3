package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/collab"
	"github.com/kaicode/kaicode/internal/config"
	"github.com/kaicode/kaicode/internal/server"
)

// startCollab builds the Yjs collaboration server on st and routes it on
// srv: the socket /ws/{room...} and the room API. Shutdown closes its
// sockets with 1001 and flushes every room before the data file closes.
func startCollab(ctx context.Context, cfg *config.Config, log *slog.Logger, reg prometheus.Registerer,
	st *stores, verifier *auth.Verifier, policy auth.Policy, srv *server.Server) error {
	c, err := collab.New(collab.Options{
		Store:          st.docs,
		Texts:          st.texts,
		Verifier:       verifier,
		Policy:         policy,
		Logger:         log.With("component", "collab"),
		Registry:       reg,
		Anonymous:      cfg.Collab.Anonymous,
		MaxMessage:     cfg.Collab.MaxMessage,
		MaxDocument:    cfg.Collab.MaxDocument,
		PersistDelay:   cfg.Collab.PersistDelay,
		UnloadGrace:    cfg.Collab.UnloadGrace,
		SendQueue:      cfg.Collab.SendQueue,
		AllowedOrigins: cfg.Collab.Origins(),
	})
	if err != nil {
		return err
	}
	srv.Handle("GET /ws/{room...}", c)
	srv.Handle("GET /api/v1/rooms/{room}", http.HandlerFunc(c.HandleRoomInfo))
	srv.Handle("GET /api/v1/rooms/{room}/text", http.HandlerFunc(c.HandleRoomText))
	srv.OnShutdown(func(ctx context.Context) {
		if err := c.Shutdown(ctx); err != nil {
			log.Error("collab shutdown", "err", err)
		}
	})
	return nil
}
