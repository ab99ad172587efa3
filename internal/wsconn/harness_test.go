package wsconn

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// testServer accepts WebSockets, wraps each in a Conn and reads it, as the
// servers do; conns delivers the Conns to the test.
type testServer struct {
	url   string
	conns chan *Conn
	// closed records the reason of every closed Conn.
	mu     sync.Mutex
	closed []Reason
}

func newTestServer(t *testing.T, opts Options, accept AcceptOptions) *testServer {
	t.Helper()
	ts := &testServer{conns: make(chan *Conn, 16)}
	opts.OnClose = func(r Reason) {
		ts.mu.Lock()
		ts.closed = append(ts.closed, r)
		ts.mu.Unlock()
	}
	var wg sync.WaitGroup
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := Accept(w, r, accept)
		if err != nil {
			return
		}
		c := New(ws, &opts)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if _, msg, err := ws.Read(context.Background()); err != nil {
					c.Fail(ReadError(err))
					<-c.Done()
					return
				} else if string(msg) == "echo" {
					c.Send(msg)
				}
			}
		}()
		ts.conns <- c
	}))
	t.Cleanup(func() {
		srv.Close()
		wg.Wait()
	})
	ts.url = "ws" + strings.TrimPrefix(srv.URL, "http")
	return ts
}

// dial connects a client and returns it with the server's Conn.
func (ts *testServer) dial(t *testing.T) (*websocket.Conn, *Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, ts.url, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	select {
	case c := <-ts.conns:
		return ws, c
	case <-ctx.Done():
		t.Fatal("server did not accept")
		return nil, nil
	}
}

// reasons returns the reasons of the Conns closed so far.
func (ts *testServer) reasons() []Reason {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]Reason(nil), ts.closed...)
}

// waitDone fails the test unless c is done within a few seconds.
func waitDone(t *testing.T, c *Conn) {
	t.Helper()
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Conn not done")
	}
}
