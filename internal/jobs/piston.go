package jobs

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/sandbox"
)

// The Piston v2 API (PROTOCOLS.md section 3): POST /api/v2/execute runs a
// program and answers with its result; GET /api/v2/runtimes lists the
// languages. Request validation follows Piston's order and messages, except
// that a limit of 0 means the default here (in Piston it disables the
// limit).

// pistonFile is one entry of "files".
type pistonFile struct {
	Name     *string `json:"name"`
	Content  *string `json:"content"`
	Encoding *string `json:"encoding"`
}

// pistonStage is the "run" or "compile" part of a response.
type pistonStage struct {
	Stdout   string  `json:"stdout"`
	Stderr   string  `json:"stderr"`
	Output   string  `json:"output"`
	Code     *int    `json:"code"`
	Signal   *string `json:"signal"`
	Message  *string `json:"message"`
	Status   *string `json:"status"`
	CPUTime  int64   `json:"cpu_time"`
	WallTime int64   `json:"wall_time"`
	Memory   int64   `json:"memory"`
}

// pistonResponse is the body of a 200 from /api/v2/execute.
type pistonResponse struct {
	Language string       `json:"language"`
	Version  string       `json:"version"`
	Run      pistonStage  `json:"run"`
	Compile  *pistonStage `json:"compile,omitempty"`
}

// pistonRuntime is one entry of GET /api/v2/runtimes.
type pistonRuntime struct {
	Language string   `json:"language"`
	Version  string   `json:"version"`
	Aliases  []string `json:"aliases"`
}

// pistonError writes Piston's error shape.
func pistonError(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, map[string]string{"message": fmt.Sprintf(format, args...)})
}

// pistonRuntimes serves GET /api/v2/runtimes.
func (a *API) pistonRuntimes(w http.ResponseWriter, _ *http.Request) {
	langs := a.svc.Catalogue().Languages()
	out := make([]pistonRuntime, 0, len(langs))
	for _, l := range langs {
		out = append(out, pistonRuntime{Language: l.Name, Version: l.Version, Aliases: nonNil(l.Aliases)})
	}
	writeJSON(w, http.StatusOK, out)
}

// pistonExecute serves POST /api/v2/execute.
func (a *API) pistonExecute(w http.ResponseWriter, r *http.Request, user auth.User) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		pistonError(w, http.StatusUnsupportedMediaType, "requests must be of type application/json")
		return
	}
	var body map[string]json.RawMessage
	if err := a.decodeJSON(w, r, &body); err != nil {
		a.writeError(w, r, err)
		return
	}
	req, lang, err := a.pistonRequest(body)
	if err != nil {
		pistonError(w, http.StatusBadRequest, "%s", err)
		return
	}
	job, err := a.svc.Submit(r.Context(), Submission{User: user.ID, Request: req})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), a.svc.MaxWait())
	defer cancel()
	job, err = a.svc.Wait(ctx, job.ID)
	switch {
	case err != nil && ctx.Err() == nil:
		a.writeError(w, r, err)
	case !job.Status.Final():
		pistonError(w, http.StatusGatewayTimeout, "job %s did not finish within %s; GET /api/v1/jobs/%s for its result", job.ID, a.svc.MaxWait(), job.ID)
	case job.Status == StatusFailed:
		pistonError(w, http.StatusInternalServerError, "job %s failed: %s", job.ID, job.Error)
	default:
		writeJSON(w, http.StatusOK, pistonResult(lang, *job.Result))
	}
}

// pistonRequest validates a Piston request body and converts it. Its
// errors are Piston's 400 messages.
func (a *API) pistonRequest(body map[string]json.RawMessage) (sandbox.Request, sandbox.Language, error) {
	var (
		req               sandbox.Request
		language, version string
		files             []pistonFile
	)
	if !decodeField(body, "language", &language) || language == "" {
		return req, sandbox.Language{}, fmt.Errorf("language is required as a string")
	}
	if !decodeField(body, "version", &version) || version == "" {
		return req, sandbox.Language{}, fmt.Errorf("version is required as a string")
	}
	if !decodeField(body, "files", &files) || files == nil {
		return req, sandbox.Language{}, fmt.Errorf("files is required as an array")
	}
	lang, ok := a.svc.Catalogue().Lookup(language)
	if !ok || !matchVersion(version, lang.Version) {
		return req, sandbox.Language{}, fmt.Errorf("%s-%s runtime is unknown", language, version)
	}
	var err error
	if req.Files, err = pistonFiles(files); err != nil {
		return req, lang, err
	}
	if raw, ok := body["stdin"]; ok && string(raw) != "null" && json.Unmarshal(raw, &req.Stdin) != nil {
		return req, lang, fmt.Errorf("stdin must be a string")
	}
	if raw, ok := body["args"]; ok && string(raw) != "null" && json.Unmarshal(raw, &req.Args) != nil {
		return req, lang, fmt.Errorf("args must be an array of strings")
	}
	maxRun, maxCompile := a.svc.MaxLimits(lang)
	steps := []struct {
		name    string
		max     sandbox.Limits
		dst     *sandbox.Limits
		applies bool
	}{
		{"run", maxRun, &req.Run, true},
		{"compile", maxCompile, &req.Compile, lang.Compiled()},
	}
	for _, s := range steps {
		limits := []struct {
			field string
			max   int64
			set   func(int64)
			ms    bool
		}{
			{s.name + "_timeout", s.max.WallTime.Milliseconds(), func(v int64) { s.dst.WallTime = time.Duration(v) * time.Millisecond }, true},
			{s.name + "_cpu_time", s.max.CPUTime.Milliseconds(), func(v int64) { s.dst.CPUTime = time.Duration(v) * time.Millisecond }, true},
			{s.name + "_memory_limit", s.max.Memory, func(v int64) { s.dst.Memory = v }, false},
		}
		for _, l := range limits {
			v, err := pistonLimit(body, l.field, l.max, !l.ms)
			if err != nil {
				return req, lang, err
			}
			if s.applies {
				l.set(v)
			}
		}
	}
	req.Language = lang.Name
	return req, lang, nil
}

// decodeField decodes body[name] into dst and reports whether it was
// present, not null and of the right type.
func decodeField(body map[string]json.RawMessage, name string, dst any) bool {
	raw, ok := body[name]
	return ok && string(raw) != "null" && json.Unmarshal(raw, dst) == nil
}

// pistonLimit reads an optional numeric limit. Absent, null and 0 give 0
// (the default); -1 also does for memory limits.
func pistonLimit(body map[string]json.RawMessage, name string, max int64, memory bool) (int64, error) {
	raw, ok := body[name]
	if !ok || string(raw) == "null" {
		return 0, nil
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		return 0, fmt.Errorf("%s must be a number", name)
	}
	switch {
	case memory && f == -1, f == 0:
		return 0, nil
	case f > float64(max):
		return 0, fmt.Errorf("%s cannot exceed the configured limit of %d", name, max)
	case f < 0:
		return 0, fmt.Errorf("%s must be non-negative", name)
	}
	return int64(math.Ceil(f)), nil
}

// pistonFiles decodes the files; the first utf8 file becomes the entry
// point. An unnamed entry point gets the language's file name (so that
// compilers recognise it), other unnamed files "file<i>.code".
func pistonFiles(in []pistonFile) ([]sandbox.File, error) {
	out := make([]sandbox.File, 0, len(in))
	entry := -1
	for i, f := range in {
		if f.Content == nil {
			return nil, fmt.Errorf("files[%d].content is required as a string", i)
		}
		enc := "utf8"
		if f.Encoding != nil {
			enc = *f.Encoding
		}
		var content string
		switch enc {
		case "utf8":
			content = *f.Content
			if entry < 0 {
				entry = i
			}
		case "base64":
			b, err := base64.StdEncoding.DecodeString(*f.Content)
			if err != nil {
				return nil, fmt.Errorf("files[%d].content is not valid base64", i)
			}
			content = string(b)
		case "hex":
			b, err := hex.DecodeString(*f.Content)
			if err != nil {
				return nil, fmt.Errorf("files[%d].content is not valid hex", i)
			}
			content = string(b)
		default:
			return nil, fmt.Errorf("files[%d].encoding must be one of utf8, base64, hex", i)
		}
		name := "file" + strconv.Itoa(i) + ".code"
		if f.Name != nil && *f.Name != "" {
			name = *f.Name
		}
		out = append(out, sandbox.File{Name: name, Content: content})
	}
	if entry < 0 {
		return nil, fmt.Errorf("files must include at least one utf8 encoded file")
	}
	if in[entry].Name == nil || *in[entry].Name == "" {
		out[entry].Name = ""
	}
	out[0], out[entry] = out[entry], out[0]
	return out, nil
}

// matchVersion reports whether version satisfies a Piston version
// selector: "*", an exact version, or a prefix with "x" or "*" wildcards
// such as "3", "3.x" or "3.11.*".
func matchVersion(selector, version string) bool {
	selector = strings.TrimSpace(selector)
	if selector == "*" || selector == "x" || selector == version {
		return true
	}
	want, have := strings.Split(selector, "."), strings.Split(version, ".")
	if len(want) > len(have) {
		return false
	}
	for i, w := range want {
		if w != "x" && w != "X" && w != "*" && w != have[i] {
			return false
		}
	}
	return true
}

// pistonResult converts a sandbox result to Piston's response.
func pistonResult(lang sandbox.Language, r sandbox.Result) pistonResponse {
	resp := pistonResponse{Language: lang.Name, Version: lang.Version, Run: runStage(r)}
	if lang.Compiled() {
		c := compileStage(r)
		resp.Compile = &c
		if r.CompileFailed || r.Status == sandbox.StatusCompileError {
			resp.Run = c
		}
	}
	return resp
}

// interleaved is r's stdout and stderr as the program wrote them; stdout
// then stderr for a sandbox that does not record their order.
func interleaved(r sandbox.Result) string {
	if r.Output == "" {
		return r.Stdout + r.Stderr
	}
	return r.Output
}

// runStage is the run step of r in Piston's shape.
func runStage(r sandbox.Result) pistonStage {
	s := pistonStage{
		Stdout: r.Stdout, Stderr: r.Stderr, Output: interleaved(r),
		CPUTime: r.CPUTime.Milliseconds(), WallTime: r.WallTime.Milliseconds(), Memory: r.Memory,
	}
	s.setOutcome(r, r.ExitCode)
	return s
}

// compileStage is the compile step of r in Piston's shape; the compiler's
// combined output is reported as its stderr. When the job ended there, the
// stage says how.
func compileStage(r sandbox.Result) pistonStage {
	s := pistonStage{Stderr: r.CompileOutput, Output: r.CompileOutput, WallTime: r.CompileWallTime.Milliseconds()}
	if r.CompileFailed || r.Status == sandbox.StatusCompileError {
		s.Memory = r.Memory
		s.setOutcome(r, r.CompileExitCode)
		return s
	}
	code := r.CompileExitCode
	s.Code = &code
	return s
}

// setOutcome fills in the code or signal, status and message of a stage
// that ended as r did, exiting with code unless a signal ended it.
func (s *pistonStage) setOutcome(r sandbox.Result, code int) {
	signal, status := r.Signal, ""
	switch r.Status {
	case sandbox.StatusRuntimeError, sandbox.StatusCompileError:
		status = "RE"
		if signal != "" {
			status = "SG"
		}
	case sandbox.StatusTimeout:
		status, signal = "TO", "SIGKILL"
	case sandbox.StatusOutputLimit:
		status, signal = "OL", "SIGKILL"
		if r.StderrTruncated && !r.StdoutTruncated {
			status = "EL"
		}
	case sandbox.StatusMemoryLimit:
		status, signal = "SG", "SIGKILL"
	case sandbox.StatusInternalError:
		status = "XX"
	}
	if signal == "" {
		s.Code = &code
	} else {
		s.Signal = &signal
	}
	if status != "" {
		s.Status = &status
	}
	if r.Message != "" {
		msg := r.Message
		s.Message = &msg
	}
}
