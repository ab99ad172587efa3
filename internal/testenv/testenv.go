// Package testenv finds the real components that integration tests use:
// node packages, a PostgreSQL server. A test that lacks one skips with a
// message saying how to get it, unless KAICODE_REQUIRE_ALL is set (as CI
// sets it), in which case it fails: in CI nothing may be skipped.
package testenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Missing skips t, or fails it when KAICODE_REQUIRE_ALL is set, with a
// message naming what is missing and how to get it.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("KAICODE_REQUIRE_ALL") != "" {
		t.Fatalf("required component missing (KAICODE_REQUIRE_ALL is set): %s", msg)
	}
	t.Skip(msg)
}

// RepoRoot is the repository's top folder.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// NodeDir returns test/node, after checking that node and the interop
// packages are installed.
func NodeDir(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("runs node; skipped with -short")
	}
	if _, err := exec.LookPath("node"); err != nil {
		Missing(t, "node is not installed (apt-get install nodejs npm)")
	}
	dir := filepath.Join(RepoRoot(), "test", "node")
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
		Missing(t, "node packages are not installed: run (cd test/node && npm ci), or scripts/test")
	}
	return dir
}

// Node runs a script of test/node with args and returns its stdout.
func Node(ctx context.Context, t testing.TB, script string, args ...string) ([]byte, error) {
	t.Helper()
	dir := NodeDir(t)
	cmd := exec.CommandContext(ctx, "node", append([]string{script}, args...)...)
	cmd.Dir = dir
	cmd.Stderr = &testWriter{t: t, prefix: script + ": "}
	return cmd.Output()
}

// testWriter logs each write to t.
type testWriter struct {
	t      testing.TB
	prefix string
}

func (w *testWriter) Write(b []byte) (int, error) {
	w.t.Log(w.prefix + string(b))
	return len(b), nil
}
