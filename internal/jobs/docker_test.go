package jobs_test

import (
	"net/http"
	"testing"
	"time"
)

// TestDockerEndToEnd runs real programs in the Docker sandbox through both
// queues: REST with and without wait, and the Piston API field by field.
func TestDockerEndToEnd(t *testing.T) {
	sb := dockerSandbox(t)
	for _, q := range []struct {
		name string
		sqs  bool
	}{{"sqlite", false}, {"sqs", true}} {
		t.Run(q.name, func(t *testing.T) {
			e := newEnv(t, envOptions{sandbox: sb, sqs: q.sqs})

			r := e.request("POST", "/api/v1/jobs?wait=true", "7", map[string]any{
				"language": "python", "source": "print(input()[::-1])", "stdin": "olleh\n",
			})
			var j jobBody
			r.json(t, &j)
			if r.status != http.StatusOK || j.Status != "finished" || j.Result == nil ||
				j.Result.Status != "ok" || j.Result.Stdout != "hello\n" || j.Result.ExitCode != 0 {
				t.Fatalf("wait=true: %d %s", r.status, r.body)
			}

			r = e.request("POST", "/api/v1/jobs", "7", map[string]any{"language": "python", "source": "import sys\nsys.exit(3)"})
			r.json(t, &j)
			if r.status != http.StatusAccepted {
				t.Fatalf("POST: %d %s", r.status, r.body)
			}
			e.waitFinal(j.ID, 30*time.Second)
			r = e.request("GET", "/api/v1/jobs/"+j.ID, "7", nil)
			r.json(t, &j)
			if j.Status != "finished" || j.Result.Status != "runtime_error" || j.Result.ExitCode != 3 {
				t.Errorf("GET: %d %s", r.status, r.body)
			}

			status, got := execute(t, e, map[string]any{
				"language": "python3", "version": "3.x", "stdin": "x", "args": []string{"a", "b"},
				"files": []map[string]any{{"name": "prog.py", "content": "import sys, time\nprint('e', file=sys.stderr, flush=True)\ntime.sleep(0.1)\nprint(sys.argv[1:], input())"}},
			})
			run, _ := got["run"].(map[string]any)
			if status != http.StatusOK || got["language"] != "python" || got["version"] != "3.11.2" || got["compile"] != nil || run == nil {
				t.Fatalf("execute: %d %v", status, got)
			}
			// output interleaves the streams as the program wrote them.
			want := map[string]any{"stdout": "['a', 'b'] x\n", "stderr": "e\n", "output": "e\n['a', 'b'] x\n",
				"code": 0.0, "signal": nil, "message": nil, "status": nil}
			for k, v := range want {
				if run[k] != v {
					t.Errorf("run.%s = %#v, want %#v", k, run[k], v)
				}
			}
			for _, k := range []string{"cpu_time", "wall_time", "memory"} {
				if n, ok := run[k].(float64); !ok || n < 0 {
					t.Errorf("run.%s = %#v, want a number", k, run[k])
				}
			}
			if len(run) != 10 {
				t.Errorf("run has %d fields, want 10: %v", len(run), run)
			}

			status, got = execute(t, e, map[string]any{"language": "python", "version": "*", "run_timeout": 500,
				"files": []map[string]any{{"content": "while True: pass"}}})
			run, _ = got["run"].(map[string]any)
			if status != http.StatusOK || run["status"] != "TO" || run["signal"] != "SIGKILL" || run["code"] != nil {
				t.Errorf("timeout: %d %v", status, got)
			}
		})
	}
}
