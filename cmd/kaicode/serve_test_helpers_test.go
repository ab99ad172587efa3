package main

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/testenv"
)

// inProcessServer is "kaicode serve" run by run() inside the test process.
type inProcessServer struct {
	base    string // http://127.0.0.1:port, no trailing slash
	dataDir string
	logs    syncBuffer
	stop    func()
}

// serveInProcess starts "kaicode serve" on a free loopback port with a
// fresh data dir and the settings in vars (environment names), waits until
// it is healthy, and stops it when t ends. stop may be called earlier; it
// fails t unless serve exits 0.
func serveInProcess(t *testing.T, vars map[string]string) *inProcessServer {
	t.Helper()
	addr := testenv.FreeAddr(t)
	s := &inProcessServer{base: "http://" + addr, dataDir: t.TempDir()}
	env := map[string]string{
		"KAICODE_ADDR": addr, "KAICODE_DATA_DIR": s.dataDir, "KAICODE_LOG_LEVEL": "warn",
		"KAICODE_ENV_FILE": "",
	}
	for k, v := range vars {
		env[k] = v
	}
	cli := &cliEnv{stdout: &s.logs, stderr: &s.logs, getenv: func(k string) string { return env[k] }}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan int, 1)
	go func() { served <- run(ctx, cli, []string{"serve"}) }()
	var once sync.Once
	s.stop = func() {
		once.Do(func() {
			cancel()
			if code := <-served; code != 0 {
				t.Errorf("serve exited %d; log:\n%s", code, s.logs.String())
			}
		})
	}
	t.Cleanup(s.stop)
	hctx, hcancel := context.WithTimeout(ctx, 90*time.Second)
	defer hcancel()
	waitHealthy(hctx, t, s.base)
	return s
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
