package wspoll

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/lesismal/nbio"
	nbws "github.com/lesismal/nbio/nbhttp/websocket"
)

func TestFail(t *testing.T) {
	t.Parallel()
	const n = 20
	tests := []struct {
		name   string
		reason Reason
		// wantCode is the close code the client reads; -1: no close frame.
		wantCode websocket.StatusCode
	}{
		{"shutdown sends what is queued, then 1001", ReasonShutdown, websocket.StatusGoingAway},
		{"custom code and text", Reason{Code: 4403, Name: "forbidden", Text: "no"}, 4403},
		{"abort sends no close frame", ReasonSlowConsumer, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Options{})
			client, c := h.dial(t)
			for i := range n {
				if !c.Send(fmt.Appendf(nil, "m%d", i)) {
					t.Fatalf("Send %d failed", i)
				}
			}
			c.Fail(tc.reason)
			if !c.Failed() {
				t.Error("Failed() = false after Fail")
			}
			if c.Send([]byte("late")) {
				t.Error("Send after Fail reported success")
			}
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			for i := 0; ; i++ {
				_, msg, err := client.Read(ctx)
				if err != nil {
					if got := websocket.CloseStatus(err); got != tc.wantCode {
						t.Errorf("close status %d (%v), want %d", got, err, tc.wantCode)
					}
					var ce websocket.CloseError
					if errors.As(err, &ce) && ce.Reason != tc.reason.Text {
						t.Errorf("close text %q, want %q", ce.Reason, tc.reason.Text)
					}
					// An abort may cut the socket before all messages.
					if !tc.reason.Abort && i != n {
						t.Errorf("read %d messages before the close, want %d", i, n)
					}
					break
				}
				if want := fmt.Sprintf("m%d", i); string(msg) != want {
					t.Fatalf("message %d = %q, want %q", i, msg, want)
				}
			}
			if got := h.waitClosed(t, c); got != tc.reason {
				t.Errorf("OnClose reason %v, want %v", got, tc.reason)
			}
		})
	}
}

func TestFirstFailWins(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	client, c := h.dial(t)
	c.Fail(ReasonShutdown)
	c.Fail(ReasonSlowConsumer)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if _, _, err := client.Read(ctx); websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Errorf("Read = %v, want close 1001", err)
	}
	if got := h.waitClosed(t, c); got != ReasonShutdown {
		t.Errorf("OnClose reason %v, want %v", got, ReasonShutdown)
	}
}

func TestPeerClose(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		close func(*websocket.Conn) error
	}{
		{"close handshake", func(ws *websocket.Conn) error { return ws.Close(websocket.StatusNormalClosure, "bye") }},
		{"dropped socket", func(ws *websocket.Conn) error { return ws.CloseNow() }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Options{})
			client, c := h.dial(t)
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			// An echo first, so the server has handled the connection.
			if err := client.Write(ctx, websocket.MessageText, []byte("echo")); err != nil {
				t.Fatal(err)
			}
			if _, msg, err := client.Read(ctx); err != nil || string(msg) != "echo" {
				t.Fatalf("Read = %q, %v; want echo", msg, err)
			}
			if err := tc.close(client); err != nil {
				t.Fatalf("close: %v", err)
			}
			if got := h.waitClosed(t, c); got != ReasonPeerClosed {
				t.Errorf("OnClose reason %v, want %v", got, ReasonPeerClosed)
			}
			if !c.Failed() {
				t.Error("Failed() = false after the socket closed")
			}
		})
	}
}

func TestSendKeepsOrder(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	client, c := h.dial(t)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	const n = 500
	var wg sync.WaitGroup
	defer wg.Wait()
	var lost atomic.Bool
	wg.Go(func() {
		for i := range n {
			if !c.Send(fmt.Appendf(nil, "%d", i)) {
				lost.Store(true)
			}
		}
	})
	for i := range n {
		_, msg, err := client.Read(ctx)
		if err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
		if want := fmt.Sprint(i); string(msg) != want {
			t.Fatalf("message %d = %q", i, msg)
		}
	}
	wg.Wait()
	if lost.Load() {
		t.Error("a Send failed")
	}
}

func TestSlowConsumerIsDropped(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{SendBuffer: 256 << 10})
	_, c := h.dial(t) // the client never reads
	big := make([]byte, 1<<20)
	const tries = 1000
	sent := 0
	for sent < tries && c.Send(big) {
		sent++
	}
	if sent == tries {
		t.Fatalf("a client that never reads took %d MiB", tries)
	}
	if got := h.waitClosed(t, c); got != ReasonSlowConsumer {
		t.Errorf("OnClose reason %v, want %v", got, ReasonSlowConsumer)
	}
	if c.Send([]byte("late")) {
		t.Error("Send after the drop reported success")
	}
}

func TestKeepalive(t *testing.T) {
	t.Parallel()
	const interval = 100 * time.Millisecond
	tests := []struct {
		name string
		// read keeps a Read running on the client: coder/websocket answers
		// pings only while one is.
		read bool
	}{
		{"answered pings keep the connection", true},
		{"unanswered pings fail it", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Options{PingInterval: interval, CloseTimeout: interval})
			client, c := h.dial(t)
			if !tc.read {
				if got := h.waitClosed(t, c); got != ReasonPingTimeout {
					t.Errorf("OnClose reason %v, want %v", got, ReasonPingTimeout)
				}
				return
			}
			ctx, cancel := context.WithCancel(context.Background())
			readErr := make(chan error, 1)
			go func() {
				_, _, err := client.Read(ctx)
				readErr <- err
			}()
			defer func() {
				cancel()
				<-readErr
			}()
			select {
			case err := <-readErr:
				t.Fatalf("client Read ended: %v", err)
			case <-time.After(10 * interval):
			}
			if c.Failed() {
				t.Errorf("connection failed, OnClose reasons %v", h.reasons(c))
			}
		})
	}
}

func TestMessageSize(t *testing.T) {
	t.Parallel()
	const limit = 1 << 10
	tests := []struct {
		name      string
		size      int
		delivered bool
		// wantCode is the close code the client reads; -1: any error,
		// for the pollers may cut the socket before the client reads the
		// close frame.
		wantCode websocket.StatusCode
	}{
		{"at the limit is delivered", limit, true, 0},
		{"over the limit is refused with 1009", 2 * limit, false, websocket.StatusMessageTooBig},
		{"past the hard limit cuts the socket", hardLimit(limit) + 128<<10, false, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := make(chan int, 1)
			h := newHarness(t, Options{
				MaxMessage: limit,
				OnMessage:  func(_ *Conn, _ bool, data []byte) { got <- len(data) },
			})
			client, c := h.dial(t)
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			// The server may cut the socket while the client writes.
			werr := client.Write(ctx, websocket.MessageBinary, make([]byte, tc.size))
			if tc.delivered {
				if werr != nil {
					t.Fatalf("Write: %v", werr)
				}
				select {
				case n := <-got:
					if n != tc.size {
						t.Errorf("OnMessage got %d bytes, want %d", n, tc.size)
					}
				case <-ctx.Done():
					t.Fatal("message not delivered")
				}
				if c.Failed() {
					t.Errorf("connection failed, OnClose reasons %v", h.reasons(c))
				}
				return
			}
			_, _, err := client.Read(ctx)
			switch code := websocket.CloseStatus(err); {
			case err == nil:
				t.Error("Read succeeded, want the connection closed")
			case tc.wantCode > 0 && code != tc.wantCode:
				t.Errorf("close status %d (%v), want %d", code, err, tc.wantCode)
			case code > 0 && code != websocket.StatusMessageTooBig:
				t.Errorf("close status %d (%v), want 1009 or none", code, err)
			}
			if r := h.waitClosed(t, c); r != ReasonMessageTooBig {
				t.Errorf("OnClose reason %v, want %v", r, ReasonMessageTooBig)
			}
			if len(got) > 0 {
				t.Error("OnMessage got the message over the limit")
			}
		})
	}
}

func TestMessageType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// sendText is Options.Text.
		sendText bool
		in       websocket.MessageType
		wantText bool
		wantOut  websocket.MessageType
	}{
		{"text in, binary out", false, websocket.MessageText, true, websocket.MessageBinary},
		{"binary in, binary out", false, websocket.MessageBinary, false, websocket.MessageBinary},
		{"text in, text out", true, websocket.MessageText, true, websocket.MessageText},
		{"binary in, text out", true, websocket.MessageBinary, false, websocket.MessageText},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			text := make(chan bool, 1)
			h := newHarness(t, Options{
				Text: tc.sendText,
				OnMessage: func(c *Conn, isText bool, data []byte) {
					text <- isText
					c.Send(data)
				},
			})
			client, _ := h.dial(t)
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			if err := client.Write(ctx, tc.in, []byte("hi")); err != nil {
				t.Fatal(err)
			}
			typ, msg, err := client.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if typ != tc.wantOut || string(msg) != "hi" {
				t.Errorf("client read %v %q, want %v %q", typ, msg, tc.wantOut, "hi")
			}
			if got := <-text; got != tc.wantText {
				t.Errorf("OnMessage text = %v, want %v", got, tc.wantText)
			}
		})
	}
}

// unwrapWriter wraps a ResponseWriter as logging middleware does.
type unwrapWriter struct{ http.ResponseWriter }

func (w unwrapWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// opaqueWriter wraps a ResponseWriter and hides it.
type opaqueWriter struct{ http.ResponseWriter }

func TestAcceptThroughWrappedWriter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		wrap   func(http.ResponseWriter) http.ResponseWriter
		wantOK bool
	}{
		{"server's writer", func(w http.ResponseWriter) http.ResponseWriter { return w }, true},
		{"wrapper with Unwrap", func(w http.ResponseWriter) http.ResponseWriter { return unwrapWriter{w} }, true},
		{"wrapper without Unwrap", func(w http.ResponseWriter) http.ResponseWriter { return opaqueWriter{w} }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Options{}, withWrap(tc.wrap))
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			if !tc.wantOK {
				ws, resp, err := websocket.Dial(ctx, h.url, nil)
				if err == nil {
					ws.CloseNow()
					t.Fatal("Dial succeeded, want the upgrade refused")
				}
				if resp == nil || resp.StatusCode != http.StatusInternalServerError {
					t.Errorf("Dial response %v, want 500", resp)
				}
				return
			}
			client, _ := h.dial(t)
			if err := client.Write(ctx, websocket.MessageText, []byte("echo")); err != nil {
				t.Fatal(err)
			}
			if _, msg, err := client.Read(ctx); err != nil || string(msg) != "echo" {
				t.Fatalf("Read = %q, %v; want echo", msg, err)
			}
		})
	}
}

func TestAcceptRefusesOrigin(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{AllowedOrigins: []string{"*.example.com"}})
	tests := []struct {
		name, origin string
		wantOK       bool
	}{
		{"allowed pattern", "https://app.example.com", true},
		{"other host", "https://evil.test", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			ws, _, err := websocket.Dial(ctx, h.url, &websocket.DialOptions{
				HTTPHeader: http.Header{"Origin": {tc.origin}},
			})
			if err == nil {
				ws.CloseNow()
				<-h.conns
			}
			if (err == nil) != tc.wantOK {
				t.Errorf("Dial err = %v, want success %v", err, tc.wantOK)
			}
		})
	}
}

func TestBindSetsValue(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{
		OnMessage: func(c *Conn, _ bool, _ []byte) { c.Send([]byte(c.Value.(string))) },
	}, withBind(func(*Conn) any { return "bound" }))
	client, c := h.dial(t)
	if c.Value != "bound" {
		t.Errorf("Value = %v, want bound", c.Value)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := client.Write(ctx, websocket.MessageText, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, msg, err := client.Read(ctx); err != nil || string(msg) != "bound" {
		t.Errorf("Read = %q, %v; want bound", msg, err)
	}
}

func TestFailInBind(t *testing.T) {
	t.Parallel()
	refused := Reason{Code: 4403, Name: "forbidden", Text: "no"}
	h := newHarness(t, Options{}, withBind(func(c *Conn) any {
		c.Send([]byte("why"))
		c.Fail(refused)
		return nil
	}))
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	client, _, err := websocket.Dial(ctx, h.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer client.CloseNow()
	if _, msg, err := client.Read(ctx); err != nil || string(msg) != "why" {
		t.Fatalf("Read = %q, %v; want why", msg, err)
	}
	_, _, err = client.Read(ctx)
	if code := websocket.CloseStatus(err); code != 4403 {
		t.Errorf("Read = %v, want close 4403", err)
	}
}

func TestShutdown(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	const n = 4
	clients := make([]*websocket.Conn, n)
	conns := make([]*Conn, n)
	for i := range n {
		clients[i], conns[i] = h.dial(t)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := h.e.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	for i, c := range conns {
		if got := h.reasons(c); len(got) != 1 || got[0] != ReasonShutdown {
			t.Errorf("conn %d: OnClose reasons %v after Shutdown, want [%v]", i, got, ReasonShutdown)
		}
		if !c.Failed() {
			t.Errorf("conn %d: Failed() = false after Shutdown", i)
		}
		if _, _, err := clients[i].Read(ctx); err == nil {
			t.Errorf("client %d: Read succeeded after Shutdown", i)
		}
	}
	if err := h.e.Shutdown(ctx); err != nil {
		t.Errorf("second Shutdown: %v", err)
	}
}

func TestShutdownHonorsContext(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	defer unblock()
	entered := make(chan struct{}, 1)
	h := newHarness(t, Options{OnMessage: func(*Conn, bool, []byte) {
		entered <- struct{}{}
		<-release
	}})
	client, _ := h.dial(t)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := client.Write(ctx, websocket.MessageText, []byte("block")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-entered:
	case <-ctx.Done():
		t.Fatal("OnMessage did not run")
	}
	// OnClose comes after the blocked OnMessage, so Shutdown waits.
	short, cancelShort := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancelShort()
	if err := h.e.Shutdown(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want deadline exceeded", err)
	}
	unblock()
	if err := h.e.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown after the handler returned: %v", err)
	}
}

// serialState records the handlers of one connection.
type serialState struct {
	running, most atomic.Int32
	mu            sync.Mutex
	order         []string
}

func TestHandlersRunOneAtATime(t *testing.T) {
	t.Parallel()
	const clients, n = 3, 200
	h := newHarness(t, Options{
		OnMessage: func(c *Conn, _ bool, data []byte) {
			s := c.Value.(*serialState)
			now := s.running.Add(1)
			defer s.running.Add(-1)
			for m := s.most.Load(); now > m && !s.most.CompareAndSwap(m, now); m = s.most.Load() {
			}
			time.Sleep(10 * time.Microsecond) // widen the window for an overlap
			s.mu.Lock()
			s.order = append(s.order, string(data))
			s.mu.Unlock()
		},
	}, withBind(func(*Conn) any { return new(serialState) }))
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	states := make([]*serialState, clients)
	for i := range clients {
		client, c := h.dial(t)
		states[i] = c.Value.(*serialState)
		wg.Go(func() {
			for j := range n {
				if err := client.Write(ctx, websocket.MessageText, fmt.Appendf(nil, "%d", j)); err != nil {
					t.Errorf("client %d: write %d: %v", i, j, err)
					return
				}
			}
		})
	}
	wg.Wait()
	for i, s := range states {
		done := eventually(func() bool {
			s.mu.Lock()
			defer s.mu.Unlock()
			return len(s.order) == n
		})
		if !done {
			t.Fatalf("conn %d: not all %d messages handled", i, n)
		}
		if m := s.most.Load(); m != 1 {
			t.Errorf("conn %d: %d handlers ran at once, want 1", i, m)
		}
		s.mu.Lock()
		for j, got := range s.order {
			if want := fmt.Sprint(j); got != want {
				t.Errorf("conn %d: message %d = %q, want %q", i, j, got, want)
				break
			}
		}
		s.mu.Unlock()
	}
}

func TestOriginChecker(t *testing.T) {
	t.Parallel()
	const host = "kaicode.local:8080"
	tests := []struct {
		name     string
		patterns []string
		origin   string // "" sends no Origin header
		want     bool
	}{
		{"no origin", []string{"*.example.com"}, "", true},
		{"no patterns allow any", nil, "https://evil.test", true},
		{"same host", []string{"*.example.com"}, "http://" + host, true},
		{"same host in other case", []string{"*.example.com"}, "http://KaiCode.Local:8080", true},
		{"pattern match", []string{"*.example.com"}, "https://a.example.com", true},
		{"second pattern match", []string{"*.example.com", "app.test"}, "https://app.test", true},
		{"pattern in other case", []string{"*.Example.com"}, "https://A.example.COM", true},
		{"no match", []string{"*.example.com"}, "https://example.org", false},
		{"same host name, other port", []string{"*.example.com"}, "http://kaicode.local:9090", false},
		{"unparsable origin", []string{"*.example.com"}, "://a.example.com", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodGet, "http://"+host+"/ws", nil)
			if tc.origin != "" {
				r.Header.Set("Origin", tc.origin)
			}
			if got := originChecker(tc.patterns)(r); got != tc.want {
				t.Errorf("originChecker(%q)(Origin %q) = %v, want %v", tc.patterns, tc.origin, got, tc.want)
			}
		})
	}
}

func TestCloseReason(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		err      error
		stopping bool
		want     Reason
	}{
		{"message too large", fmt.Errorf("parse: %w", nbws.ErrMessageTooLarge), false, ReasonMessageTooBig},
		{"write overflow", nbio.ErrOverflow, false, ReasonSlowConsumer},
		{"invalid UTF-8", nbws.ErrInvalidUtf8, false, ReasonProtocolError},
		{"reserved bits", nbws.ErrReserveBitSet, true, ReasonProtocolError},
		{"EOF", io.EOF, false, ReasonPeerClosed},
		{"no error", nil, false, ReasonPeerClosed},
		{"cut by Shutdown", nil, true, ReasonShutdown},
	}
	for _, tc := range tests {
		if got := closeReason(tc.err, tc.stopping); got != tc.want {
			t.Errorf("%s: closeReason = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestWithDetail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, detail, want string
	}{
		{"short", "bad", "malformed: bad"},
		{"cut to a close frame", strings.Repeat("x", 200), ("malformed: " + strings.Repeat("x", 200))[:maxReasonText]},
	}
	for _, tc := range tests {
		r := Reason{Code: 4000, Text: "malformed"}.WithDetail(tc.detail)
		if r.Text != tc.want || r.Code != 4000 {
			t.Errorf("%s: WithDetail = %+v, want text %q", tc.name, r, tc.want)
		}
	}
}

func TestStartRequiresHandlers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts Options
	}{
		{"no OnMessage", Options{OnClose: func(*Conn, Reason) {}}},
		{"no OnClose", Options{OnMessage: func(*Conn, bool, []byte) {}}},
	}
	for _, tc := range tests {
		if e, err := Start(tc.opts); err == nil {
			e.Shutdown(context.Background())
			t.Errorf("%s: Start succeeded", tc.name)
		}
	}
}
