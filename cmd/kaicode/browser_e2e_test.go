package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/testenv"
)

// chromiumPath is where Debian's chromium package puts the browser.
const chromiumPath = "/usr/bin/chromium"

// requireBrowser needs what the browser tests drive: node with the test
// packages, Chromium, and the real sandbox.
func requireBrowser(t *testing.T) {
	t.Helper()
	testenv.NodeDir(t)
	if _, err := os.Stat(chromiumPath); err != nil {
		testenv.Missing(t, "Chromium is not installed (apt-get install chromium)")
	}
	requireSandbox(t)
}

// TestBrowserFrontend runs two users in a real Chromium against "kaicode
// serve": a page that uses the Yjs and sync sockets as the existing frontend
// does (test/node/browser). User A types code, user B sees it, sets stdin
// and presses Run; both see the numbered output and its time.
func TestBrowserFrontend(t *testing.T) {
	requireBrowser(t)
	const secret = "browser-e2e-secret-0123456789"
	srv := serveInProcess(t, map[string]string{
		"KAICODE_JWT_SECRET":       secret,
		"KAICODE_COLLAB_ANONYMOUS": "true",
	})
	token := func(id string) string {
		s, err := auth.Issue([]byte(secret), auth.User{ID: id}, 7*24*time.Hour, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	shots := os.Getenv("KAICODE_TEST_SCREENSHOTS") // keep them to look at
	if shots == "" {
		shots = t.TempDir()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	room := "5d0c8a2e-7b1f-4c3d-9e8a-2f6b4d1c0a9e"
	out, err := testenv.Node(ctx, t, "browser/e2e.mjs", srv.base, room, token("1"), token("2"), shots)
	if err != nil {
		t.Fatalf("browser run: %v\nserver log:\n%s", err, srv.logs.String())
	}
	var got struct {
		TextB        string `json:"textB"`
		OutputA      string `json:"outputA"`
		OutputB      string `json:"outputB"`
		TimeB        string `json:"timeB"`
		OutputsA     int    `json:"outputsA"`
		OutputsB     int    `json:"outputsB"`
		SpinnerAfter bool   `json:"spinnerAfter"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("browser run printed %q: %v", out, err)
	}
	t.Logf("screenshots in %s", shots)
	if got.TextB != "print(input()[::-1])" {
		t.Errorf("user B's editor = %q, want user A's code", got.TextB)
	}
	for name, o := range map[string]string{"A": got.OutputA, "B": got.OutputB} {
		if !strings.HasPrefix(o, "1  hello") {
			t.Errorf("user %s's output = %q, want numbered line 1 'hello'", name, o)
		}
	}
	if !strings.HasSuffix(got.TimeB, " ms") || got.TimeB == "0 ms" {
		t.Errorf("time shown = %q", got.TimeB)
	}
	if got.OutputsA != 1 || got.OutputsB != 1 {
		t.Errorf("outputs received by A, B = %d, %d; want exactly one each", got.OutputsA, got.OutputsB)
	}
	if got.SpinnerAfter {
		t.Error("the spinner still shows after the output arrived")
	}
}
