package jobs_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/sandbox"
)

// reportPercentiles reports the p50 and p95 of d in milliseconds.
func reportPercentiles(b *testing.B, d []time.Duration) {
	slices.Sort(d)
	at := func(p float64) float64 {
		return float64(d[min(len(d)-1, int(p*float64(len(d))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
}

// latencyPace separates the runs of BenchmarkDockerLatency, so that each
// finds the warm container the sandbox's pool refills after every run, as
// a user's Run click does.
const latencyPace = 400 * time.Millisecond

// BenchmarkDockerLatency compares a trivial Python program's latency
// through the sandbox alone with submit-to-result through the REST API
// with wait=true (store, queue, worker, bus and HTTP included). ns/op
// includes the pauses; read p50-ms and p95-ms.
func BenchmarkDockerLatency(b *testing.B) {
	sb := dockerSandbox(b)
	req := sandbox.Request{Language: "python", Files: []sandbox.File{{Content: "print('hi')"}}}
	b.Run("sandbox.Run", func(b *testing.B) {
		var d []time.Duration
		for range b.N {
			time.Sleep(latencyPace)
			start := time.Now()
			res, err := sb.Run(context.Background(), req)
			if err != nil || res.Stdout != "hi\n" {
				b.Fatalf("Run = %+v, %v", res, err)
			}
			d = append(d, time.Since(start))
		}
		reportPercentiles(b, d)
	})
	for _, sqs := range []bool{false, true} {
		name := "rest-wait/sqlite"
		if sqs {
			name = "rest-wait/sqs"
		}
		b.Run(name, func(b *testing.B) {
			e := newBenchEnv(b, envOptions{sandbox: sb, sqs: sqs})
			var d []time.Duration
			for range b.N {
				time.Sleep(latencyPace)
				start := time.Now()
				r := e.request("POST", "/api/v1/jobs?wait=true", "7", map[string]any{"language": "python", "source": "print('hi')"})
				if r.status != http.StatusOK {
					b.Fatalf("POST: %d %s", r.status, r.body)
				}
				d = append(d, time.Since(start))
			}
			reportPercentiles(b, d)
		})
	}
}

// BenchmarkThroughput submits b.N jobs at once from many users and
// reports jobs per second until all are finished, with a stub sandbox
// (the pipeline's own ceiling) and with Docker.
func BenchmarkThroughput(b *testing.B) {
	for _, run := range []string{"stub", "docker"} {
		for _, sqs := range []bool{false, true} {
			q := "sqlite"
			if sqs {
				q = "sqs"
			}
			b.Run(run+"/"+q, func(b *testing.B) {
				var sb sandbox.Sandbox = echo
				if run == "docker" {
					sb = dockerSandbox(b)
				}
				e := newBenchEnv(b, envOptions{sandbox: sb, sqs: sqs})
				b.ResetTimer()
				start := time.Now()
				ids := make([]string, b.N)
				var wg sync.WaitGroup
				for i := range b.N {
					wg.Go(func() {
						j, err := e.svc.Submit(context.Background(), jobs.Submission{User: strconv.Itoa(i % 64),
							Request: sandbox.Request{Language: "python", Files: []sandbox.File{{Content: "print('hi')"}}}})
						if err != nil {
							b.Errorf("Submit: %v", err)
							return
						}
						ids[i] = j.ID
					})
				}
				wg.Wait()
				for _, id := range ids {
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
					j, err := e.svc.Wait(ctx, id)
					cancel()
					if err != nil || j.Status != jobs.StatusFinished {
						b.Fatalf("job %s: %s %v", id, j.Status, err)
					}
				}
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "jobs/s")
			})
		}
	}
}

// newBenchEnv is newEnv for benchmarks, with limits that never refuse.
func newBenchEnv(b *testing.B, o envOptions) *env {
	limits := defaultLimits()
	limits.RatePerMinute, limits.MaxQueuedPerUser = 1_000_000, 100_000
	o.limits = &limits
	return newEnv(b, o)
}
