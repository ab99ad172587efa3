package main

import (
	"bufio"
	"context"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/testenv"
)

// sharedBin is the race-enabled kaicode the tests of this package share,
// built once by the first test that needs it.
var (
	sharedBinOnce sync.Once
	sharedBin     string
)

// kaicodeBinary returns the shared race-enabled binary.
func kaicodeBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	sharedBinOnce.Do(func() {
		// Outlives the first test: every test of the package uses it.
		dir, err := os.MkdirTemp("", "kaicode-bin-")
		if err != nil {
			t.Fatal(err)
		}
		sharedBin = testenv.BuildKaicode(t, dir, true)
	})
	if sharedBin == "" {
		t.Fatal("building kaicode failed in an earlier test")
	}
	return sharedBin
}

// testEnv is the environment of a server under test: none of the
// developer's settings leak in.
func testEnv(extra ...string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		env = append(env, "DOCKER_HOST="+h)
	}
	return append(env, extra...)
}

func TestServeShutsDownOnSIGTERM(t *testing.T) {
	bin := kaicodeBinary(t)
	addr := testenv.FreeAddr(t)
	cmd := exec.Command(bin, "serve", "--addr", addr, "--data-dir", t.TempDir(), "--pool-size", "0", "--log-format", "json")
	cmd.Dir = t.TempDir()
	cmd.Env = testEnv("KAICODE_JWT_SECRET=test-secret-of-some-length")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logs := make(chan string, 1)
	go func() {
		var b strings.Builder
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			b.WriteString(sc.Text() + "\n")
		}
		logs <- b.String()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	waitHealthy(ctx, t, "http://"+addr)

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, <-logs)
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("no exit 30 s after SIGTERM\n%s", <-logs)
	}
	if l := <-logs; !strings.Contains(l, "shutting down") {
		t.Errorf("no shutdown line in logs:\n%s", l)
	}
}

// waitHealthy polls /healthz until it answers 200 or ctx ends.
func waitHealthy(ctx context.Context, t *testing.T, base string) {
	t.Helper()
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("server at %s never became healthy: %v", base, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func TestServeBadSettingExitsWithOneLine(t *testing.T) {
	bin := kaicodeBinary(t)
	tests := []struct {
		name string
		args []string
		env  []string
		want string
	}{
		{"bad flag value", []string{"serve", "--addr", "nowhere"}, nil, "--addr"},
		{"bad env value", []string{"serve"}, []string{"KAICODE_MAX_RUN_TIME=forever"}, "KAICODE_MAX_RUN_TIME"},
		{"unknown flag", []string{"serve", "--no-such-flag"}, nil, "no-such-flag"},
		{"unknown command", []string{"frobnicate"}, nil, `unknown command "frobnicate"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bin, tt.args...)
			cmd.Dir = t.TempDir()
			cmd.Env = testEnv(tt.env...)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("exit 0, want failure; output:\n%s", out)
			}
			first := strings.SplitN(strings.TrimSpace(string(out)), "\n", 2)[0]
			if !strings.Contains(first, tt.want) {
				t.Errorf("first line %q does not name %q", first, tt.want)
			}
		})
	}
}

func TestHelpListsSettings(t *testing.T) {
	bin := kaicodeBinary(t)
	out, err := exec.Command(bin, "serve", "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("serve --help: %v\n%s", err, out)
	}
	for _, want := range []string{"-addr", "KAICODE_ADDR", "-data-dir", "KAICODE_DATA_DIR"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("serve --help lacks %s", want)
		}
	}
}
