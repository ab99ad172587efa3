package roomsync

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/sandbox"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const goldenRoom = "6f1c1d2e-8a4b-4c3d-9e0f-112233445566"

// TestWireGolden pins every server message to testdata/<name>.json.
func TestWireGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		msg  any
	}{
		{"output_ok", outputOf(goldenRoom, jobs.Update{ID: "job-1", User: "42", Language: "python", Status: jobs.StatusFinished,
			Result: &sandbox.Result{Status: sandbox.StatusOK, Stdout: "hello\n", WallTime: 61 * time.Millisecond,
				CPUTime: 40 * time.Millisecond, Memory: 9 << 20}})},
		{"output_compile_error", outputOf(goldenRoom, jobs.Update{ID: "job-2", User: "42", Language: "cpp", Status: jobs.StatusFinished,
			Result: &sandbox.Result{Status: sandbox.StatusCompileError, ExitCode: -1, CompileExitCode: 1,
				CompileOutput: "main.cpp:1:5: error: expected ';'\n", CompileWallTime: 180 * time.Millisecond}})},
		{"output_failed", outputOf(goldenRoom, jobs.Update{ID: "job-3", User: "42", Language: "python", Status: jobs.StatusFailed,
			Error: "dead-lettered"})},
		{"output_refused", refusedOutput(goldenRoom, "rate_limited", "more than 30 jobs a minute; retry in 2s")},
		{"authenticated", authenticatedMessage{Event: eventAuthenticated, RoomName: goldenRoom, User: "42", Access: "write"}},
		{"status", statusMessage{Event: eventStatus, RoomName: goldenRoom, JobID: "job-1", Status: "running", User: "42", Language: "python"}},
		{"presence", presenceMessage{Event: eventPresence, RoomName: goldenRoom, Users: []string{"42", "7"}, Joined: "7"}},
		{"language", languageMessage{Event: eventLanguage, RoomName: goldenRoom, Language: "cpp", User: "42"}},
		{"error", errorMessage{Event: eventError, Code: codeMissingField, Message: "judge needs language"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got bytes.Buffer
			if err := json.Indent(&got, encode(tt.msg), "", "  "); err != nil {
				t.Fatal(err)
			}
			got.WriteByte('\n')
			path := filepath.Join("testdata", tt.name+".json")
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("%s changed:\n got %s\nwant %s", path, got.Bytes(), want)
			}
		})
	}
}

func TestTerminalText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		r    sandbox.Result
		want string
	}{
		{"clean exit", sandbox.Result{Status: sandbox.StatusOK, Stdout: "1\n2\n"}, "1\n2\n"},
		{"stdout then stderr", sandbox.Result{Status: sandbox.StatusOK, Stdout: "a", Stderr: "warn\n"}, "a\nwarn\n"},
		{"as written", sandbox.Result{Status: sandbox.StatusOK, Stdout: "a\nb\n", Stderr: "warn\n", Output: "a\nwarn\nb\n"}, "a\nwarn\nb\n"},
		{"non-zero exit", sandbox.Result{Status: sandbox.StatusRuntimeError, ExitCode: 3, Stderr: "Traceback\n"}, "Traceback\n[exited with code 3]"},
		{"signal", sandbox.Result{Status: sandbox.StatusRuntimeError, ExitCode: -1, Signal: "SIGSEGV"}, "[killed by SIGSEGV]"},
		{"timeout", sandbox.Result{Status: sandbox.StatusTimeout, Stdout: "partial", WallTime: 3 * time.Second}, "partial\n[time limit exceeded after 3s]"},
		{"memory", sandbox.Result{Status: sandbox.StatusMemoryLimit}, "[memory limit exceeded]"},
		{"compile timeout", sandbox.Result{Status: sandbox.StatusTimeout, CompileFailed: true, CompileWallTime: 10 * time.Second,
			CompileOutput: "cc1: ", Message: "compilation exceeded its time limit"}, "cc1: \n[time limit exceeded after 10s; compilation exceeded its time limit]"},
		{"output limit", sandbox.Result{Status: sandbox.StatusOutputLimit, Stdout: "yyy", StdoutTruncated: true}, "yyy\n[output limit exceeded]"},
		{"truncated", sandbox.Result{Status: sandbox.StatusOK, Stdout: "zz", StdoutTruncated: true}, "zz\n[output truncated]"},
		{"compile error", sandbox.Result{Status: sandbox.StatusCompileError, CompileExitCode: 1, CompileOutput: "err\n", Stdout: "ignored"}, "err\n[compilation failed with exit code 1]"},
		{"internal", sandbox.Result{Status: sandbox.StatusInternalError, Message: "runner crashed"}, "[internal error; runner crashed]"},
	}
	for _, tt := range tests {
		if got := terminalText(tt.r); got != tt.want {
			t.Errorf("%s: terminalText = %q, want %q", tt.name, got, tt.want)
		}
	}
}
