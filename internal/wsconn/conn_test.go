package wsconn

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestFailFlushesThenCloses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		reason   Reason
		wantMsgs int
		wantCode websocket.StatusCode // -1: no close frame
	}{
		{"normal reason sends queue then close frame", ReasonShutdown, 20, websocket.StatusGoingAway},
		{"custom code and text", Reason{Code: 4403, Name: "forbidden", Text: "no"}, 20, 4403},
		{"abort drops queue and frame", ReasonSlowConsumer, 0, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, Options{}, AcceptOptions{})
			client, c := ts.dial(t)
			c.mu.Lock() // hold the writer back so the whole queue waits
			for i := range tc.wantMsgs {
				c.queue = append(c.queue, fmt.Appendf(nil, "m%d", i))
			}
			c.mu.Unlock()
			c.Fail(tc.reason)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			for i := 0; ; i++ {
				_, msg, err := client.Read(ctx)
				if err != nil {
					if got := websocket.CloseStatus(err); got != tc.wantCode {
						t.Errorf("close status %d (%v), want %d", got, err, tc.wantCode)
					}
					if i != tc.wantMsgs {
						t.Errorf("read %d messages before the close, want %d", i, tc.wantMsgs)
					}
					break
				}
				if want := fmt.Sprintf("m%d", i); string(msg) != want {
					t.Fatalf("message %d = %q, want %q", i, msg, want)
				}
			}
			waitDone(t, c)
			if got := ts.reasons(); len(got) != 1 || got[0] != tc.reason {
				t.Errorf("OnClose reasons %v, want [%v]", got, tc.reason)
			}
		})
	}
}

func TestSendKeepsOrderAcrossWriterRestarts(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, Options{QueueLimit: 1000}, AcceptOptions{})
	client, c := ts.dial(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	const n = 500
	go func() {
		for i := range n {
			c.Send(fmt.Appendf(nil, "%d", i))
			if i%7 == 0 {
				time.Sleep(time.Millisecond) // let the writer exit now and then
			}
		}
	}()
	for i := range n {
		_, msg, err := client.Read(ctx)
		if err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
		if want := fmt.Sprint(i); string(msg) != want {
			t.Fatalf("message %d = %q", i, msg)
		}
	}
}

func TestSlowConsumerIsDropped(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, Options{QueueLimit: 4}, AcceptOptions{})
	_, c := ts.dial(t)
	big := make([]byte, 1<<20)
	sent := 0
	for range 1000 {
		if !c.Send(big) {
			break
		}
		sent++
	}
	if sent == 1000 {
		t.Fatal("a client that never reads took 1000 MiB")
	}
	waitDone(t, c)
	if r, _ := c.Reason(); r != ReasonSlowConsumer {
		t.Errorf("reason %v, want slow consumer", r)
	}
	if c.Send([]byte("late")) {
		t.Error("Send after Fail reported queued")
	}
}

func TestKeepalive(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		clientRead bool // a reading client answers pings
		wantFailed bool
	}{
		{"answered pings keep the connection", true, false},
		{"unanswered ping fails it", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, Options{PingInterval: 20 * time.Millisecond, WriteTimeout: 200 * time.Millisecond}, AcceptOptions{})
			client, c := ts.dial(t)
			if tc.clientRead {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				go client.Read(ctx)
			}
			time.Sleep(600 * time.Millisecond)
			r, failed := c.Reason()
			if failed != tc.wantFailed || (failed && r != ReasonPingTimeout) {
				t.Errorf("Reason() = %v, %v; want failed %v by ping timeout", r, failed, tc.wantFailed)
			}
		})
	}
}

func TestEcho(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, Options{}, AcceptOptions{})
	client, c := ts.dial(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := client.Write(ctx, websocket.MessageText, []byte("echo")); err != nil {
		t.Fatal(err)
	}
	if _, msg, err := client.Read(ctx); err != nil || string(msg) != "echo" {
		t.Fatalf("Read = %q, %v", msg, err)
	}
	client.Close(websocket.StatusNormalClosure, "")
	waitDone(t, c)
	if r, _ := c.Reason(); r != ReasonPeerClosed {
		t.Errorf("reason %v, want peer closed", r)
	}
}

func TestReadError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want Reason
	}{
		{"too big", fmt.Errorf("read: %w", websocket.ErrMessageTooBig), ReasonMessageTooBig},
		{"closed", errors.New("EOF"), ReasonPeerClosed},
	}
	for _, tc := range tests {
		if got := ReadError(tc.err); got != tc.want {
			t.Errorf("%s: ReadError = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestWithDetail(t *testing.T) {
	t.Parallel()
	long := string(make([]byte, 200))
	tests := []struct {
		name, detail string
		wantLen      int
	}{
		{"short", "bad", len("malformed: bad")},
		{"cut to a close frame", long, maxReasonText},
	}
	for _, tc := range tests {
		r := Reason{Text: "malformed"}.WithDetail(tc.detail)
		if len(r.Text) != tc.wantLen {
			t.Errorf("%s: len %d, want %d", tc.name, len(r.Text), tc.wantLen)
		}
	}
}
