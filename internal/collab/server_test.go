package collab_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/collab"
	"github.com/kaicode/kaicode/internal/yjs"
)

// policy maps user ids to access; others get none.
type policy map[string]auth.Access

func (p policy) Access(_ context.Context, u auth.User, _ string) (auth.Access, error) {
	return p[u.ID], nil
}

func TestAuth(t *testing.T) {
	t.Parallel()
	pol := policy{"1": auth.AccessWrite, "2": auth.AccessRead, "": auth.AccessRead}
	closed := startServer(t, collab.Options{Policy: pol})
	anon := startServer(t, collab.Options{Policy: pol, Anonymous: true})
	expired, err := auth.Issue(testSecret, auth.User{ID: "1"}, time.Minute, time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		srv      *testServer
		token    string
		wantCode websocket.StatusCode // 0: admitted
	}{
		{"writer", closed, token(t, "1"), 0},
		{"reader", closed, token(t, "2"), 0},
		{"no token", closed, "", 4401},
		{"bad token", closed, "not.a.jwt", 4401},
		{"expired token", closed, expired, 4401},
		{"forbidden user", closed, token(t, "3"), 4403},
		{"anonymous allowed", anon, "", 0},
		{"bad token with anonymous allowed", anon, "not.a.jwt", 4401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := dial(t, tc.srv.URL, "auth", tc.token)
			if tc.wantCode == 0 {
				c.sync()
				return
			}
			m, _, err := c.read(5 * time.Second)
			if err != nil || m.Type != yjs.MessageAuth {
				t.Fatalf("first message %+v, %v; want permission denied", m, err)
			}
			if code, _ := c.closeStatus(5 * time.Second); code != tc.wantCode {
				t.Errorf("close code %d; want %d", code, tc.wantCode)
			}
		})
	}
}

func TestReadOnlyClientReceivesButCannotWrite(t *testing.T) {
	t.Parallel()
	srv := startServer(t, collab.Options{Policy: policy{"w": auth.AccessWrite, "r": auth.AccessRead}})
	w := dial(t, srv.URL, "ro", token(t, "w"))
	w.sync()
	r := dial(t, srv.URL, "ro", token(t, "r"))
	r.sync()

	r.send(yjs.EncodeSyncUpdate(yjs.TextUpdate(2, "", "from reader ")))
	w.send(yjs.EncodeSyncUpdate(yjs.TextUpdate(1, "", "from writer ")))
	m := r.expect(5*time.Second, "writer's update", func(m yjs.Message) bool { return m.Type == yjs.MessageSync })
	if text, _ := yjs.TextFromUpdate(m.Payload, ""); text != "from writer " {
		t.Fatalf("reader received %q", text)
	}
	if got := roomText(t, srv.URL, "ro"); got != "from writer " {
		t.Errorf("/text = %q; the reader's update must be dropped", got)
	}
}

func TestSeedFromRoomText(t *testing.T) {
	t.Parallel()
	srv := startServer(t, collab.Options{Anonymous: true})
	if err := srv.Texts.SetText(context.Background(), "seeded", "int main() {}\n"); err != nil {
		t.Fatal(err)
	}
	c := dial(t, srv.URL, "seeded", "")
	if text, _ := yjs.TextFromUpdate(c.sync(), ""); text != "int main() {}\n" {
		t.Fatalf("seeded document text = %q", text)
	}
	// Once the document has content, the room text no longer matters.
	if err := srv.Texts.SetText(context.Background(), "seeded", "other"); err != nil {
		t.Fatal(err)
	}
	if got := roomText(t, srv.URL, "seeded"); got != "int main() {}\n" {
		t.Errorf("/text = %q", got)
	}
}

func TestRoomUnloadsPersistsAndReloads(t *testing.T) {
	t.Parallel()
	srv := startServer(t, collab.Options{Anonymous: true, UnloadGrace: 50 * time.Millisecond, PersistDelay: 20 * time.Millisecond, CompactEvery: 3})
	for i, word := range []string{"a ", "b ", "c ", "d ", "e "} {
		c := dial(t, srv.URL, "reload", "")
		c.sync()
		c.send(yjs.EncodeSyncUpdate(yjs.TextUpdate(uint64(i+1), "", word)))
		c.send(yjs.EncodeQueryAwareness()) // flushes nothing; just a round trip
		c.ws.Close(websocket.StatusNormalClosure, "")
		waitUnloaded(t, srv, "reload")
	}
	var info collab.RoomInfo
	getJSON(t, srv.URL+"api/v1/rooms/reload", &info)
	if info.Loaded || info.Clients != 5 || info.Operations != 10 {
		t.Fatalf("room info %+v; want unloaded, 5 clients, 10 operations", info)
	}
	text := roomText(t, srv.URL, "reload")
	for _, w := range []string{"a", "b", "c", "d", "e"} {
		if !strings.Contains(text, w+" ") {
			t.Errorf("text %q lacks %q after reloads", text, w)
		}
	}
	stored, err := srv.Docs.Load(context.Background(), "reload")
	if err != nil {
		t.Fatal(err)
	}
	if stored.Appended >= 3 {
		t.Errorf("%d updates stored after the snapshot; compaction did not run", stored.Appended)
	}
}

// waitUnloaded waits until room is no longer loaded.
func waitUnloaded(t *testing.T, srv *testServer, room string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		var info collab.RoomInfo
		getJSON(t, srv.URL+"api/v1/rooms/"+room, &info)
		if !info.Loaded {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("room %s still loaded", room)
}

func TestSlowClientIsDroppedWithoutBlockingTheRoom(t *testing.T) {
	t.Parallel()
	srv := startServer(t, collab.Options{Anonymous: true, SendBuffer: 2 << 20, MaxDocument: 256 << 20})
	slow := dial(t, srv.URL, "slow", "")
	slow.sync()
	fast := dial(t, srv.URL, "slow", "")
	fast.sync()
	writer := dial(t, srv.URL, "slow", "")
	writer.sync()
	// slow never reads; the writer's updates pile up in its socket and
	// in the server's send buffer until that overflows.
	big := strings.Repeat("x", 500<<10)
	for i := 0; ; i++ {
		writer.send(yjs.EncodeSyncUpdate(yjs.TextUpdate(uint64(100+i), "", big)))
		fast.expect(5*time.Second, "update", func(m yjs.Message) bool { return m.Type == yjs.MessageSync })
		var info collab.RoomInfo
		getJSON(t, srv.URL+"api/v1/rooms/slow", &info)
		if info.Connections == 2 {
			break
		}
		if i == 200 {
			t.Fatalf("%d connections after 100 MB; want the slow one dropped", info.Connections)
		}
	}
}

func TestShutdownClosesWithGoingAwayAndFlushes(t *testing.T) {
	t.Parallel()
	srv := startServer(t, collab.Options{Anonymous: true, PersistDelay: time.Hour})
	c := dial(t, srv.URL, "bye", "")
	c.sync()
	c.send(yjs.EncodeSyncUpdate(yjs.TextUpdate(1, "", "kept")))
	c.send(yjs.EncodeAwareness(yjs.EncodeAwarenessUpdate([]yjs.AwarenessEntry{{ClientID: 1, Clock: 1, State: `{}`}})))
	c.expect(5*time.Second, "awareness echo", isAwareness) // the update was applied before
	codes := make(chan websocket.StatusCode, 1)
	go func() {
		for {
			if _, _, err := c.read(10 * time.Second); err != nil {
				t.Log("read error:", err)
				codes <- websocket.CloseStatus(err)
				return
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 8*time.Second {
		t.Errorf("Shutdown took %v: it waited for its deadline instead of closing the sockets", d)
	}
	if code := <-codes; code != websocket.StatusGoingAway {
		t.Errorf("close code %d; want 1001", code)
	}
	stored, err := srv.Docs.Load(context.Background(), "bye")
	if err != nil {
		t.Fatal(err)
	}
	merged, err := yjs.MergeUpdates(stored.Updates)
	if err != nil {
		t.Fatal(err)
	}
	if text, _ := yjs.TextFromUpdate(merged, ""); text != "kept" {
		t.Errorf("stored text after shutdown = %q; want kept", text)
	}
	if _, err := tryDial(srv.URL, "bye", ""); err == nil {
		t.Error("a connection was accepted after Shutdown")
	}
}
