package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/bus"
	"github.com/kaicode/kaicode/internal/config"
	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/roomsync"
	"github.com/kaicode/kaicode/internal/server"
	"github.com/kaicode/kaicode/internal/store"
)

// startSync chooses the room access policy (the frontend's database when
// DATABASE_URL holds its schema, else allow-lists in st), routes the /sync
// server and the room access API on srv, and returns the policy for the
// other sockets. The caller closes the returned choice after srv stops.
func startSync(ctx context.Context, cfg *config.Config, log *slog.Logger, reg prometheus.Registerer,
	st *stores, verifier *auth.Verifier, service *jobs.Service, events bus.Bus, srv *server.Server) (auth.Choice, error) {
	choice, err := auth.ChoosePolicy(ctx, cfg.DatabaseURL, st.rooms)
	if err != nil {
		return auth.Choice{}, err
	}
	log.Info("room access policy", "mode", choice.Mode)
	sinks := []roomsync.TextSink{st.texts}
	access := http.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusConflict)
		_, _ = w.Write([]byte(`{"message":"room access is managed by the frontend's database"}` + "\n"))
	}))
	if choice.Frontend != nil {
		sinks = append(sinks, store.NewFrontendSessions(choice.Frontend))
	} else if p, ok := choice.Policy.(*auth.AllowList); ok {
		access = auth.NewAllowListAPI(verifier, p, log.With("component", "access"))
	}
	s, err := roomsync.New(roomsync.Options{
		Verifier:       verifier,
		Policy:         choice.Policy,
		Jobs:           service,
		Bus:            events,
		State:          st.rooms,
		Texts:          sinks,
		Logger:         log.With("component", "sync"),
		Registry:       reg,
		AuthTimeout:    cfg.Sync.AuthTimeout,
		MaxMessage:     cfg.Sync.MaxMessage,
		RoomQueue:      cfg.Sync.RoomQueue,
		TextDebounce:   cfg.Sync.TextDebounce,
		AllowedOrigins: cfg.Collab.Origins(),
	})
	if err != nil {
		choice.Close()
		return auth.Choice{}, err
	}
	srv.Handle("GET /sync", s)
	for _, method := range []string{"GET", "PUT", "DELETE"} {
		srv.Handle(method+" /api/v1/rooms/{room}/access", access)
	}
	srv.OnShutdown(func(ctx context.Context) {
		if err := s.Shutdown(ctx); err != nil {
			log.Error("sync shutdown", "err", err)
		}
	})
	return choice, nil
}
