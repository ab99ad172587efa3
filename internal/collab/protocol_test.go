package collab_test

import (
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/collab"
	"github.com/kaicode/kaicode/internal/yjs"
)

func isAwareness(m yjs.Message) bool { return m.Type == yjs.MessageAwareness }

func TestAwarenessEchoQueryAndRemoval(t *testing.T) {
	t.Parallel()
	srv := startServer(t, collab.Options{Anonymous: true})
	a := dial(t, srv.URL, "aw", "")
	a.sync()
	b := dial(t, srv.URL, "aw", "")
	b.sync()

	b.send(yjs.EncodeAwareness(yjs.EncodeAwarenessUpdate([]yjs.AwarenessEntry{{ClientID: 42, Clock: 3, State: `{"user":"b"}`}})))
	for name, c := range map[string]*client{"sender": b, "other": a} {
		m := c.expect(5*time.Second, "awareness at "+name, isAwareness)
		entries, err := yjs.DecodeAwarenessUpdate(m.Payload)
		if err != nil || len(entries) != 1 || entries[0].ClientID != 42 || entries[0].State != `{"user":"b"}` {
			t.Fatalf("%s got %+v, %v", name, entries, err)
		}
	}

	a.send(yjs.EncodeQueryAwareness())
	m := a.expect(5*time.Second, "answer to query awareness", isAwareness)
	if entries, _ := yjs.DecodeAwarenessUpdate(m.Payload); len(entries) != 1 || entries[0].Clock != 3 {
		t.Fatalf("query awareness answered %+v", entries)
	}

	late := dial(t, srv.URL, "aw", "")
	m = late.expect(5*time.Second, "awareness in greeting", isAwareness)
	if entries, _ := yjs.DecodeAwarenessUpdate(m.Payload); len(entries) != 1 || entries[0].ClientID != 42 {
		t.Fatalf("greeting awareness %+v", entries)
	}

	b.ws.CloseNow()
	m = a.expect(5*time.Second, "removal of b's state", isAwareness)
	entries, err := yjs.DecodeAwarenessUpdate(m.Payload)
	if err != nil || len(entries) != 1 || entries[0].ClientID != 42 || entries[0].Clock != 4 || entries[0].State != "null" {
		t.Fatalf("removal = %+v, %v; want client 42 clock 4 null", entries, err)
	}
}
