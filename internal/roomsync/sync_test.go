package roomsync_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/roomsync"
	"github.com/kaicode/kaicode/internal/store"
)

const room = "6f1c1d2e-8a4b-4c3d-9e0f-112233445566"

func TestJudgeOutputReachesEveryConnectionOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	a := h.join(t, room, "1")
	b := h.join(t, room, "2")
	a.send(map[string]any{"event": "judge", "content": "print(input())", "language": "python", "input": "hi", "room_name": room})

	for _, c := range []*client{a, b} {
		st := c.expect("status")
		if st.str("status") != "queued" || st.str("user") != "1" {
			t.Errorf("first status = %v, want queued by user 1", st)
		}
		out := c.expect("output")
		if out.str("content") != "out:hi\n" || out["time_taken"] != float64(42) || out.str("room_name") != room {
			t.Errorf("output = %v", out)
		}
		res, _ := out["result"].(map[string]any)
		if res["status"] != "ok" || res["stdout"] != "out:hi\n" || res["memory_bytes"] != float64(8<<20) {
			t.Errorf("structured result = %v", res)
		}
	}
	// exactly one output: the next judge's output is the next one a sees
	a.send(map[string]any{"event": "judge", "content": "x", "language": "cpp", "input": " ", "room_name": room})
	out := a.expect("output")
	if out.str("language") != "cpp" || out.str("content") != "out:\n" {
		t.Errorf("second output = %v, want the cpp run's with an empty stdin", out)
	}
}

func TestCompileErrorArrivesAsOutput(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	a := h.join(t, room, "1")
	a.send(map[string]any{"event": "judge", "content": "int main( { error", "language": "cpp", "input": " ", "room_name": room})
	out := a.expect("output")
	want := "main.cpp:1:1: error: expected unqualified-id\n[compilation failed with exit code 1]"
	if out.str("content") != want || out["time_taken"] != float64(120) {
		t.Errorf("output = %q (%v), want %q", out.str("content"), out["time_taken"], want)
	}
}

func TestLateJoinerGetsPresenceLanguageAndLastOutput(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	a := h.join(t, room, "1")
	a.send(map[string]any{"event": "language", "language": "py", "room_name": room})
	if m := a.expect("language"); m.str("language") != "python" || m.str("user") != "1" {
		t.Errorf("language broadcast = %v", m)
	}
	a.send(map[string]any{"event": "judge", "content": "p", "language": "python", "input": "x", "room_name": room})
	a.expect("output")

	b := h.dial(t)
	b.send(map[string]any{"event": "auth", "token": token(t, "2"), "room_name": room})
	got := map[string]message{}
	for _, ev := range []string{"authenticated", "language", "output", "presence"} {
		m := b.expect(ev)
		got[ev] = m
	}
	if got["language"].str("language") != "python" {
		t.Errorf("joiner's language = %v", got["language"])
	}
	if got["output"].str("content") != "out:x\n" || got["output"]["replayed"] != true {
		t.Errorf("joiner's last output = %v", got["output"])
	}
	if p := got["presence"]; p.str("joined") != "2" || len(p["users"].([]any)) != 2 {
		t.Errorf("joiner's presence = %v", p)
	}
	if p := a.expect("presence"); p.str("joined") != "2" {
		t.Errorf("a's presence after join = %v", p)
	}
	b.ws.Close(websocket.StatusNormalClosure, "")
	if p := a.expect("presence"); p.str("left") != "2" || len(p["users"].([]any)) != 1 {
		t.Errorf("a's presence after leave = %v", p)
	}
}

func TestLastOutputSurvivesRestartButExpires(t *testing.T) {
	t.Parallel()
	now := time.Now()
	clock := func() time.Time { return now }
	h := newHarness(t, harnessOptions{tune: func(o *roomsync.Options) { o.Now = clock }})
	msg := []byte(`{"event":"output","content":"old\n","time_taken":5,"room_name":"` + room + `"}`)
	if err := h.rooms.SetLastOutput(context.Background(), room, msg, now.Add(-9*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := h.rooms.SetLastOutput(context.Background(), "stale", msg, now.Add(-11*time.Minute)); err != nil {
		t.Fatal(err)
	}
	a := h.join(t, room, "1")
	if m := a.expect("output"); m.str("content") != "old\n" || m["replayed"] != true {
		t.Errorf("stored recent output = %v", m)
	}
	s := h.join(t, "stale", "1")
	s.quiet("output", 300*time.Millisecond)
}

func TestSyncTextIsDebouncedAndDeduplicated(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	a := h.join(t, room, "1")
	for range 5 {
		a.send(map[string]any{"event": "sync", "content": "v1", "room_name": room})
	}
	waitText(t, h.texts, room, "v1")
	a.send(map[string]any{"event": "sync", "content": "v2", "room_name": room})
	a.send(map[string]any{"event": "sync", "content": "v3", "room_name": room})
	waitText(t, h.texts, room, "v3")
}

func TestShutdownClosesGoingAwayAndFlushesText(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{tune: func(o *roomsync.Options) { o.TextDebounce = time.Hour }})
	a := h.join(t, room, "1")
	a.send(map[string]any{"event": "sync", "content": "unsaved", "room_name": room})
	a.send(map[string]any{"event": "language", "language": "go", "room_name": room})
	a.expect("language") // the sync before it has been handled
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- h.srv.Shutdown(ctx) }()
	if code, _ := a.closed(); code != websocket.StatusGoingAway {
		t.Errorf("close code = %d, want 1001", code)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if got, _ := h.texts.Text(ctx, room); got != "unsaved" {
		t.Errorf("text after shutdown = %q, want it flushed", got)
	}
}

func TestReadOnlyGrantMayWatchButNotRun(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	err := h.rooms.SetAllowList(context.Background(), room, []auth.Grant{{User: "1", Access: auth.AccessWrite}, {User: "2", Access: auth.AccessRead}})
	if err != nil {
		t.Fatal(err)
	}
	w := h.join(t, room, "1")
	r := h.join(t, room, "2")
	r.send(map[string]any{"event": "judge", "content": "x", "language": "python", "input": " ", "room_name": room})
	if m := r.expect("output"); m.str("error") != "read_only" {
		t.Errorf("read-only judge output = %v", m)
	}
	if m := r.expect("error"); m.str("code") != "read_only" {
		t.Errorf("read-only judge error = %v", m)
	}
	w.send(map[string]any{"event": "judge", "content": "x", "language": "python", "input": "w", "room_name": room})
	if m := r.expect("output"); m.str("content") != "out:w\n" {
		t.Errorf("watcher did not see the writer's output: %v", m)
	}
	c := h.dial(t)
	c.send(map[string]any{"event": "auth", "token": token(t, "3"), "room_name": room})
	if code, reason := c.closed(); code != websocket.StatusPolicyViolation || !strings.Contains(reason, "no access") {
		t.Errorf("unlisted user closed with %d %q", code, reason)
	}
}

// waitText polls the store until room's text is want.
func waitText(t *testing.T, texts *store.RoomTexts, room, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := texts.Text(context.Background(), room)
		if err != nil {
			t.Fatal(err)
		}
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("room text = %q, want %q", got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
