package bus_test

import (
	"testing"

	"github.com/kaicode/kaicode/internal/bus"
	"github.com/kaicode/kaicode/internal/bus/bustest"
)

func TestMemoryConformance(t *testing.T) {
	t.Parallel()
	bustest.Run(t, func(*testing.T) bus.Bus { return bus.NewMemory(16) })
}

func TestRedisConformance(t *testing.T) {
	t.Parallel()
	url := redisURL(t)
	bustest.Run(t, func(t *testing.T) bus.Bus {
		r, err := bus.NewRedis(t.Context(), bus.RedisOptions{URL: url, Prefix: testPrefix(), Buffer: 16})
		if err != nil {
			t.Fatalf("NewRedis: %v", err)
		}
		return r
	})
}
