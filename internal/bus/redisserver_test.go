package bus_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/kaicode/kaicode/internal/bus"
	"github.com/kaicode/kaicode/internal/testenv"
)

// redisURL returns the URL of the test Redis server. Tests share a server
// through distinct prefixes (testPrefix).
func redisURL(tb testing.TB) string { return testenv.RedisURL(tb) }

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
