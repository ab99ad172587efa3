package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/auth"
)

// TestRunAgainstAServer runs local files through "kaicode run" on a real
// server with the real sandbox.
func TestRunAgainstAServer(t *testing.T) {
	t.Parallel()
	requireSandbox(t)
	const secret = "run-test-secret-0123456789abcdef"
	srv := serveInProcess(t, map[string]string{"KAICODE_JWT_SECRET": secret})
	token, err := auth.Issue([]byte(secret), auth.User{ID: "7"}, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	echo := write("echo.py", "import sys\nprint(input()[::-1])\nprint('to stderr', file=sys.stderr)\n")
	fail := write("fail.py", "raise SystemExit(3)\n")
	broken := write("broken.c", "int main( {\n")
	input := write("input.txt", "olleh\n")
	notes := write("notes.txt", "hello\n")

	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"output and stdin", []string{"--stdin", input, echo}, 0, "hello\n", "to stderr\n"},
		{"exit status", []string{fail}, 3, "", "runtime_error"},
		{"compile error", []string{broken}, 1, "", "error"},
		{"json", []string{"--json", "--lang", "python", fail}, 3, `"exit_code":3`, ""},
		{"unknown extension", []string{notes}, 1, "", "cannot tell the language"},
		{"bad token", []string{"--token", "nope", echo}, 1, "", "invalid token"},
		{"no token", []string{"--token", "", echo}, 1, "", "no token"},
		{"unreachable server", []string{"--server", "http://127.0.0.1:1", echo}, 1, "", "kaicode server"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			env := &cliEnv{stdout: &stdout, stderr: &stderr, getenv: func(k string) string {
				return map[string]string{"KAICODE_SERVER": srv.base, "KAICODE_TOKEN": token}[k]
			}}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			code := run(ctx, env, append([]string{"run"}, tc.args...))
			if code != tc.wantCode || !strings.Contains(stdout.String(), tc.wantStdout) || !strings.Contains(stderr.String(), tc.wantStderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q, %q", code, stdout.String(), stderr.String(), tc.wantCode, tc.wantStdout, tc.wantStderr)
			}
			if tc.name == "json" && !json.Valid(stdout.Bytes()) {
				t.Errorf("--json printed %q", stdout.String())
			}
		})
	}
}
