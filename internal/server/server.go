// Package server wires Kaicode's HTTP routes: health, readiness, metrics
// and the handlers of the other packages, with graceful shutdown.
//
// A Server is built once, given its routes with Handle, then Run until its
// context ends. Handlers that hijack connections (WebSockets) register a
// drain function with OnShutdown; Run calls those after it stops accepting
// and waits for in-flight requests up to the shutdown timeout.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Check reports whether one dependency is reachable.
type Check struct {
	// Name is shown in the /readyz body, such as "store" or "docker".
	Name string
	// Probe returns nil when the dependency answers.
	Probe func(ctx context.Context) error
}

// Options configures a Server.
type Options struct {
	// Logger receives request errors and lifecycle lines. Required.
	Logger *slog.Logger
	// Registry collects metrics served on /metrics. Required.
	Registry *prometheus.Registry
	// Checks are probed by /readyz.
	Checks []Check
	// ShutdownTimeout bounds Run's graceful stop. Default 20s.
	ShutdownTimeout time.Duration
	// ReadyTimeout bounds each readiness probe. Default 2s.
	ReadyTimeout time.Duration
}

// Server is the HTTP front of one kaicode process.
type Server struct {
	opts     Options
	mux      *http.ServeMux
	requests *prometheus.HistogramVec

	mu     sync.Mutex
	drains []func(context.Context)
}

// New returns a Server with /healthz, /readyz and /metrics routed.
func New(opts Options) *Server {
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 20 * time.Second
	}
	if opts.ReadyTimeout <= 0 {
		opts.ReadyTimeout = 2 * time.Second
	}
	s := &Server{
		opts: opts,
		mux:  http.NewServeMux(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kaicode_http_request_duration_seconds",
			Help:    "HTTP request latency by route and status code.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "code"}),
	}
	opts.Registry.MustRegister(s.requests,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(opts.Registry, promhttp.HandlerOpts{Registry: opts.Registry}))
	return s
}

// Handle routes pattern (net/http ServeMux syntax) to h.
func (s *Server) Handle(pattern string, h http.Handler) {
	s.mux.Handle(pattern, h)
}

// OnShutdown registers drain to run when Run stops accepting requests. The
// context it gets ends at the shutdown deadline.
func (s *Server) OnShutdown(drain func(ctx context.Context)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drains = append(s.drains, drain)
}

// ServeHTTP serves one request through the routes and the middleware.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.opts.Logger.Error("handler panicked", "method", r.Method, "path", r.URL.Path, "panic", v)
			if !rw.wrote {
				http.Error(rw, `{"message":"internal error"}`, http.StatusInternalServerError)
			}
		}
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		s.requests.WithLabelValues(route, strconv.Itoa(rw.code)).Observe(time.Since(start).Seconds())
	}()
	s.mux.ServeHTTP(rw, r)
}

// Run serves on ln until ctx ends, then shuts down gracefully: it stops
// accepting, runs the drain functions, and waits for requests in flight up
// to the shutdown timeout. It returns nil after a clean stop.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.opts.Logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.opts.Logger.Info("shutting down", "cause", context.Cause(ctx), "timeout", s.opts.ShutdownTimeout)
	sctx, cancel := context.WithTimeoutCause(context.Background(), s.opts.ShutdownTimeout,
		errors.New("graceful shutdown timed out"))
	defer cancel()

	s.mu.Lock()
	drains := s.drains
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, d := range drains {
		wg.Go(func() { d(sctx) })
	}
	err := hs.Shutdown(sctx)
	wg.Wait()
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readiness is the /readyz body.
type readiness struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	body := readiness{Status: "ok", Checks: make(map[string]string, len(s.opts.Checks))}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, c := range s.opts.Checks {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(r.Context(), s.opts.ReadyTimeout)
			defer cancel()
			state := "ok"
			if err := c.Probe(ctx); err != nil {
				state = "unavailable: " + err.Error()
			}
			mu.Lock()
			defer mu.Unlock()
			body.Checks[c.Name] = state
			if state != "ok" {
				body.Status = "unavailable"
			}
		})
	}
	wg.Wait()
	code := http.StatusOK
	if body.Status != "ok" {
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, body)
}

// writeJSON writes v as a JSON response with status code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// statusWriter records the status code a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.code, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (WebSocket
// upgrades hijack it).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
