package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/bus"
	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/queue"
	"github.com/kaicode/kaicode/internal/queue/queuetest"
	"github.com/kaicode/kaicode/internal/sandbox"
	"github.com/kaicode/kaicode/internal/sandbox/docker"
	"github.com/kaicode/kaicode/internal/store"
	"github.com/kaicode/kaicode/internal/testenv"
	"github.com/kaicode/kaicode/internal/worker"
)

// Short queue timings keep the redelivery tests fast.
const (
	testVisibility  = 2 * time.Second
	testMaxReceives = 3
)

// stubSandbox runs a function instead of a container, for tests of the
// pipeline's own behaviour.
type stubSandbox func(ctx context.Context, req sandbox.Request) (sandbox.Result, error)

func (f stubSandbox) Run(ctx context.Context, req sandbox.Request) (sandbox.Result, error) {
	return f(ctx, req)
}

// echo returns the program's source as its stdout.
var echo = stubSandbox(func(_ context.Context, req sandbox.Request) (sandbox.Result, error) {
	return sandbox.Result{Status: sandbox.StatusOK, Language: req.Language, Stdout: req.Files[0].Content, WallTime: time.Millisecond}, nil
})

// envOptions choose the parts of a test environment.
type envOptions struct {
	sandbox  sandbox.Sandbox
	sqs      bool // an SQS queue on local-aws-sqs instead of SQLite
	limits   *jobs.Limits
	noWorker bool
}

// env is one API server with its store, queue, bus and (optionally) an
// in-process worker.
type env struct {
	t         testing.TB
	svc       *jobs.Service
	store     *store.Jobs
	queue     queue.Queue
	bus       *bus.Memory
	srv       *httptest.Server
	secret    []byte
	reg       *prometheus.Registry
	metrics   *jobs.Metrics
	limits    jobs.Limits
	catalogue sandbox.Catalogue
}

func defaultLimits() jobs.Limits {
	return jobs.Limits{
		MaxSource: 64 << 10, RatePerMinute: 1000, MaxQueuedPerUser: 100,
		MaxRunTime: 10 * time.Second, MaxMemory: 512 << 20, MaxWait: 30 * time.Second,
	}
}

func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	ctx := context.Background()
	if o.sandbox == nil {
		o.sandbox = echo
	}
	limits := defaultLimits()
	if o.limits != nil {
		limits = *o.limits
	}
	db := testenv.SQLite(t)
	st, err := store.NewJobs(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var q queue.Queue
	if o.sqs {
		local := queuetest.StartLocalSQS(t)
		q, err = queue.NewSQS(ctx, queue.SQSOptions{
			QueueURL: local.CreateQueue(t, false), Endpoint: local.Endpoint, Region: queuetest.LocalRegion,
			AccessKey: queuetest.LocalAccessKey, SecretKey: queuetest.LocalSecretKey, VisibilityTimeout: testVisibility,
		})
	} else {
		q, err = queue.NewSQLite(ctx, db, queue.SQLiteOptions{VisibilityTimeout: testVisibility, MaxReceives: -1, PollInterval: 20 * time.Millisecond})
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	b := bus.NewMemory(0)
	t.Cleanup(b.Close)
	reg := prometheus.NewRegistry()
	metrics := jobs.NewMetrics(reg)
	cat := sandbox.Builtin()
	if ds, ok := o.sandbox.(*docker.Sandbox); ok {
		cat = ds.Catalogue()
	}
	e := &env{t: t, store: st, queue: q, bus: b, reg: reg, metrics: metrics, limits: limits, catalogue: cat,
		secret: []byte("0123456789abcdef0123456789abcdef")}
	e.svc = e.newService(q, time.Now)
	mux := http.NewServeMux()
	jobs.NewAPI(e.svc, auth.NewVerifier(e.secret), nil).Register(mux)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	if !o.noWorker {
		e.startWorker(o.sandbox, metrics)
	}
	return e
}

// newService returns a Service on e's store, bus and metrics that sends to
// q and reads the clock now: another node of the same deployment.
func (e *env) newService(q queue.Queue, now func() time.Time) *jobs.Service {
	e.t.Helper()
	svc, err := jobs.NewService(jobs.Options{
		Store: e.store, Queue: q, Bus: e.bus, Catalogue: e.catalogue, Limits: e.limits, Metrics: e.metrics,
		PollInterval: 100 * time.Millisecond, Now: now,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return svc
}

// startWorker runs a worker until the test ends.
func (e *env) startWorker(sb sandbox.Sandbox, metrics *jobs.Metrics) {
	w, err := worker.New(worker.Options{
		Queue: e.queue, Store: e.store, Sandbox: sb, Bus: e.bus, Concurrency: 2,
		VisibilityTimeout: testVisibility, MaxReceives: testMaxReceives, ReceiveWait: time.Second,
		DrainTimeout: 5 * time.Second, Metrics: metrics,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	e.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			e.t.Errorf("worker.Run: %v", err)
		}
	})
}

func (e *env) token(user string) string {
	e.t.Helper()
	tok, err := auth.Issue(e.secret, auth.User{ID: user}, time.Hour, time.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// response is a decoded HTTP answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// request sends body (a string is sent as is, anything else as JSON) with
// a bearer token for user ("" for none).
func (e *env) request(method, path, user string, body any) response {
	e.t.Helper()
	token := ""
	if user != "" {
		token = e.token(user)
	}
	return e.requestWithToken(method, path, token, body)
}

// requestWithToken sends body with token as the bearer token.
func (e *env) requestWithToken(method, path, token string, body any) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: data}
}

// waitFinal polls the store until job id is final.
func (e *env) waitFinal(id string, within time.Duration) jobs.Job {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	j, err := e.svc.Wait(ctx, id)
	if err != nil {
		e.t.Fatalf("job %s not final within %s: %v (status %s)", id, within, err, j.Status)
	}
	return j
}

// dockerSandbox returns a python-only Docker sandbox, or skips when the
// engine or the runtime image is missing.
func dockerSandbox(t testing.TB) *docker.Sandbox {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: skipping the Docker engine")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sb, err := docker.New(ctx, docker.Options{Languages: []string{"python"}, PoolSize: 1})
	if err != nil {
		msg := "Docker sandbox unavailable (start dockerd and run 'kaicode images build'): " + err.Error()
		if !errors.Is(err, sandbox.ErrUnavailable) {
			t.Fatal(msg)
		}
		testenv.Missing(t, "%s", msg)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		sb.Close(ctx)
	})
	return sb
}
