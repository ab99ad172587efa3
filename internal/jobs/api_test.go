package jobs_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/sandbox"
)

// jobBody is the part of a job response the tests read.
type jobBody struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Language string `json:"language"`
	Attempts int    `json:"attempts"`
	Error    string `json:"error"`
	Result   *struct {
		Status     string `json:"status"`
		Stdout     string `json:"stdout"`
		Stderr     string `json:"stderr"`
		ExitCode   int    `json:"exit_code"`
		WallTimeMs int64  `json:"wall_time_ms"`
	} `json:"result"`
}

type errBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func TestSubmitThenGet(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	r := e.request("POST", "/api/v1/jobs", "7", map[string]any{"language": "py", "source": "hello"})
	var j jobBody
	r.json(t, &j)
	if r.status != http.StatusAccepted || j.ID == "" || j.Status != "queued" || j.Language != "python" {
		t.Fatalf("POST = %d %s", r.status, r.body)
	}
	if loc := r.header.Get("Location"); loc != "/api/v1/jobs/"+j.ID {
		t.Errorf("Location = %q", loc)
	}
	e.waitFinal(j.ID, 10*time.Second)
	r = e.request("GET", "/api/v1/jobs/"+j.ID, "7", nil)
	r.json(t, &j)
	if r.status != http.StatusOK || j.Status != "finished" || j.Result == nil || j.Result.Stdout != "hello" || j.Attempts != 1 {
		t.Fatalf("GET = %d %s", r.status, r.body)
	}
	for _, m := range []struct {
		name, label string
		want        float64
	}{
		{"kaicode_jobs_total", "queued", 1},
		{"kaicode_jobs_total", "running", 1},
		{"kaicode_jobs_total", "finished", 1},
		{"kaicode_job_latency_seconds", "finished", 1},
	} {
		if got := metric(t, e, m.name, m.label); got != m.want {
			t.Errorf("%s{%s} = %v, want %v", m.name, m.label, got, m.want)
		}
	}
}

func TestSubmitWaitReturnsTheResult(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	for _, wait := range []string{"true", "10s", "10"} {
		r := e.request("POST", "/api/v1/jobs?wait="+wait, "7", map[string]any{
			"language": "python", "files": []map[string]string{{"name": "main.py", "content": "x"}},
		})
		var j jobBody
		r.json(t, &j)
		if r.status != http.StatusOK || j.Status != "finished" || j.Result == nil || j.Result.Stdout != "x" {
			t.Errorf("wait=%s: %d %s", wait, r.status, r.body)
		}
	}
}

func TestSubmitWaitTimesOutWith202(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noWorker: true})
	start := time.Now()
	r := e.request("POST", "/api/v1/jobs?wait=300ms", "7", map[string]any{"language": "python", "source": "x"})
	var j jobBody
	r.json(t, &j)
	if r.status != http.StatusAccepted || j.Status != "queued" {
		t.Errorf("POST = %d %s, want 202 queued", r.status, r.body)
	}
	if d := time.Since(start); d < 300*time.Millisecond || d > 20*time.Second {
		t.Errorf("answered after %s, want after its 300ms wait, not the server's maximum", d)
	}
}

func TestAPIErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noWorker: true})
	other := e.request("POST", "/api/v1/jobs", "8", map[string]any{"language": "python", "source": "x"})
	var otherJob jobBody
	other.json(t, &otherJob)

	py := func(extra map[string]any) map[string]any {
		m := map[string]any{"language": "python", "source": "print(1)"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name   string
		method string
		path   string
		user   string
		token  string
		body   any
		status int
		code   jobs.Code
		msg    string
	}{
		{"no token", "POST", "/api/v1/jobs", "", "", py(nil), 401, jobs.CodeUnauthorized, "bearer token"},
		{"bad token", "POST", "/api/v1/jobs", "", "nonsense", py(nil), 401, jobs.CodeUnauthorized, "invalid token"},
		{"bad JSON", "POST", "/api/v1/jobs", "7", "", `{"language":`, 400, jobs.CodeInvalid, "invalid JSON"},
		{"unknown field", "POST", "/api/v1/jobs", "7", "", py(map[string]any{"lang": "x"}), 400, jobs.CodeInvalid, `unknown field "lang"`},
		{"trailing data", "POST", "/api/v1/jobs", "7", "", `{"language":"python","source":"x"} {}`, 400, jobs.CodeInvalid, "after the JSON"},
		{"missing language", "POST", "/api/v1/jobs", "7", "", map[string]any{"source": "x"}, 400, jobs.CodeInvalid, "language is required"},
		{"unknown language", "POST", "/api/v1/jobs", "7", "", py(map[string]any{"language": "cobol"}), 400, jobs.CodeUnknownLanguage, `"cobol"`},
		{"no source", "POST", "/api/v1/jobs", "7", "", map[string]any{"language": "python"}, 400, jobs.CodeInvalid, "source or files"},
		{"source and files", "POST", "/api/v1/jobs", "7", "", py(map[string]any{"files": []map[string]string{{"content": "x"}}}), 400, jobs.CodeInvalid, "not both"},
		{"bad file name", "POST", "/api/v1/jobs", "7", "", map[string]any{"language": "python", "files": []map[string]string{{"name": "../x.py", "content": "x"}}}, 400, jobs.CodeInvalid, "clean relative path"},
		{"oversize source", "POST", "/api/v1/jobs", "7", "", py(map[string]any{"source": strings.Repeat("x", 64<<10+1)}), 413, jobs.CodeTooLarge, "more than the limit of 65536"},
		{"oversize stdin", "POST", "/api/v1/jobs", "7", "", py(map[string]any{"stdin": strings.Repeat("x", 64<<10)}), 413, jobs.CodeTooLarge, "source and stdin"},
		{"oversize body", "POST", "/api/v1/jobs", "7", "", py(map[string]any{"source": strings.Repeat("x", 1<<20)}), 413, jobs.CodeTooLarge, "request body is larger"},
		{"run time above max", "POST", "/api/v1/jobs", "7", "", py(map[string]any{"limits": map[string]any{"run": map[string]any{"wall_time_ms": 60000}}}), 400, jobs.CodeLimitTooHigh, "run wall time 1m0s exceeds the server's maximum of 10s"},
		{"cpu time above max", "POST", "/api/v1/jobs", "7", "", py(map[string]any{"limits": map[string]any{"run": map[string]any{"cpu_time_ms": 10001}}}), 400, jobs.CodeLimitTooHigh, "CPU time"},
		{"memory above max", "POST", "/api/v1/jobs", "7", "", py(map[string]any{"limits": map[string]any{"run": map[string]any{"memory_bytes": 2 << 30}}}), 400, jobs.CodeLimitTooHigh, "memory"},
		{"negative limit", "POST", "/api/v1/jobs", "7", "", py(map[string]any{"limits": map[string]any{"run": map[string]any{"wall_time_ms": -1}}}), 400, jobs.CodeInvalid, "must not be negative"},
		{"bad wait", "POST", "/api/v1/jobs?wait=soon", "7", "", py(nil), 400, jobs.CodeInvalid, "wait="},
		{"unknown job", "GET", "/api/v1/jobs/nope", "7", "", nil, 404, jobs.CodeNotFound, "no job"},
		{"another user's job", "GET", "/api/v1/jobs/" + otherJob.ID, "7", "", nil, 404, jobs.CodeNotFound, "no job"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r response
			if tt.token != "" {
				r = e.requestWithToken(tt.method, tt.path, tt.token, tt.body)
			} else {
				r = e.request(tt.method, tt.path, tt.user, tt.body)
			}
			var b errBody
			r.json(t, &b)
			if r.status != tt.status || b.Code != string(tt.code) || !strings.Contains(b.Message, tt.msg) {
				t.Errorf("got %d %s\nwant %d code %s message containing %q", r.status, r.body, tt.status, tt.code, tt.msg)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
}

func TestRateLimitPerUser(t *testing.T) {
	t.Parallel()
	limits := defaultLimits()
	limits.RatePerMinute = 2
	e := newEnv(t, envOptions{limits: &limits, noWorker: true})
	body := map[string]any{"language": "python", "source": "x"}
	for i := range 2 {
		if r := e.request("POST", "/api/v1/jobs", "7", body); r.status != http.StatusAccepted {
			t.Fatalf("submission %d: %d %s", i+1, r.status, r.body)
		}
	}
	r := e.request("POST", "/api/v1/jobs", "7", body)
	var b errBody
	r.json(t, &b)
	if r.status != http.StatusTooManyRequests || b.Code != string(jobs.CodeRateLimited) || r.header.Get("Retry-After") == "" {
		t.Errorf("third submission: %d %s (Retry-After %q)", r.status, r.body, r.header.Get("Retry-After"))
	}
	if r := e.request("POST", "/api/v1/jobs", "8", body); r.status != http.StatusAccepted {
		t.Errorf("another user: %d %s", r.status, r.body)
	}
}

func TestQueuedJobsPerUserAreBounded(t *testing.T) {
	t.Parallel()
	limits := defaultLimits()
	limits.MaxQueuedPerUser = 2
	e := newEnv(t, envOptions{limits: &limits, noWorker: true})
	body := map[string]any{"language": "python", "source": "x"}
	for i := range 2 {
		if r := e.request("POST", "/api/v1/jobs", "7", body); r.status != http.StatusAccepted {
			t.Fatalf("submission %d: %d %s", i+1, r.status, r.body)
		}
	}
	r := e.request("POST", "/api/v1/jobs", "7", body)
	var b errBody
	r.json(t, &b)
	if r.status != http.StatusTooManyRequests || b.Code != string(jobs.CodeQueueFull) {
		t.Errorf("third submission: %d %s, want 429 queue_full", r.status, r.body)
	}
	if r := e.request("POST", "/api/v1/jobs", "8", body); r.status != http.StatusAccepted {
		t.Errorf("another user: %d %s", r.status, r.body)
	}
	// A refused submission costs no rate token: after the jobs finish the
	// user can submit again at once.
	e.startWorker(echo, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		r := e.request("POST", "/api/v1/jobs", "7", body)
		if r.status == http.StatusAccepted {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("still refused after the worker ran: %d %s", r.status, r.body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestLanguagesArePublic(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noWorker: true})
	r := e.request("GET", "/api/v1/languages", "", nil)
	var langs []struct {
		Name     string   `json:"name"`
		Version  string   `json:"version"`
		Aliases  []string `json:"aliases"`
		Compiled bool     `json:"compiled"`
		Limits   struct {
			Run        map[string]int64 `json:"run"`
			MaxRun     map[string]int64 `json:"max_run"`
			MaxCompile map[string]int64 `json:"max_compile"`
		} `json:"limits"`
	}
	r.json(t, &langs)
	if r.status != http.StatusOK || len(langs) != sandbox.Builtin().Len() {
		t.Fatalf("GET = %d %s", r.status, r.body)
	}
	for _, l := range langs {
		switch l.Name {
		case "python":
			if l.Compiled || l.Version == "" || len(l.Aliases) == 0 || l.Limits.Run["wall_time_ms"] != 3000 ||
				l.Limits.MaxRun["wall_time_ms"] != 10000 || l.Limits.MaxRun["memory_bytes"] != 512<<20 {
				t.Errorf("python = %+v", l)
			}
		case "c":
			if !l.Compiled || l.Limits.MaxCompile["wall_time_ms"] != 10000 {
				t.Errorf("c = %+v", l)
			}
		}
	}
}

// metric returns the value of the counter or gauge name whose label has
// value label ("" for an unlabelled metric).
func metric(t *testing.T, e *env, name, label string) float64 {
	t.Helper()
	families, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if label != "" && (len(m.GetLabel()) == 0 || m.GetLabel()[0].GetValue() != label) {
				continue
			}
			if c := m.GetCounter(); c != nil {
				return c.GetValue()
			}
			if h := m.GetHistogram(); h != nil {
				return float64(h.GetSampleCount())
			}
			return m.GetGauge().GetValue()
		}
	}
	return 0
}
