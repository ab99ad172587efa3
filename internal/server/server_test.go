package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func newTestServer(t *testing.T, checks ...Check) *Server {
	t.Helper()
	return New(Options{
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Registry: prometheus.NewRegistry(),
		Checks:   checks,
	})
}

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	code, body := get(t, newTestServer(t), "/healthz")
	if code != http.StatusOK || !strings.Contains(body, `"status":"ok"`) {
		t.Errorf("GET /healthz = %d %s", code, body)
	}
}

func TestReadyz(t *testing.T) {
	t.Parallel()
	up := Check{Name: "store", Probe: func(context.Context) error { return nil }}
	down := Check{Name: "docker", Probe: func(context.Context) error { return errors.New("connection refused") }}
	slow := Check{Name: "queue", Probe: func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }}
	tests := []struct {
		name   string
		checks []Check
		code   int
		want   map[string]string
	}{
		{"no checks", nil, http.StatusOK, map[string]string{}},
		{"all up", []Check{up}, http.StatusOK, map[string]string{"store": "ok"}},
		{"one down", []Check{up, down}, http.StatusServiceUnavailable,
			map[string]string{"store": "ok", "docker": "unavailable: connection refused"}},
		{"probe times out", []Check{slow}, http.StatusServiceUnavailable,
			map[string]string{"queue": "unavailable: context deadline exceeded"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := New(Options{
				Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
				Registry:     prometheus.NewRegistry(),
				Checks:       tt.checks,
				ReadyTimeout: 50 * time.Millisecond,
			})
			code, body := get(t, s, "/readyz")
			if code != tt.code {
				t.Errorf("code = %d, want %d (%s)", code, tt.code, body)
			}
			var got readiness
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatal(err)
			}
			if len(got.Checks) != len(tt.want) {
				t.Errorf("checks = %v, want %v", got.Checks, tt.want)
			}
			for k, v := range tt.want {
				if got.Checks[k] != v {
					t.Errorf("check %s = %q, want %q", k, got.Checks[k], v)
				}
			}
		})
	}
}

func TestMetricsCountRequests(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	s.Handle("GET /hello", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}))
	get(t, s, "/hello")
	code, body := get(t, s, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics = %d", code)
	}
	for _, want := range []string{
		`kaicode_http_request_duration_seconds_count{code="418",route="GET /hello"} 1`,
		"go_goroutines",
		"process_resident_memory_bytes",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestPanicBecomes500(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	s.Handle("GET /boom", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	if code, _ := get(t, s, "/boom"); code != http.StatusInternalServerError {
		t.Errorf("code = %d, want 500", code)
	}
}

func TestRunShutsDownGracefully(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	started := make(chan struct{})
	release := make(chan struct{})
	s.Handle("GET /slow", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		_, _ = io.WriteString(w, "done")
	}))
	drained := make(chan struct{})
	s.OnShutdown(func(context.Context) { close(drained) })

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- s.Run(ctx, ln) }()

	resp := make(chan string, 1)
	go func() {
		r, err := http.Get("http://" + ln.Addr().String() + "/slow")
		if err != nil {
			resp <- err.Error()
			return
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		resp <- string(b)
	}()
	<-started
	cancel()
	<-drained
	close(release)
	if got := <-resp; got != "done" {
		t.Errorf("in-flight request got %q, want done", got)
	}
	if err := <-runErr; err != nil {
		t.Errorf("Run = %v", err)
	}
}
