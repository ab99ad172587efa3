package testenv

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// RedisURL returns the URL of the test Redis server: KAICODE_TEST_REDIS_URL
// when set, else a redis-server of its own on a unix socket that stops when
// tb ends. Tests that share a server keep apart by key or channel prefix.
func RedisURL(tb testing.TB) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("needs Redis; skipped with -short")
	}
	if u := os.Getenv("KAICODE_TEST_REDIS_URL"); u != "" {
		return u
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		Missing(tb, "redis-server is not installed (apt-get install redis-server), and KAICODE_TEST_REDIS_URL is not set")
	}
	// Not tb.TempDir: a unix socket path must stay under about 100 bytes.
	dir, err := os.MkdirTemp("", "kaicode-redis-")
	if err != nil {
		tb.Fatal(err)
	}
	sock, logFile := filepath.Join(dir, "redis.sock"), filepath.Join(dir, "redis.log")
	cmd := exec.Command(bin, "--port", "0", "--unixsocket", sock, "--unixsocketperm", "700",
		"--save", "", "--appendonly", "no", "--dir", dir, "--logfile", logFile)
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start redis-server: %v", err)
	}
	tb.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		_ = os.RemoveAll(dir)
	})
	for deadline := time.Now().Add(10 * time.Second); ; {
		if c, err := net.Dial("unix", sock); err == nil {
			_ = c.Close()
			return "unix://" + sock
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logFile)
			tb.Fatalf("redis-server did not open its socket within 10s; its log:\n%s", log)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
