package web_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/kaicode/kaicode/web"
)

// get serves one request through web.Handler.
func get(t *testing.T, method, path string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	web.Handler().ServeHTTP(rec, req)
	return rec
}

func TestHandler(t *testing.T) {
	page := get(t, "GET", "/", nil)
	etag := page.Header().Get("ETag")
	if etag == "" || !strings.HasPrefix(etag, `"`) {
		t.Fatalf("ETag = %q, want a strong quoted tag", etag)
	}
	tests := []struct {
		name     string
		method   string
		path     string
		header   map[string]string
		code     int
		withBody bool // the page's body comes back
		headers  bool // the page's headers come back
	}{
		{"GET /", "GET", "/", nil, 200, true, true},
		{"HEAD /", "HEAD", "/", nil, 200, false, true},
		{"If-None-Match matches", "GET", "/", map[string]string{"If-None-Match": etag}, 304, false, false},
		{"If-None-Match in a list", "GET", "/", map[string]string{"If-None-Match": `"old", ` + etag}, 304, false, false},
		{"If-None-Match stale", "GET", "/", map[string]string{"If-None-Match": `"old"`}, 200, true, true},
		{"POST /", "POST", "/", nil, 405, false, false},
		{"other path", "GET", "/index.html", nil, 404, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, tt.method, tt.path, tt.header)
			if rec.Code != tt.code {
				t.Fatalf("status = %d, want %d", rec.Code, tt.code)
			}
			body := rec.Body.String()
			if tt.withBody != strings.Contains(body, "<title>Kaicode playground</title>") {
				t.Errorf("page body returned = %v, want %v (body %.80q)", !tt.withBody, tt.withBody, body)
			}
			if tt.method == "HEAD" && body != "" {
				t.Errorf("HEAD returned a body of %d bytes", len(body))
			}
			if tt.code == 304 && rec.Header().Get("ETag") != etag {
				t.Errorf("304 ETag = %q, want %q", rec.Header().Get("ETag"), etag)
			}
			if !tt.headers {
				return
			}
			for k, want := range map[string]string{
				"Content-Type":           "text/html; charset=utf-8",
				"X-Content-Type-Options": "nosniff",
				"Referrer-Policy":        "no-referrer",
				"Cache-Control":          "no-cache",
				"ETag":                   etag,
			} {
				if got := rec.Header().Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if rec.Header().Get("Content-Length") != page.Header().Get("Content-Length") || page.Header().Get("Content-Length") == "" {
				t.Errorf("Content-Length = %q, GET's = %q", rec.Header().Get("Content-Length"), page.Header().Get("Content-Length"))
			}
			if rec.Header().Get("Content-Security-Policy") == "" {
				t.Error("no Content-Security-Policy")
			}
		})
	}
}

// TestPolicy checks that the CSP allows exactly the page's inline script
// and style, by hash, and nothing the page would need beyond them.
func TestPolicy(t *testing.T) {
	rec := get(t, "GET", "/", nil)
	csp, body := rec.Header().Get("Content-Security-Policy"), rec.Body.String()
	for _, want := range []string{"default-src 'none'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q allows unsafe sources", csp)
	}
	for _, tag := range []string{"script", "style"} {
		start := strings.Index(body, "<"+tag+">")
		end := strings.Index(body, "</"+tag+">")
		if start < 0 || end < start || strings.Count(body, "<"+tag) != 1 {
			t.Fatalf("page has no single inline <%s>", tag)
		}
		sum := sha256.Sum256([]byte(body[start+len(tag)+2 : end]))
		want := tag + "-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "';"
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	// The CSP blocks these, so the page must not depend on them.
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`(?i)\son[a-z]+\s*=`),             // inline event handlers
		regexp.MustCompile(`(?i)<[a-z][^>]*\sstyle\s*=`),     // style attributes
		regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?\w+:`), // external resources
		regexp.MustCompile(`(?i)\burl\(`),                    // CSS resources
	} {
		if m := bad.FindString(body); m != "" {
			t.Errorf("page contains %q, which the CSP blocks", m)
		}
	}
}

// TestPageUsesAPI checks that the page calls the API routes it relies on,
// with the fields of the jobs API.
func TestPageUsesAPI(t *testing.T) {
	body := get(t, "GET", "/", nil).Body.String()
	for _, want := range []string{
		"'api/v1/languages'", "'api/v1/jobs'", "'?wait=true'", "Authorization: 'Bearer '",
		"language, source:", "stdin:", "r.output", "r.compile_output", "r.exit_code", "r.signal",
		"r.wall_time_ms", "r.memory_bytes", "Retry-After", "localStorage",
		`id="token"`, `id="language"`, `id="source"`, `id="stdin"`, `id="run"`, `id="output"`, `id="status"`,
		`for="token"`, `for="language"`, `for="source"`, `for="stdin"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}
