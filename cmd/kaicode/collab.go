package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/bus"
	"github.com/kaicode/kaicode/internal/collab"
	"github.com/kaicode/kaicode/internal/config"
	"github.com/kaicode/kaicode/internal/server"
	"github.com/kaicode/kaicode/internal/store"
)

// startCollab builds the Yjs collaboration server on st and routes it on
// srv: the socket /ws/{room...} and the room API, with the access policy
// the sync server chose. Empty documents are seeded from the stored room
// text, and in frontend-database mode from the session's content when
// kaicode has stored none yet. With Redis, rooms relay their changes
// through events to the other nodes. Shutdown closes its sockets with 1001
// and flushes every room before the data file closes.
func startCollab(ctx context.Context, cfg *config.Config, log *slog.Logger, reg prometheus.Registerer,
	st *stores, verifier *auth.Verifier, access auth.Choice, events bus.Bus, srv *server.Server) error {
	var texts collab.TextSource = st.texts
	if access.Frontend != nil {
		texts = firstText{st.texts, store.NewFrontendSessions(access.Frontend)}
	}
	var relay bus.Bus
	if cfg.RedisURL != "" {
		relay = events
	}
	c, err := collab.New(collab.Options{
		Store:          st.docs,
		Texts:          texts,
		Verifier:       verifier,
		Policy:         access.Policy,
		Bus:            relay,
		Logger:         log.With("component", "collab"),
		Registry:       reg,
		Anonymous:      cfg.Collab.Anonymous,
		MaxMessage:     cfg.Collab.MaxMessage,
		MaxDocument:    cfg.Collab.MaxDocument,
		PersistDelay:   cfg.Collab.PersistDelay,
		UnloadGrace:    cfg.Collab.UnloadGrace,
		SendBuffer:     cfg.Collab.SendBuffer,
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

// firstText reads a room's text from the first source that has one.
type firstText []collab.TextSource

// Text returns the first non-empty text of room among the sources.
func (f firstText) Text(ctx context.Context, room string) (string, error) {
	for _, src := range f {
		text, err := src.Text(ctx, room)
		if err != nil || text != "" {
			return text, err
		}
	}
	return "", nil
}
