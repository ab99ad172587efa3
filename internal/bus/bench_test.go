package bus_test

import (
	"context"
	"testing"

	"github.com/kaicode/kaicode/internal/bus"
)

// benchBuffer is the subscription buffer of the benchmarked buses; the
// throughput benchmark keeps at most half of it in flight, so no
// subscriber is ever dropped.
const benchBuffer = 1024

// BenchmarkBus compares the backends side by side. latency is one event's
// publish→receive round trip (ns/op); throughput is events per second from
// parallel publishers to one subscriber, with flow control so that it
// measures the sustained rate and not the buffer.
func BenchmarkBus(b *testing.B) {
	url := redisURL(b)
	for _, backend := range []struct {
		name string
		open func(b *testing.B) bus.Bus
	}{
		{"memory", func(b *testing.B) bus.Bus {
			m := bus.NewMemory(benchBuffer)
			b.Cleanup(m.Close)
			return m
		}},
		{"redis", func(b *testing.B) bus.Bus {
			return newRedis(b, bus.RedisOptions{URL: url, Prefix: testPrefix(), Buffer: benchBuffer})
		}},
	} {
		b.Run("backend="+backend.name+"/latency", func(b *testing.B) {
			benchLatency(b, backend.open(b))
		})
		b.Run("backend="+backend.name+"/throughput", func(b *testing.B) {
			benchThroughput(b, backend.open(b))
		})
	}
}

func benchLatency(b *testing.B, bs bus.Bus) {
	ctx := context.Background()
	s := benchSubscribe(b, bs)
	ev := event(1)
	b.ReportAllocs()
	for b.Loop() {
		if err := bs.Publish(ctx, "r", ev); err != nil {
			b.Fatal(err)
		}
		if _, ok := <-s.Events(); !ok {
			b.Fatalf("subscription closed: %v", s.Err())
		}
	}
}

func benchThroughput(b *testing.B, bs bus.Bus) {
	ctx := context.Background()
	s := benchSubscribe(b, bs)
	window := make(chan struct{}, benchBuffer/2)
	received := make(chan error, 1)
	ev := event(1)
	b.SetParallelism(4) // 4 publishers per core, as request handlers would be
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		for range b.N {
			if _, ok := <-s.Events(); !ok {
				received <- s.Err()
				return
			}
			<-window
		}
		received <- nil
	}()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			window <- struct{}{}
			if err := bs.Publish(ctx, "r", ev); err != nil {
				b.Error(err)
				return
			}
		}
	})
	if err := <-received; err != nil {
		b.Fatalf("subscription closed: %v", err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func benchSubscribe(b *testing.B, bs bus.Bus) bus.Subscription {
	b.Helper()
	s, err := bs.Subscribe(context.Background(), "r")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	return s
}
