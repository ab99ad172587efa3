package docker

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/sandbox"
	"github.com/kaicode/kaicode/internal/testenv"
)

// The integration tests share one Sandbox with a warm pool; tests that need
// other options make their own.
var shared struct {
	once sync.Once
	sb   *Sandbox
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.sb != nil {
		shared.sb.Close(context.Background())
	}
	os.Exit(code)
}

// sharedSandbox returns the shared Sandbox, or skips the test when the
// engine or the images are missing (fails instead under
// KAICODE_REQUIRE_ALL=1, as in CI).
func sharedSandbox(t *testing.T) *Sandbox {
	t.Helper()
	shared.once.Do(func() {
		shared.sb, shared.err = newSandbox(Options{PoolSize: 1})
	})
	if shared.err != nil {
		unavailable(t, shared.err)
	}
	return shared.sb
}

// newTestSandbox makes a Sandbox with opts for one test, closed at its end.
func newTestSandbox(t *testing.T, opts Options) *Sandbox {
	t.Helper()
	sb, err := newSandbox(opts)
	if err != nil {
		unavailable(t, err)
	}
	t.Cleanup(func() { sb.Close(context.Background()) })
	return sb
}

func newSandbox(opts Options) (*Sandbox, error) {
	if testing.Short() {
		return nil, fmt.Errorf("integration test skipped in -short mode")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return New(ctx, opts)
}

func unavailable(t *testing.T, err error) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: skipping the Docker engine")
	}
	testenv.Missing(t, "needs the Docker engine and the runtime images (start dockerd, then run scripts/setup or `kaicode images build`): %v", err)
}

// run runs req and fails the test on an error.
func run(t *testing.T, sb *Sandbox, req sandbox.Request) sandbox.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := sb.Run(ctx, req)
	if err != nil {
		t.Fatalf("Run(%s): %v", req.Language, err)
	}
	return res
}

// program is a one-file request.
func program(lang, source string) sandbox.Request {
	return sandbox.Request{Language: lang, Files: []sandbox.File{{Content: source}}}
}
