package bus_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/bus"
	"github.com/kaicode/kaicode/internal/testenv"
)

// redisURL returns the URL of the test Redis server: KAICODE_TEST_REDIS_URL
// when set, else a redis-server of its own on a unix socket that stops when
// tb ends. Tests share a server through distinct prefixes (testPrefix).
func redisURL(tb testing.TB) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("needs Redis; skipped with -short")
	}
	if u := os.Getenv("KAICODE_TEST_REDIS_URL"); u != "" {
		return u
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		testenv.Missing(tb, "redis-server is not installed (apt-get install redis-server), and KAICODE_TEST_REDIS_URL is not set")
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

// testPrefix returns a channel prefix no other test uses.
func testPrefix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "kaicode-test:" + hex.EncodeToString(b) + ":"
}

// newRedis returns a Redis bus on url that is closed when tb ends.
func newRedis(tb testing.TB, opts bus.RedisOptions) *bus.Redis {
	tb.Helper()
	r, err := bus.NewRedis(context.Background(), opts)
	if err != nil {
		tb.Fatalf("NewRedis: %v", err)
	}
	tb.Cleanup(r.Close)
	return r
}
