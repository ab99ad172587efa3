package roomsync_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/golang-jwt/jwt/v5"

	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/queue"
	"github.com/kaicode/kaicode/internal/roomsync"
)

func TestAuthFailuresClosePolicyViolation(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{noWorker: true})
	exp := time.Now().Add(time.Hour).Unix()
	signed := func(method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(method, claims).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tests := []struct {
		name   string
		first  string // "" sends nothing
		reason string
	}{
		{"sync before auth", `{"event":"sync","content":"x","room_name":"r"}`, "the first message must be auth"},
		{"malformed first message", `{"event":`, "the first message must be auth"},
		{"no auth in time", "", "no auth message in time"},
		{"no room", `{"event":"auth","token":"` + token(t, "1") + `"}`, "auth needs token and room_name"},
		{"no token", `{"event":"auth","room_name":"r"}`, "auth needs token and room_name"},
		{"garbage token", `{"event":"auth","token":"x.y.z","room_name":"r"}`, "invalid token"},
		{"expired token", `{"event":"auth","token":"` + signed(jwt.SigningMethodHS256, testSecret, jwt.MapClaims{"userId": 1, "exp": time.Now().Add(-time.Hour).Unix()}) + `","room_name":"r"}`, "token expired"},
		{"wrong secret", `{"event":"auth","token":"` + signed(jwt.SigningMethodHS256, []byte("not-the-server-secret"), jwt.MapClaims{"userId": 1, "exp": exp}) + `","room_name":"r"}`, "invalid token"},
		{"alg none", `{"event":"auth","token":"` + signed(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, jwt.MapClaims{"userId": 1, "exp": exp}) + `","room_name":"r"}`, "invalid token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := h.dial(t)
			if tt.first != "" {
				c.sendRaw(tt.first)
			}
			code, reason := c.closed()
			if code != websocket.StatusPolicyViolation || reason != tt.reason {
				t.Errorf("closed with %d %q, want 1008 %q", code, reason, tt.reason)
			}
		})
	}
}

func TestBadMessagesGetErrorsAndKeepTheConnection(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{noWorker: true})
	c := h.join(t, room, "1")
	tests := []struct {
		name, msg, code string
		output          bool // a judge: an output must arrive too
	}{
		{"malformed JSON", `{"event":"sync",`, "malformed_json", false},
		{"not an object", `[1,2]`, "malformed_json", false},
		{"wrong field type", `{"event":"sync","content":5}`, "malformed_json", false},
		{"no event", `{"content":"x"}`, "missing_field", false},
		{"unknown event", `{"event":"dance"}`, "unknown_event", false},
		{"sync without content", `{"event":"sync","room_name":"` + room + `"}`, "missing_field", false},
		{"judge without language", `{"event":"judge","content":"x","room_name":"` + room + `"}`, "missing_field", true},
		{"judge for another room", `{"event":"judge","content":"x","language":"python","room_name":"other"}`, "wrong_room", true},
		{"language without language", `{"event":"language"}`, "missing_field", false},
		{"unknown language", `{"event":"language","language":"cobol"}`, "unknown_language", false},
		{"second auth", `{"event":"auth","token":"t","room_name":"` + room + `"}`, "already_authenticated", false},
	}
	for _, tt := range tests {
		c.sendRaw(tt.msg)
		if tt.output {
			if m := c.expect("output"); m.str("error") != tt.code {
				t.Errorf("%s: output = %v, want error %s", tt.name, m, tt.code)
			}
		}
		if m := c.expect("error"); m.str("code") != tt.code {
			t.Errorf("%s: error = %v, want code %s", tt.name, m, tt.code)
		}
	}
	c.send(map[string]any{"event": "language", "language": "java", "room_name": room})
	if m := c.expect("language"); m.str("language") != "java" {
		t.Errorf("connection unusable after bad input: %v", m)
	}
}

func TestRefusedJudgeGetsOneOutputWithTheReason(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{noWorker: true,
		tune:   func(o *roomsync.Options) { o.RoomQueue = 2 },
		limits: func(l *jobs.Limits) { l.MaxSource = 1024 }})
	c := h.join(t, room, "1")
	judge := func(code, lang string) message {
		c.send(map[string]any{"event": "judge", "content": code, "language": lang, "input": " ", "room_name": room})
		return c.expect("output")
	}
	if m := judge("x", "cobol"); m.str("error") != "unknown_language" || !strings.Contains(m.str("content"), "cobol") {
		t.Errorf("unknown language output = %v", m)
	}
	if m := judge(strings.Repeat("x", 2000), "python"); m.str("error") != "too_large" {
		t.Errorf("too large output = %v", m)
	}
	// no worker: two runs stay queued and fill the room's queue
	for range 2 {
		c.send(map[string]any{"event": "judge", "content": "x", "language": "python", "input": " ", "room_name": room})
		c.expect("status")
	}
	if m := judge("x", "python"); m.str("error") != "room_queue_full" {
		t.Errorf("third run's output = %v, want room_queue_full", m)
	}
}

func TestOversizedFrameClosesOnlyThatConnection(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{noWorker: true, tune: func(o *roomsync.Options) { o.MaxMessage = 4096 }})
	big := h.join(t, room, "1")
	other := h.join(t, "other-room", "2")
	big.sendRaw(`{"event":"sync","content":"` + strings.Repeat("a", 8192) + `"}`)
	if code, _ := big.closed(); code != websocket.StatusMessageTooBig {
		t.Errorf("oversized frame closed with %d, want 1009", code)
	}
	other.send(map[string]any{"event": "language", "language": "go", "room_name": "other-room"})
	if m := other.expect("language"); m.str("language") != "go" {
		t.Errorf("other room affected: %v", m)
	}
}

func TestJudgeFloodIsAnsweredThenClosed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{
		tune:   func(o *roomsync.Options) { o.MessageRate = 5; o.RoomQueue = 3 },
		limits: func(l *jobs.Limits) { l.RatePerMinute = 4 }})
	flooder := h.join(t, room, "1")
	calm := h.join(t, "calm-room", "2")
	const sent = 40
	for range sent {
		flooder.send(map[string]any{"event": "judge", "content": "sleep", "language": "python", "input": " ", "room_name": room})
	}
	// Of the first burst (10 judges), 3 fill the room's queue and 7 are
	// refused for it; the next 10 are refused for the message rate; then
	// the flood closes the connection. On a slow machine the rate refills
	// a little while the burst is read, so more may reach the room's queue
	// refusal, never fewer.
	answered := map[string]int{}
	var closeErr websocket.CloseError
	for {
		m, err := flooder.next(5 * time.Second)
		if errors.As(err, &closeErr) {
			break
		}
		if err != nil {
			t.Fatalf("flooder: %v", err)
		}
		switch m.str("event") {
		case "output":
			answered[m.str("error")]++
		case "status":
			if m.str("status") == "queued" {
				answered["queued"]++
			}
		}
	}
	if closeErr.Code != websocket.StatusPolicyViolation || closeErr.Reason != "too many messages" {
		t.Errorf("flooder closed with %v, want 1008 too many messages", closeErr)
	}
	total := 0
	for _, n := range answered {
		total += n
	}
	// The queued statuses travel through the bus and may lose the race
	// with the close; the refusals are sent directly.
	if answered["queued"] > 3 || answered["room_queue_full"] < 7 || answered["rate_limited"] == 0 || total >= sent {
		t.Errorf("flood answers %v; want up to 3 queued, at least 7 room queue and some rate refusals, and a close before all %d", answered, sent)
	}
	calm.send(map[string]any{"event": "judge", "content": "p", "language": "python", "input": "ok", "room_name": "calm-room"})
	if m := calm.expect("output"); m.str("content") != "out:ok\n" {
		t.Errorf("calm room's output = %v", m)
	}
}

// refusingQueue is a queue whose Send fails, as a broker that is down.
type refusingQueue struct{ queue.Queue }

func (refusingQueue) Send(context.Context, []byte, queue.SendOptions) error {
	return errors.New("broker down")
}

func TestRefusedEnqueueEndsTheRunForTheWholeRoom(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{queue: func(q queue.Queue) queue.Queue { return refusingQueue{q} }})
	a := h.join(t, room, "1")
	b := h.join(t, room, "2")
	a.send(map[string]any{"event": "judge", "content": "print(1)", "language": "python", "input": " ", "room_name": room})
	// The room saw the run queued, so every member, the requester too,
	// gets its end: one output, the failure.
	for _, c := range []*client{a, b} {
		if st := c.expect("status"); st.str("status") != "queued" {
			t.Errorf("status = %v, want queued", st)
		}
		out := c.expect("output")
		if out.str("error") != "failed" || !strings.Contains(out.str("content"), "could not be enqueued") {
			t.Errorf("output = %v, want the run failed: could not be enqueued", out)
		}
	}
	// The failed run gave its place in the room's queue back.
	for range 5 {
		a.send(map[string]any{"event": "judge", "content": "print(1)", "language": "python", "input": " ", "room_name": room})
		if out := a.expect("output"); out.str("error") != "failed" {
			t.Fatalf("output = %v, want another failed run, not a full room queue", out)
		}
	}
	a.quiet("output", 300*time.Millisecond) // and no second output for any
}
