package wspoll

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// BenchmarkIdleConnMemory reports the heap bytes and the stack bytes one
// idle server connection costs: b.N connections are opened and held, so run
// it with -benchtime 1000x. The clients are raw TCP sockets in the same
// process (a few hundred bytes each, included); the server, the Engine and
// the pollers are started before the baseline and not counted.
//
// "wspoll" is Engine.Accept. "goroutine" is the plain library way: the
// handler accepts with coder/websocket and blocks in Read, and a goroutine
// pings every 30 seconds.
func BenchmarkIdleConnMemory(b *testing.B) {
	variants := []struct {
		name string
		// goroutines is how many goroutines an idle connection keeps.
		goroutines int
		// serve returns the handler, which calls ready once the
		// connection is served; done undoes what serve started once the
		// clients are gone.
		serve func(b *testing.B, ready func()) (h http.HandlerFunc, done func())
	}{
		{"wspoll", 0, serveEngine},
		{"goroutine", 2, serveGoroutine},
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			var ready atomic.Int64
			handler, done := v.serve(b, func() { ready.Add(1) })
			srv := httptest.NewServer(handler)
			addr := strings.TrimPrefix(srv.URL, "http://")
			conns := make([]net.Conn, 0, b.N)
			defer func() {
				for _, c := range conns {
					c.Close()
				}
				done()
				srv.Close()
			}()

			// Goroutines the runtime or the server start lazily must not
			// count as a connection's, so warm up with one.
			if warm, err := rawDial(addr); err != nil {
				b.Fatal(err)
			} else {
				conns = append(conns, warm)
			}
			settle(b, func() bool { return ready.Load() == 1 })
			g0 := runtime.NumGoroutine()
			heap0, stack0 := inUse()

			b.ResetTimer()
			for range b.N {
				c, err := rawDial(addr)
				if err != nil {
					b.Fatal(err)
				}
				conns = append(conns, c)
			}
			// Wait until every connection is served and the goroutines
			// that served only the handshake are gone.
			settle(b, func() bool {
				return ready.Load() == int64(b.N)+1 && runtime.NumGoroutine() <= g0+v.goroutines*b.N
			})
			b.StopTimer()

			heap, stack := inUse()
			b.ReportMetric(float64(heap-heap0)/float64(b.N), "heap-B/conn")
			b.ReportMetric(float64(stack-stack0)/float64(b.N), "stack-B/conn")
		})
	}
}

// serveEngine serves connections with Engine.Accept.
func serveEngine(b *testing.B, ready func()) (http.HandlerFunc, func()) {
	e, err := Start(Options{
		OnMessage: func(*Conn, bool, []byte) {},
		OnClose:   func(*Conn, Reason) {},
	})
	if err != nil {
		b.Fatal(err)
	}
	h := func(w http.ResponseWriter, r *http.Request) {
		if _, err := e.Accept(w, r, func(*Conn) any { return nil }); err == nil {
			ready()
		}
	}
	return h, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := e.Shutdown(ctx); err != nil {
			b.Error(err)
		}
	}
}

// serveGoroutine serves connections the plain coder/websocket way: the
// handler reads until the connection ends, and a goroutine pings.
func serveGoroutine(_ *testing.B, ready func()) (http.HandlerFunc, func()) {
	var wg sync.WaitGroup
	h := func(w http.ResponseWriter, r *http.Request) {
		wg.Add(1)
		defer wg.Done()
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		wg.Go(func() {
			t := time.NewTicker(30 * time.Second)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					if ws.Ping(ctx) != nil {
						return
					}
				}
			}
		})
		ready()
		for {
			if _, _, err := ws.Read(ctx); err != nil {
				return
			}
		}
	}
	// By done the clients are closed: every Read fails and the pingers
	// stop.
	return h, wg.Wait
}

// settle waits until cond holds, failing b after a while.
func settle(b *testing.B, cond func() bool) {
	b.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			b.Fatalf("connections did not settle: %d goroutines", runtime.NumGoroutine())
		}
		time.Sleep(time.Millisecond)
	}
}

// inUse returns the live heap bytes and the stack bytes in use after a full
// collection.
func inUse() (heap, stack int64) {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc), int64(m.StackInuse)
}

// rawDial opens a WebSocket with a hand-written handshake and keeps only
// the socket.
func rawDial(addr string) (net.Conn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", addr)
	resp, err := http.ReadResponse(bufio.NewReaderSize(c, 256), nil)
	if err != nil {
		c.Close()
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSwitchingProtocols {
		c.Close()
		return nil, fmt.Errorf("handshake: %s", resp.Status)
	}
	return c, nil
}
