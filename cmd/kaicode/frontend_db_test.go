package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/jackc/pgx/v5"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/testenv"
	"github.com/kaicode/kaicode/internal/yjs"
)

// TestFrontendDatabaseSeedsTheDocument runs serve against a PostgreSQL
// database with the existing frontend's schema and a session whose content
// was written by the old backend: a Yjs client joining the session's room
// gets a document holding that text, as the frontend expects of a correct
// server (PROTOCOLS.md, "A trap for a correct Yjs server").
func TestFrontendDatabaseSeedsTheDocument(t *testing.T) {
	dbURL := testenv.PostgresURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	schema, err := os.ReadFile(filepath.Join("..", "..", "internal", "auth", "testdata", "frontend_schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	const room = "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b"
	const stored = "print('written by the old backend')\n"
	if _, err := conn.Exec(ctx, string(schema)); err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO users (id, email) VALUES (7, 'ada@example.com')`, nil},
		{`INSERT INTO sessions (id, content, is_anyone_allowed) VALUES ($1, $2, false)`, []any{room, []byte(stored)}},
		{`INSERT INTO session_to_user_mapping (session_id, user_email) VALUES ($1, 'ada@example.com')`, []any{room}},
	} {
		if _, err := conn.Exec(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	conn.Close(ctx)

	const secret = "frontend-db-seed-secret-0123456789"
	srv := serveInProcess(t, map[string]string{
		"KAICODE_JWT_SECRET": secret,
		"DATABASE_URL":       dbURL,
		"KAICODE_WORKER":     "false",
		"KAICODE_LOG_LEVEL":  "info",
	})
	if !strings.Contains(srv.logs.String(), "frontend-database") {
		t.Fatalf("serve did not pick the frontend database mode; log:\n%s", srv.logs.String())
	}
	token, err := auth.Issue([]byte(secret), auth.User{ID: "7"}, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	text := joinAndReadText(ctx, t, "ws"+srv.base[len("http"):]+"/ws/"+room+"?token="+token)
	if text != stored {
		t.Errorf("the session's document holds %q, want the stored content %q", text, stored)
	}
}

// joinAndReadText connects to a y-websocket URL, asks for the whole
// document with sync step 1 and returns the text of its root Y.Text "".
func joinAndReadText(ctx context.Context, t *testing.T, url string) string {
	t.Helper()
	c, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	defer c.CloseNow()
	if err := c.Write(ctx, websocket.MessageBinary, yjs.EncodeSyncStep1([]byte{0})); err != nil {
		t.Fatal(err)
	}
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		m, err := yjs.DecodeMessage(b)
		if err != nil {
			t.Fatalf("decode %x: %v", b, err)
		}
		if m.Type == yjs.MessageSync && m.SyncType == yjs.SyncStep2 {
			text, err := yjs.TextFromUpdate(m.Payload, "")
			if err != nil {
				t.Fatal(err)
			}
			return text
		}
	}
}
