package wsconn

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
	"testing"
	"time"

	"github.com/coder/websocket"
)

// BenchmarkIdleConnMemory reports the heap bytes and the stack bytes one idle server
// connection costs (b.N connections; run with -benchtime 1000x). The clients
// are raw TCP sockets in the same process, about 0.3 KiB each, included.
// "wsconn" is how the servers run a connection; "handler" is the plain
// library way for comparison: served in the HTTP handler's goroutine on the
// HTTP server's buffers, with a writer goroutine and a ping ticker.
func BenchmarkIdleConnMemory(b *testing.B) {
	variants := []struct {
		name  string
		serve func(w http.ResponseWriter, r *http.Request, ready func())
	}{
		{"wsconn", func(w http.ResponseWriter, r *http.Request, ready func()) {
			ws, err := Accept(w, r, AcceptOptions{})
			if err != nil {
				return
			}
			c := New(ws, &Options{})
			go func() {
				ready()
				_, _, err := ws.Read(context.Background())
				c.Fail(ReadError(err))
			}()
		}},
		{"handler", func(w http.ResponseWriter, r *http.Request, ready func()) {
			ws, err := websocket.Accept(w, r, nil)
			if err != nil {
				return
			}
			stop := make(chan struct{})
			go func() {
				t := time.NewTicker(30 * time.Second)
				defer t.Stop()
				select {
				case <-stop:
				case <-t.C:
				}
			}()
			ready()
			_, _, err = ws.Read(context.Background())
			close(stop)
			ws.CloseNow()
		}},
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			var ready sync.WaitGroup
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				v.serve(w, r, ready.Done)
			}))
			defer srv.Close()
			addr := strings.TrimPrefix(srv.URL, "http://")

			heap0, stack0 := inUse()
			conns := make([]net.Conn, 0, b.N)
			defer func() {
				for _, c := range conns {
					c.Close()
				}
			}()
			ready.Add(b.N)
			for range b.N {
				c, err := rawDial(addr)
				if err != nil {
					b.Fatal(err)
				}
				conns = append(conns, c)
			}
			ready.Wait()
			time.Sleep(200 * time.Millisecond) // let handlers return
			heap, stack := inUse()
			b.ReportMetric(float64(heap-heap0)/float64(b.N), "heap-B/conn")
			b.ReportMetric(float64(stack-stack0)/float64(b.N), "stack-B/conn")
		})
	}
}

// inUse returns the heap and stack bytes in use after a full collection.
func inUse() (heap, stack int64) {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse), int64(m.StackInuse)
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
	if resp.StatusCode != http.StatusSwitchingProtocols {
		c.Close()
		return nil, fmt.Errorf("handshake: %s", resp.Status)
	}
	return c, nil
}
