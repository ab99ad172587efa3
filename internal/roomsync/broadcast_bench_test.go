package roomsync_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/sandbox"
)

// BenchmarkBroadcastOutput100 measures how long one run's output takes
// from the bus to each of 100 /sync connections of a room (clients in the
// same process), and reports the p50 and p99 of those latencies.
func BenchmarkBroadcastOutput100(b *testing.B) {
	const conns = 100
	h := newHarness(b, harnessOptions{noWorker: true})
	clients := make([]*client, conns)
	for i := range clients {
		clients[i] = h.join(b, room, fmt.Sprint(i))
	}
	// drain the presence messages of later joins
	for i, c := range clients {
		for range conns - i - 1 {
			c.expect("presence")
		}
	}
	job := jobs.Job{ID: "bench", Room: room, User: "ua", Status: jobs.StatusFinished,
		Request: sandbox.Request{Language: "python"},
		Result:  &sandbox.Result{Status: sandbox.StatusOK, Stdout: "hello\n", WallTime: 40 * time.Millisecond}}
	var latencies []time.Duration
	var mu sync.Mutex
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		job.ID = fmt.Sprintf("bench-%d", i)
		var wg sync.WaitGroup
		start := time.Now()
		for _, c := range clients {
			wg.Go(func() {
				c.expect("output")
				d := time.Since(start)
				mu.Lock()
				latencies = append(latencies, d)
				mu.Unlock()
			})
		}
		if err := jobs.Publish(context.Background(), h.bus, job); err != nil {
			b.Fatal(err)
		}
		wg.Wait()
	}
	b.StopTimer()
	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds()), "p99-µs")
}
