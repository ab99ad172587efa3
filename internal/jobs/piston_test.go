package jobs_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/sandbox"
)

// scripted answers each program with the result named by its source.
var scripted = stubSandbox(func(_ context.Context, req sandbox.Request) (sandbox.Result, error) {
	results := map[string]sandbox.Result{
		"ok": {Status: sandbox.StatusOK, Stdout: "out\n", Stderr: "err\n", ExitCode: 0,
			WallTime: 25 * time.Millisecond, CPUTime: 12 * time.Millisecond, Memory: 5 << 20},
		"exit3":    {Status: sandbox.StatusRuntimeError, Stderr: "boom\n", ExitCode: 3, Message: "exited with code 3"},
		"segv":     {Status: sandbox.StatusRuntimeError, ExitCode: -1, Signal: "SIGSEGV"},
		"timeout":  {Status: sandbox.StatusTimeout, ExitCode: -1, Stdout: "partial", Message: "time limit exceeded"},
		"flood":    {Status: sandbox.StatusOutputLimit, ExitCode: -1, StdoutTruncated: true},
		"errflood": {Status: sandbox.StatusOutputLimit, ExitCode: -1, StderrTruncated: true},
		"oom":      {Status: sandbox.StatusMemoryLimit, ExitCode: -1, Signal: "SIGKILL"},
		"broken":   {Status: sandbox.StatusInternalError, ExitCode: -1, Message: "runner failed"},
		"badc": {Status: sandbox.StatusCompileError, CompileOutput: "main.c:1: error\n", CompileExitCode: 1,
			CompileWallTime: 80 * time.Millisecond, Message: "compilation failed"},
		"goodc": {Status: sandbox.StatusOK, Stdout: "hi\n", CompileWallTime: 90 * time.Millisecond, WallTime: 2 * time.Millisecond},
		"slowc": {Status: sandbox.StatusTimeout, CompileFailed: true, ExitCode: -1, Signal: "SIGKILL", CompileOutput: "cc1: ",
			CompileWallTime: 10 * time.Second, Memory: 9 << 20, Message: "compilation exceeded its time limit"},
	}
	r, ok := results[req.Files[0].Content]
	if !ok {
		r = sandbox.Result{Status: sandbox.StatusOK, Stdout: req.Files[0].Name + ":" + req.Stdin + ":" + strings.Join(req.Args, ",")}
	}
	r.Language = req.Language
	return r, nil
})

func execute(t *testing.T, e *env, body any) (int, map[string]any) {
	t.Helper()
	r := e.request("POST", "/api/v2/execute", "7", body)
	var m map[string]any
	r.json(t, &m)
	return r.status, m
}

func pistonBody(lang, source string) map[string]any {
	return map[string]any{"language": lang, "version": "*", "files": []map[string]any{{"content": source}}}
}

func TestPistonStages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{sandbox: scripted})
	stage := func(stdout, stderr string, code any, signal, message, status any, cpu, wall, mem float64) map[string]any {
		return map[string]any{
			"stdout": stdout, "stderr": stderr, "output": stdout + stderr, "code": code, "signal": signal,
			"message": message, "status": status, "cpu_time": cpu, "wall_time": wall, "memory": mem,
		}
	}
	badCompile := stage("", "main.c:1: error\n", 1.0, nil, "compilation failed", "RE", 0, 80, 0)
	slowCompile := stage("", "cc1: ", nil, "SIGKILL", "compilation exceeded its time limit", "TO", 0, 10000, 9<<20)
	tests := []struct {
		name, lang, source string
		run, compile       map[string]any
	}{
		{"ok", "python", "ok", stage("out\n", "err\n", 0.0, nil, nil, nil, 12, 25, 5<<20), nil},
		{"exit code", "python", "exit3", stage("", "boom\n", 3.0, nil, "exited with code 3", "RE", 0, 0, 0), nil},
		{"signal", "python", "segv", stage("", "", nil, "SIGSEGV", nil, "SG", 0, 0, 0), nil},
		{"timeout", "python", "timeout", stage("partial", "", nil, "SIGKILL", "time limit exceeded", "TO", 0, 0, 0), nil},
		{"stdout limit", "python", "flood", stage("", "", nil, "SIGKILL", nil, "OL", 0, 0, 0), nil},
		{"stderr limit", "python", "errflood", stage("", "", nil, "SIGKILL", nil, "EL", 0, 0, 0), nil},
		{"memory", "python", "oom", stage("", "", nil, "SIGKILL", nil, "SG", 0, 0, 0), nil},
		{"internal", "python", "broken", stage("", "", -1.0, nil, "runner failed", "XX", 0, 0, 0), nil},
		{"compile error", "c", "badc", badCompile, badCompile},
		{"compile timeout", "c", "slowc", slowCompile, slowCompile},
		{"compiled ok", "c", "goodc", stage("hi\n", "", 0.0, nil, nil, nil, 0, 2, 0), stage("", "", 0.0, nil, nil, nil, 0, 90, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, got := execute(t, e, pistonBody(tt.lang, tt.source))
			if status != http.StatusOK {
				t.Fatalf("status %d: %v", status, got)
			}
			lang, _ := e.svc.Catalogue().Lookup(tt.lang)
			want := map[string]any{"language": lang.Name, "version": lang.Version, "run": tt.run}
			if tt.compile != nil {
				want["compile"] = tt.compile
			}
			if !reflect.DeepEqual(got, want) {
				gj, _ := json.Marshal(got)
				wj, _ := json.Marshal(want)
				t.Errorf("got  %s\nwant %s", gj, wj)
			}
		})
	}
}

func TestPistonRequestFields(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{sandbox: scripted})
	tests := []struct {
		name  string
		body  map[string]any
		entry string
	}{
		{"unnamed entry gets the language's file name", pistonBody("py", "x"), "main.py"},
		{"named entry", map[string]any{"language": "python", "version": "3.x", "files": []map[string]any{{"name": "a.py", "content": "x"}}}, "a.py"},
		{"first utf8 file is the entry", map[string]any{"language": "python", "version": "3.11", "files": []map[string]any{
			{"name": "data.bin", "content": "eA==", "encoding": "base64"}, {"name": "m.py", "content": "x"}}}, "m.py"},
		{"hex and stdin and args", map[string]any{"language": "python", "version": "3.11.2", "stdin": "in", "args": []string{"1", "2"},
			"run_timeout": 0, "run_memory_limit": -1, "files": []map[string]any{{"content": "x"}, {"content": "78", "encoding": "hex"}}}, "main.py"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, got := execute(t, e, tt.body)
			run, _ := got["run"].(map[string]any)
			if status != http.StatusOK || run == nil || !strings.HasPrefix(run["stdout"].(string), tt.entry+":") {
				t.Errorf("status %d, %v; want the entry point %s", status, got, tt.entry)
			}
		})
	}
	if _, got := execute(t, e, map[string]any{"language": "python", "version": "*", "stdin": "in", "args": []string{"1", "2"},
		"files": []map[string]any{{"content": "x"}}}); got["run"].(map[string]any)["stdout"] != "main.py:in:1,2" {
		t.Errorf("stdin and args not passed: %v", got)
	}
}

func TestPistonErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{sandbox: scripted})
	with := func(k string, v any) map[string]any {
		b := pistonBody("python", "x")
		b[k] = v
		return b
	}
	without := func(k string) map[string]any {
		b := pistonBody("python", "x")
		delete(b, k)
		return b
	}
	tests := []struct {
		name    string
		body    any
		status  int
		message string
	}{
		{"no language", without("language"), 400, "language is required as a string"},
		{"language not a string", with("language", 3), 400, "language is required as a string"},
		{"no version", without("version"), 400, "version is required as a string"},
		{"no files", without("files"), 400, "files is required as an array"},
		{"files not an array", with("files", "x"), 400, "files is required as an array"},
		{"file without content", with("files", []map[string]any{{"name": "a"}}), 400, "files[0].content is required as a string"},
		{"unknown language", with("language", "cobol"), 400, "cobol-* runtime is unknown"},
		{"unknown version", with("version", "2.x"), 400, "python-2.x runtime is unknown"},
		{"no utf8 file", with("files", []map[string]any{{"content": "eA==", "encoding": "base64"}}), 400, "files must include at least one utf8 encoded file"},
		{"bad encoding", with("files", []map[string]any{{"content": "x", "encoding": "rot13"}}), 400, "files[0].encoding must be one of utf8, base64, hex"},
		{"bad base64", with("files", []map[string]any{{"content": "x"}, {"content": "!!", "encoding": "base64"}}), 400, "files[1].content is not valid base64"},
		{"stdin not a string", with("stdin", 1), 400, "stdin must be a string"},
		{"args not strings", with("args", []int{1}), 400, "args must be an array of strings"},
		{"timeout not a number", with("run_timeout", "3000"), 400, "run_timeout must be a number"},
		{"timeout above limit", with("run_timeout", 10001), 400, "run_timeout cannot exceed the configured limit of 10000"},
		{"cpu time above limit", with("run_cpu_time", 99999), 400, "run_cpu_time cannot exceed the configured limit of 10000"},
		{"memory above limit", with("run_memory_limit", 1<<40), 400, "run_memory_limit cannot exceed the configured limit of 536870912"},
		{"negative timeout", with("run_timeout", -5), 400, "run_timeout must be non-negative"},
		{"negative memory", with("run_memory_limit", -2), 400, "run_memory_limit must be non-negative"},
		{"compile timeout above limit", with("compile_timeout", 10001), 400, "compile_timeout cannot exceed the configured limit of"},
		{"bad JSON", `{"language":`, 400, "invalid JSON body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.request("POST", "/api/v2/execute", "7", tt.body)
			var got map[string]any
			r.json(t, &got)
			if r.status != tt.status || !strings.HasPrefix(got["message"].(string), tt.message) {
				t.Errorf("got %d %s, want %d %q", r.status, r.body, tt.status, tt.message)
			}
		})
	}

	t.Run("content type", func(t *testing.T) {
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v2/execute", strings.NewReader("language=python"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Bearer "+e.token("7"))
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var got map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&got)
		if resp.StatusCode != 415 || got["message"] != "requests must be of type application/json" {
			t.Errorf("got %d %v", resp.StatusCode, got)
		}
	})
	t.Run("no token", func(t *testing.T) {
		if r := e.request("POST", "/api/v2/execute", "", pistonBody("python", "x")); r.status != 401 {
			t.Errorf("got %d %s", r.status, r.body)
		}
	})
}

func TestPistonRuntimes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{noWorker: true})
	r := e.request("GET", "/api/v2/runtimes", "", nil)
	var got []map[string]any
	r.json(t, &got)
	if r.status != 200 || len(got) != sandbox.Builtin().Len() {
		t.Fatalf("got %d %s", r.status, r.body)
	}
	for _, rt := range got {
		keys := make([]string, 0, len(rt))
		for k := range rt {
			keys = append(keys, k)
		}
		if len(rt) != 3 || rt["language"] == "" || rt["version"] == "" || rt["aliases"] == nil {
			t.Errorf("runtime %v (keys %v), want language, version, aliases", rt, keys)
		}
	}
}
