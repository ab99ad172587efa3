package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/sqlitedb"
	"github.com/kaicode/kaicode/internal/store"
	"github.com/kaicode/kaicode/internal/testenv"
)

// syncOutput is the part of an output event the frontend reads, plus the
// structured result.
type syncOutput struct {
	Event     string `json:"event"`
	Content   string `json:"content"`
	TimeTaken *int64 `json:"time_taken"`
	RoomName  string `json:"room_name"`
	Replayed  bool   `json:"replayed"`
	Result    *struct {
		Status string `json:"status"`
		Stdout string `json:"stdout"`
	} `json:"result"`
}

// TestFrontendReplay runs "kaicode serve" with its real job pipeline and
// drives it the way the existing frontend does (test/node/sync/frontend.mjs):
// two users edit over Yjs, sync the text, run Python with input and a C++
// program that does not compile; a late joiner gets presence, language and
// the last output.
func TestFrontendReplay(t *testing.T) {
	testenv.NodeDir(t)
	requireSandbox(t)
	const secret = "frontend-replay-secret-0123456789"
	srv := serveInProcess(t, map[string]string{
		"KAICODE_JWT_SECRET":       secret,
		"KAICODE_COLLAB_ANONYMOUS": "true",
	})
	base := srv.base + "/"
	logs := &srv.logs

	tok := func(id string) string {
		s, err := auth.Issue([]byte(secret), auth.User{ID: id}, 7*24*time.Hour, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	room := "0b9d6c1e-3f0a-4e55-9a51-5f3f7d1a2b3c"
	nctx, ncancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer ncancel()
	out, err := testenv.Node(nctx, t, "sync/frontend.mjs", base, room, tok("1"), tok("2"))
	if err != nil {
		t.Fatalf("frontend replay: %v; server log:\n%s", err, logs.String())
	}
	var got struct {
		YjsText  string            `json:"yjsText"`
		OutputsA []syncOutput      `json:"outputsA"`
		OutputsB []syncOutput      `json:"outputsB"`
		Late     []json.RawMessage `json:"late"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("replay printed %q: %v", out, err)
	}
	code := `print("got", input())`
	if got.YjsText != code {
		t.Errorf("b's Yjs text = %q, want %q", got.YjsText, code)
	}
	for name, outs := range map[string][]syncOutput{"a": got.OutputsA, "b": got.OutputsB} {
		if len(outs) != 2 {
			t.Fatalf("%s got %d outputs, want exactly 2: %+v", name, len(outs), outs)
		}
		py, cpp := outs[0], outs[1]
		if py.Content != "got hello\n" || py.TimeTaken == nil || *py.TimeTaken <= 0 || py.RoomName != room ||
			py.Result == nil || py.Result.Status != "ok" {
			t.Errorf("%s's python output = %+v", name, py)
		}
		if !strings.Contains(cpp.Content, "error") || !strings.Contains(cpp.Content, "[compilation failed") ||
			cpp.Result == nil || cpp.Result.Status != "compile_error" {
			t.Errorf("%s's c++ output = %+v", name, cpp)
		}
	}
	events := map[string]string{}
	for _, raw := range got.Late {
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		events[fmt.Sprint(m["event"])] = string(raw)
	}
	if !strings.Contains(events["language"], `"cpp"`) || !strings.Contains(events["output"], `"replayed":true`) ||
		!strings.Contains(events["presence"], `"users":["1","2"]`) {
		t.Errorf("late joiner got %v", events)
	}

	srv.stop() // shutdown flushes the room text
	db, err := sqlitedb.Open(context.Background(), filepath.Join(srv.dataDir, "kaicode.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	texts, err := store.NewRoomTexts(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if text, err := texts.Text(context.Background(), room); err != nil || text != code {
		t.Errorf("stored room text = %q, %v; want the synced %q", text, err, code)
	}
}
