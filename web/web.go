// Package web serves the playground: one page at / that runs code through
// the jobs API (GET /api/v1/languages, POST /api/v1/jobs).
//
// The page is embedded and self-contained. Its inline script and style are
// allowed by their sha256 hashes in the Content-Security-Policy, computed
// from the embedded file, so the policy never falls out of date.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"time"
)

//go:embed index.html
var files embed.FS

// page is the embedded playground, with line ends normalised as an HTML
// parser does, so the hashes of its inline elements match what browsers
// compute even for a checkout with CRLF line ends.
var page = normalize(mustRead("index.html"))

// etag identifies page's content for If-None-Match.
var etag = func() string {
	sum := sha256.Sum256(page)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
}()

// csp is the page's Content-Security-Policy.
var csp = policy(page)

func mustRead(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return b
}

func normalize(b []byte) []byte {
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(b, []byte("\r"), []byte("\n"))
}

// inline matches an inline <script> or <style> element and its text.
var inline = regexp.MustCompile(`(?is)<(script|style)\b([^>]*)>(.*?)</(?:script|style)\s*>`)

// policy returns a CSP that allows only same-origin requests and the
// inline scripts and styles of html, by hash.
func policy(html []byte) string {
	hashes := map[string][]string{}
	for _, m := range inline.FindAllSubmatch(html, -1) {
		if bytes.Contains(bytes.ToLower(m[2]), []byte("src=")) {
			continue // external, not inline: not allowed by default-src 'none'
		}
		sum := sha256.Sum256(m[3])
		kind := strings.ToLower(string(m[1]))
		hashes[kind] = append(hashes[kind], "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	src := func(kind string) string {
		if len(hashes[kind]) == 0 {
			return "'none'"
		}
		return strings.Join(hashes[kind], " ")
	}
	return "default-src 'none'; script-src " + src("script") + "; style-src " + src("style") +
		"; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}

// Handler serves the playground for GET and HEAD of exactly /.
func Handler() http.Handler {
	return http.HandlerFunc(serve)
}

func serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache") // revalidate: a 304 is cheap, an upgrade shows at once
	h.Set("ETag", etag)
	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(page))
}
