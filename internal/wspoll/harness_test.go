package wspoll

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

// testTimeout bounds every wait of a test.
const testTimeout = 5 * time.Second

// harness serves WebSockets from an Engine behind an httptest server, as
// the servers do: conns delivers each accepted Conn to the test, OnMessage
// echoes "echo" unless the test gives its own, and OnClose is recorded.
type harness struct {
	e     *Engine
	url   string
	conns chan *Conn

	// bind is Accept's bind; nil binds nothing.
	bind func(*Conn) any
	// wrap wraps the server's ResponseWriter before Accept.
	wrap func(http.ResponseWriter) http.ResponseWriter

	mu sync.Mutex
	// closed records the reasons OnClose gave for each Conn.
	closed map[*Conn][]Reason
}

// harnessOption configures a harness beyond its Options.
type harnessOption func(*harness)

// withBind makes Accept bind Conn.Value with bind.
func withBind(bind func(*Conn) any) harnessOption {
	return func(h *harness) { h.bind = bind }
}

// withWrap makes the handler pass Accept the writer wrap returns.
func withWrap(wrap func(http.ResponseWriter) http.ResponseWriter) harnessOption {
	return func(h *harness) { h.wrap = wrap }
}

// newHarness starts an Engine with opts and a server accepting through
// it. Cleanup shuts both down and checks that OnClose ran exactly once for
// every accepted Conn.
func newHarness(t *testing.T, opts Options, options ...harnessOption) *harness {
	t.Helper()
	h := &harness{conns: make(chan *Conn, 64), closed: make(map[*Conn][]Reason)}
	for _, o := range options {
		o(h)
	}
	if opts.OnMessage == nil {
		opts.OnMessage = func(c *Conn, _ bool, data []byte) {
			if string(data) == "echo" {
				c.Send(data)
			}
		}
	}
	opts.OnClose = func(c *Conn, r Reason) {
		h.mu.Lock()
		h.closed[c] = append(h.closed[c], r)
		h.mu.Unlock()
	}
	e, err := Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	h.e = e

	var accepted sync.Mutex
	var all []*Conn
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.wrap != nil {
			w = h.wrap(w)
		}
		bind := h.bind
		if bind == nil {
			bind = func(*Conn) any { return nil }
		}
		c, err := e.Accept(w, r, bind)
		if err != nil {
			return
		}
		accepted.Lock()
		all = append(all, c)
		accepted.Unlock()
		h.conns <- c
	}))
	h.url = "ws" + strings.TrimPrefix(srv.URL, "http")

	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		if err := e.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		srv.Close()
		accepted.Lock()
		defer accepted.Unlock()
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, c := range all {
			if got := h.closed[c]; len(got) != 1 {
				t.Errorf("OnClose ran %d times for a Conn (%v), want once", len(got), got)
			}
		}
		if len(h.closed) != len(all) {
			t.Errorf("OnClose ran for %d Conns, Accept returned %d", len(h.closed), len(all))
		}
	})
	return h
}

// dial connects a client and returns it with the server's Conn. The
// client is closed at cleanup, before the harness shuts down.
func (h *harness) dial(t *testing.T) (*websocket.Conn, *Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, h.url, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	select {
	case c := <-h.conns:
		return ws, c
	case <-ctx.Done():
		t.Fatal("server did not accept")
		return nil, nil
	}
}

// reasons returns the reasons OnClose gave for c so far.
func (h *harness) reasons(c *Conn) []Reason {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Reason(nil), h.closed[c]...)
}

// waitClosed waits until OnClose has run for c and returns its reason.
func (h *harness) waitClosed(t *testing.T, c *Conn) Reason {
	t.Helper()
	var got []Reason
	ok := eventually(func() bool {
		got = h.reasons(c)
		return len(got) > 0
	})
	if !ok {
		t.Fatal("OnClose did not run")
	}
	if len(got) != 1 {
		t.Errorf("OnClose ran %d times (%v), want once", len(got), got)
	}
	return got[0]
}

// eventually polls cond until it holds or testTimeout passes, and reports
// whether it held.
func eventually(cond func() bool) bool {
	for deadline := time.Now().Add(testTimeout); ; {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}
