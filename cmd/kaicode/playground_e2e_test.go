package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/testenv"
)

// TestPlayground opens the page "kaicode serve" serves at / in a real
// Chromium (test/node/browser/playground.mjs) and runs code through it with
// the real Docker sandbox: python with stdin, Ctrl+Enter, a C compile
// error, and a bad token.
func TestPlayground(t *testing.T) {
	requireBrowser(t)
	const secret = "playground-e2e-secret-0123456789"
	srv := serveInProcess(t, map[string]string{"KAICODE_JWT_SECRET": secret})

	for _, tt := range []struct {
		method, path string
		code         int
		body         string
	}{
		{"GET", "/", 200, "<title>Kaicode playground</title>"},
		{"HEAD", "/", 200, ""},
		{"GET", "/nope", 404, ""},
		{"GET", "/index.html", 404, ""},
		{"POST", "/", 405, ""},
	} {
		req, err := http.NewRequest(tt.method, srv.base+tt.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != tt.code {
			t.Errorf("%s %s = %d, want %d", tt.method, tt.path, resp.StatusCode, tt.code)
		}
		if !strings.Contains(string(body), tt.body) {
			t.Errorf("%s %s body lacks %q", tt.method, tt.path, tt.body)
		}
		if tt.code == 200 {
			if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("%s %s Content-Type = %q", tt.method, tt.path, ct)
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("%s %s Content-Security-Policy = %q", tt.method, tt.path, csp)
			}
		}
	}

	token, err := auth.Issue([]byte(secret), auth.User{ID: "1"}, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	shots := os.Getenv("KAICODE_TEST_SCREENSHOTS") // keep them to look at
	if shots == "" {
		shots = t.TempDir()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := testenv.Node(ctx, t, "browser/playground.mjs", srv.base, token, shots)
	if err != nil {
		t.Fatalf("browser run: %v\nserver log:\n%s", err, srv.logs.String())
	}
	type shown struct {
		State, Status, Output, Meta, Error, Compile string
		RunEnabled                                  bool
	}
	var got struct {
		Languages           []string
		TabValue            string
		First               shown
		SawDisabled         bool
		TokenRemembered     bool
		LanguageRemembered  string
		Shortcut            shown
		SourceAfterShortcut string
		Compile             shown
		Bad                 shown
		PageErrors          []string
		CSPErrors           []string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("browser run printed %q: %v", out, err)
	}
	t.Logf("screenshots in %s; browser said %s", shots, out)

	if !slices.Contains(got.Languages, "python") || !slices.Contains(got.Languages, "c") {
		t.Errorf("language list = %q, want python and c among them", got.Languages)
	}
	if got.TabValue != "    " {
		t.Errorf("Tab in the source gave %q, want four spaces", got.TabValue)
	}
	if got.First.State != "ok" || got.First.Status != "ok" {
		t.Errorf("status shown = %q (state %q), want ok; error %q", got.First.Status, got.First.State, got.First.Error)
	}
	if !strings.Contains(got.First.Output, "abab") {
		t.Errorf("output shown = %q, want abab", got.First.Output)
	}
	for _, want := range []string{"exit 0", " ms", "memory ", "python "} {
		if !strings.Contains(got.First.Meta, want) {
			t.Errorf("run details shown = %q, want %q in them", got.First.Meta, want)
		}
	}
	if !got.SawDisabled || !got.First.RunEnabled {
		t.Errorf("Run disabled during the run = %v, enabled after = %v; want both", got.SawDisabled, got.First.RunEnabled)
	}
	if !got.TokenRemembered || got.LanguageRemembered != "python" {
		t.Errorf("after a reload: token remembered = %v, language = %q", got.TokenRemembered, got.LanguageRemembered)
	}
	if got.Shortcut.State != "ok" || !strings.Contains(got.Shortcut.Output, "xyxy") {
		t.Errorf("Ctrl+Enter run: state %q, output %q; want ok, xyxy", got.Shortcut.State, got.Shortcut.Output)
	}
	if got.SourceAfterShortcut != "print(input()*2)" {
		t.Errorf("Ctrl+Enter changed the source to %q", got.SourceAfterShortcut)
	}
	if got.Compile.State != "compile_error" || !strings.Contains(got.Compile.Compile, "nope") || !strings.Contains(got.Compile.Meta, "compiler exit 1") {
		t.Errorf("compile error: state %q, compiler output %q, details %q; want compile_error naming 'nope', compiler exit 1",
			got.Compile.State, got.Compile.Compile, got.Compile.Meta)
	}
	if got.Bad.State != "error" || got.Bad.Status != "Error 401" || !strings.Contains(got.Bad.Error, "401 unauthorized: a valid bearer token is required") || got.Bad.Output != "" {
		t.Errorf("bad token: state %q, status %q, error %q, output %q; want error, Error 401, 401 unauthorized, no output",
			got.Bad.State, got.Bad.Status, got.Bad.Error, got.Bad.Output)
	}
	if len(got.PageErrors) > 0 || len(got.CSPErrors) > 0 {
		t.Errorf("page errors %q, Content-Security-Policy violations %q", got.PageErrors, got.CSPErrors)
	}
}
