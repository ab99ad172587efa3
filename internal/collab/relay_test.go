package collab_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/bus"
	"github.com/kaicode/kaicode/internal/collab"
	"github.com/kaicode/kaicode/internal/yjs"
)

// startNodes starts n servers with opts on one store, as nodes share
// PostgreSQL, and, when relay is set, one bus.
func startNodes(t *testing.T, n int, relay bool, opts collab.Options) ([]*testServer, testStore) {
	t.Helper()
	st := newStore(t)
	opts.Anonymous = true
	opts.Store, opts.Texts = st.docs, st.texts
	if relay {
		b := bus.NewMemory(0)
		t.Cleanup(b.Close)
		opts.Bus = b
	}
	nodes := make([]*testServer, n)
	for i := range nodes {
		nodes[i] = startServer(t, opts)
	}
	return nodes, st
}

// waitText polls the /text of room on srv until it holds every one of
// want.
func waitText(t *testing.T, srv *testServer, room string, want ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		text := roomText(t, srv.URL, room)
		missing := false
		for _, w := range want {
			missing = missing || !strings.Contains(text, w)
		}
		if !missing {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s /text = %q; want it to hold %q", srv.URL, text, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func isSync(m yjs.Message) bool { return m.Type == yjs.MessageSync }

func TestNodesShareARoom(t *testing.T) {
	t.Parallel()
	nodes, _ := startNodes(t, 2, true, collab.Options{})
	a, b := nodes[0], nodes[1]
	ca := dial(t, a.URL, "shared", "")
	ca.sync()
	cb := dial(t, b.URL, "shared", "")
	cb.sync()

	ca.send(yjs.EncodeSyncUpdate(yjs.TextUpdate(1, "", "from A ")))
	cb.expect(5*time.Second, "A's update on B", isSync)
	cb.send(yjs.EncodeSyncUpdate(yjs.TextUpdate(2, "", "from B ")))
	ca.expect(5*time.Second, "B's update on A", isSync)
	waitText(t, a, "shared", "from A ", "from B ")
	waitText(t, b, "shared", "from A ", "from B ")
	if ta, tb := roomText(t, a.URL, "shared"), roomText(t, b.URL, "shared"); ta != tb {
		t.Errorf("nodes disagree: A %q, B %q", ta, tb)
	}

	// Awareness crosses too, and so does its removal when a client leaves.
	ca.send(yjs.EncodeAwareness(yjs.EncodeAwarenessUpdate([]yjs.AwarenessEntry{{ClientID: 1, Clock: 1, State: `{"user":"a"}`}})))
	cb.expect(5*time.Second, "A's awareness on B", func(m yjs.Message) bool {
		return isAwareness(m) && strings.Contains(string(m.Payload), `"user":"a"`)
	})
	ca.ws.CloseNow()
	cb.expect(5*time.Second, "the removal of A's awareness on B", func(m yjs.Message) bool {
		if !isAwareness(m) {
			return false
		}
		entries, err := yjs.DecodeAwarenessUpdate(m.Payload)
		return err == nil && len(entries) == 1 && entries[0].ClientID == 1 && entries[0].State == "null"
	})
}

func TestNodeLoadingARoomCatchesUpWithUnstoredEdits(t *testing.T) {
	t.Parallel()
	nodes, _ := startNodes(t, 2, true, collab.Options{PersistDelay: time.Hour})
	a, b := nodes[0], nodes[1]
	ca := dial(t, a.URL, "late", "")
	ca.sync()
	ca.send(yjs.EncodeSyncUpdate(yjs.TextUpdate(1, "", "not stored yet")))
	waitText(t, a, "late", "not stored yet")

	// B loads the room from the store, which lacks the edit; A answers its
	// state vector with it.
	cb := dial(t, b.URL, "late", "")
	cb.sync()
	waitText(t, b, "late", "not stored yet")
}

func TestCompactionKeepsWhatOtherNodesStored(t *testing.T) {
	t.Parallel()
	// No relay: each node knows only its own client's edits, as when a
	// room is not routed to one node and the bus is missing.
	nodes, st := startNodes(t, 2, false, collab.Options{PersistDelay: 20 * time.Millisecond, CompactEvery: 1})
	// Both nodes load the empty room before either edits it.
	clients := make([]*client, len(nodes))
	for i, n := range nodes {
		clients[i] = dial(t, n.URL, "split", "")
		clients[i].sync()
	}
	for i, c := range clients {
		edit := fmt.Sprintf("edit %c", 'A'+i)
		c.send(yjs.EncodeSyncUpdate(yjs.TextUpdate(uint64(i+1), "", edit+" ")))
		waitText(t, nodes[i], "split", edit)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		stored, err := st.docs.Load(context.Background(), "split")
		if err != nil {
			t.Fatal(err)
		}
		merged, err := yjs.MergeUpdates(stored.Updates)
		if err != nil {
			t.Fatal(err)
		}
		text, err := yjs.TextFromUpdate(merged, "")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(text, "edit A") && strings.Contains(text, "edit B") && stored.Appended == 0 {
			return // both edits survived a compaction
		}
		if time.Now().After(deadline) {
			t.Fatalf("stored text %q (%d updates, %d since compaction); want both edits after a compaction", text, len(stored.Updates), stored.Appended)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
