package jobs

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/sandbox"
)

// submitRequest is the body of POST /api/v1/jobs.
type submitRequest struct {
	Language string `json:"language"`
	// Source is a single entry file; Files is the alternative.
	Source *string        `json:"source"`
	Files  []sandbox.File `json:"files"`
	Stdin  string         `json:"stdin"`
	Args   []string       `json:"args"`
	Limits struct {
		Run     limitsJSON `json:"run"`
		Compile limitsJSON `json:"compile"`
	} `json:"limits"`
}

// limitsJSON is one step's limits on the wire; 0 or absent means the
// language's default.
type limitsJSON struct {
	WallTimeMs  int64 `json:"wall_time_ms"`
	CPUTimeMs   int64 `json:"cpu_time_ms"`
	MemoryBytes int64 `json:"memory_bytes"`
}

func (l limitsJSON) limits() sandbox.Limits {
	return sandbox.Limits{
		WallTime: time.Duration(l.WallTimeMs) * time.Millisecond,
		CPUTime:  time.Duration(l.CPUTimeMs) * time.Millisecond,
		Memory:   l.MemoryBytes,
	}
}

func toLimitsJSON(l sandbox.Limits) limitsJSON {
	return limitsJSON{WallTimeMs: l.WallTime.Milliseconds(), CPUTimeMs: l.CPUTime.Milliseconds(), MemoryBytes: l.Memory}
}

func (s submitRequest) request() (sandbox.Request, error) {
	req := sandbox.Request{
		Language: s.Language, Files: s.Files, Stdin: s.Stdin, Args: s.Args,
		Run: s.Limits.Run.limits(), Compile: s.Limits.Compile.limits(),
	}
	switch {
	case s.Source != nil && len(s.Files) > 0:
		return req, errorf(CodeInvalid, "give either source or files, not both")
	case s.Source != nil:
		req.Files = []sandbox.File{{Content: *s.Source}}
	case len(s.Files) == 0:
		return req, errorf(CodeInvalid, "source or files is required")
	}
	return req, nil
}

// jobJSON is a job on the wire.
type jobJSON struct {
	ID         string      `json:"id"`
	Status     Status      `json:"status"`
	Language   string      `json:"language"`
	Room       string      `json:"room,omitempty"`
	Attempts   int         `json:"attempts"`
	CreatedAt  time.Time   `json:"created_at"`
	StartedAt  *time.Time  `json:"started_at,omitempty"`
	FinishedAt *time.Time  `json:"finished_at,omitempty"`
	Result     *ResultJSON `json:"result,omitempty"`
	Error      string      `json:"error,omitempty"`
}

// ResultJSON is a sandbox result on the wire, with times in milliseconds:
// the job API's and the /sync output's form.
type ResultJSON struct {
	Status            sandbox.Status `json:"status"`
	Version           string         `json:"version"`
	ExitCode          int            `json:"exit_code"`
	Signal            string         `json:"signal,omitempty"`
	Stdout            string         `json:"stdout"`
	Stderr            string         `json:"stderr"`
	StdoutTruncated   bool           `json:"stdout_truncated"`
	StderrTruncated   bool           `json:"stderr_truncated"`
	Output            string         `json:"output,omitempty"`
	CompileOutput     string         `json:"compile_output,omitempty"`
	CompileFailed     bool           `json:"compile_failed,omitempty"`
	CompileExitCode   int            `json:"compile_exit_code,omitempty"`
	WallTimeMs        int64          `json:"wall_time_ms"`
	CPUTimeMs         int64          `json:"cpu_time_ms"`
	CompileWallTimeMs int64          `json:"compile_wall_time_ms,omitempty"`
	MemoryBytes       int64          `json:"memory_bytes"`
	Message           string         `json:"message,omitempty"`
}

func toJobJSON(j Job) jobJSON {
	out := jobJSON{
		ID: j.ID, Status: j.Status, Language: j.Request.Language, Room: j.Room,
		Attempts: j.Attempts, CreatedAt: j.CreatedAt.UTC(), Error: j.Error,
	}
	if !j.StartedAt.IsZero() {
		t := j.StartedAt.UTC()
		out.StartedAt = &t
	}
	if !j.FinishedAt.IsZero() {
		t := j.FinishedAt.UTC()
		out.FinishedAt = &t
	}
	if r := j.Result; r != nil {
		out.Result = WireResult(*r)
	}
	return out
}

// WireResult is r in its wire form.
func WireResult(r sandbox.Result) *ResultJSON {
	return &ResultJSON{
		Status: r.Status, Version: r.Version, ExitCode: r.ExitCode, Signal: r.Signal,
		Stdout: r.Stdout, Stderr: r.Stderr, StdoutTruncated: r.StdoutTruncated, StderrTruncated: r.StderrTruncated,
		Output: r.Output, CompileOutput: r.CompileOutput, CompileFailed: r.CompileFailed, CompileExitCode: r.CompileExitCode,
		WallTimeMs: r.WallTime.Milliseconds(), CPUTimeMs: r.CPUTime.Milliseconds(),
		CompileWallTimeMs: r.CompileWallTime.Milliseconds(), MemoryBytes: r.Memory, Message: r.Message,
	}
}

// submit serves POST /api/v1/jobs[?wait=true|<duration>].
func (a *API) submit(w http.ResponseWriter, r *http.Request, user auth.User) {
	wait, err := a.waitParam(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var body submitRequest
	if err := a.decodeJSON(w, r, &body); err != nil {
		a.writeError(w, r, err)
		return
	}
	req, err := body.request()
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	job, err := a.svc.Submit(r.Context(), Submission{User: user.ID, Request: req})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/jobs/"+job.ID)
	if wait > 0 {
		ctx, cancel := context.WithTimeout(r.Context(), wait)
		defer cancel()
		job, err = a.svc.Wait(ctx, job.ID)
		if err != nil && ctx.Err() == nil {
			a.writeError(w, r, err)
			return
		}
	}
	status := http.StatusAccepted
	if job.Status.Final() {
		status = http.StatusOK
	}
	writeJSON(w, status, toJobJSON(job))
}

// waitParam reads ?wait=: true (the longest wait), false, a duration such
// as 10s, or a number of seconds; capped at the server's MaxWait.
func (a *API) waitParam(r *http.Request) (time.Duration, error) {
	v := r.URL.Query().Get("wait")
	if v == "" {
		return 0, nil
	}
	if b, err := strconv.ParseBool(v); err == nil {
		if b {
			return a.svc.MaxWait(), nil
		}
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		secs, serr := strconv.ParseFloat(v, 64)
		if serr != nil {
			return 0, errorf(CodeInvalid, "wait=%q is not true, false, a duration such as 10s, or seconds", v)
		}
		d = time.Duration(secs * float64(time.Second))
	}
	if d < 0 {
		return 0, errorf(CodeInvalid, "wait=%q must not be negative", v)
	}
	return min(d, a.svc.MaxWait()), nil
}

// get serves GET /api/v1/jobs/{id}. Another user's job is reported as not
// found, so ids cannot be probed.
func (a *API) get(w http.ResponseWriter, r *http.Request, user auth.User) {
	id := r.PathValue("id")
	job, err := a.svc.Get(r.Context(), id)
	if err == nil && job.User != user.ID {
		err = errorf(CodeNotFound, "no job %q", id)
	}
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toJobJSON(job))
}

// languageJSON is one entry of GET /api/v1/languages.
type languageJSON struct {
	Name     string   `json:"name"`
	Version  string   `json:"version"`
	Aliases  []string `json:"aliases"`
	Compiled bool     `json:"compiled"`
	Limits   struct {
		Run        limitsJSON  `json:"run"`
		MaxRun     limitsJSON  `json:"max_run"`
		Compile    *limitsJSON `json:"compile,omitempty"`
		MaxCompile *limitsJSON `json:"max_compile,omitempty"`
	} `json:"limits"`
}

// languages serves GET /api/v1/languages: every language with its default
// and maximum limits.
func (a *API) languages(w http.ResponseWriter, _ *http.Request) {
	langs := a.svc.Catalogue().Languages()
	out := make([]languageJSON, 0, len(langs))
	for _, l := range langs {
		maxRun, maxCompile := a.svc.MaxLimits(l)
		j := languageJSON{Name: l.Name, Version: l.Version, Aliases: nonNil(l.Aliases), Compiled: l.Compiled()}
		j.Limits.Run, j.Limits.MaxRun = toLimitsJSON(fillDefaults(sandbox.Limits{}, l.DefaultRun, maxRun)), toLimitsJSON(maxRun)
		if l.Compiled() {
			c, mc := toLimitsJSON(fillDefaults(sandbox.Limits{}, l.DefaultCompile, maxCompile)), toLimitsJSON(maxCompile)
			j.Limits.Compile, j.Limits.MaxCompile = &c, &mc
		}
		out = append(out, j)
	}
	writeJSON(w, http.StatusOK, out)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
