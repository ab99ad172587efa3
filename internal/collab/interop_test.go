package collab_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/collab"
)

// These tests drive real Yjs clients (yjs, y-websocket, ws under node).

func TestInteropConvergence(t *testing.T) {
	t.Parallel()
	srv := startServer(t, collab.Options{Anonymous: true})
	for _, tc := range []struct {
		name           string
		clients, edits int
	}{
		{"two clients", 2, 100},
		{"five clients", 5, 60},
	} {
		t.Run(tc.name, func(t *testing.T) {
			room := "converge-" + strconv.Itoa(tc.clients)
			var res struct {
				Texts []string `json:"texts"`
				Late  string   `json:"late"`
			}
			runNode(t, 60*time.Second, &res, "converge.mjs", srv.URL, room,
				strconv.Itoa(tc.clients), strconv.Itoa(tc.edits), "7")
			if len(res.Texts) != tc.clients || res.Texts[0] == "" {
				t.Fatalf("got %d texts, first %q", len(res.Texts), res.Texts[0])
			}
			for i, txt := range res.Texts {
				if txt != res.Texts[0] {
					t.Errorf("client %d text differs:\n%q\nvs\n%q", i, txt, res.Texts[0])
				}
			}
			if res.Late != res.Texts[0] {
				t.Errorf("late joiner text %q, clients %q", res.Late, res.Texts[0])
			}
			if got := roomText(t, srv.URL, room); got != res.Texts[0] {
				t.Errorf("server /text = %q, clients %q", got, res.Texts[0])
			}
		})
	}
}

func TestInteropOfflineEditsMerge(t *testing.T) {
	t.Parallel()
	srv := startServer(t, collab.Options{Anonymous: true})
	var res struct{ A, B string }
	runNode(t, 30*time.Second, &res, "offline.mjs", srv.URL, "offline")
	for _, want := range []string{"shared", "offline-A", "online-B"} {
		if !strings.Contains(res.A, want) {
			t.Errorf("merged text %q lacks %q", res.A, want)
		}
	}
	if got := roomText(t, srv.URL, "offline"); got != res.A {
		t.Errorf("server /text = %q, clients %q", got, res.A)
	}
}

func TestInteropAwarenessRemovedOnClose(t *testing.T) {
	t.Parallel()
	srv := startServer(t, collab.Options{Anonymous: true})
	var res struct {
		Seen, Removed  bool
		RemovedAfterMs int
	}
	runNode(t, 30*time.Second, &res, "awareness.mjs", srv.URL, "awareness")
	if !res.Seen || !res.Removed {
		t.Fatalf("result %+v", res)
	}
	if res.RemovedAfterMs > 5000 {
		t.Errorf("awareness removed after %d ms; want promptly", res.RemovedAfterMs)
	}
}

// TestInteropLoneClientStaysConnected checks that a client alone in a room
// outlives y-websocket's 30 s no-message watchdog: the server echoes its
// awareness renewals.
func TestInteropLoneClientStaysConnected(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 36 s")
	}
	t.Parallel()
	srv := startServer(t, collab.Options{Anonymous: true})
	var res struct {
		Closes    int
		Connected bool
		Text      string
	}
	runNode(t, 60*time.Second, &res, "lone.mjs", srv.URL, "lone", "36")
	if res.Closes != 0 || !res.Connected {
		t.Fatalf("lone client: %d closes, connected %v; want 0, true", res.Closes, res.Connected)
	}
	if got := roomText(t, srv.URL, "lone"); got != "alone" {
		t.Errorf("server /text = %q, want alone", got)
	}
}
