package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCapture(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		in       string
		limit    int
		want     string
		exceeded bool
	}{
		{"under", "hello", 10, "hello", false},
		{"exact", "hello", 5, "hello", false},
		{"over", "hello world", 5, "hello", true},
		{"large", strings.Repeat("x", 100<<10), 64 << 10, strings.Repeat("x", 64<<10), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &capture{limit: tc.limit}
			exceeded := c.readFrom(strings.NewReader(tc.in), nil)
			if string(c.buf) != tc.want || exceeded != tc.exceeded || c.truncated != tc.exceeded {
				t.Errorf("got %d bytes, exceeded %v, truncated %v", len(c.buf), exceeded, c.truncated)
			}
		})
	}
}

func TestSharedCaptureKeepsReadOrder(t *testing.T) {
	t.Parallel()
	out, err := &capture{limit: 64}, &capture{limit: 64}
	both := &sharedCapture{capture: capture{limit: 12}}
	for _, w := range []struct {
		c    *capture
		text string
	}{{out, "o1 "}, {err, "e1 "}, {out, "o2 "}, {err, "e2 "}, {out, "o3 "}} {
		w.c.readFrom(strings.NewReader(w.text), both)
	}
	if string(out.buf) != "o1 o2 o3 " || string(err.buf) != "e1 e2 " {
		t.Errorf("streams %q and %q", out.buf, err.buf)
	}
	if string(both.buf) != "o1 e1 o2 e2 " || !both.truncated {
		t.Errorf("interleaved %q (truncated %v), want the first 12 bytes in read order, truncated", both.buf, both.truncated)
	}
}

func TestWriteFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := writeFiles(dir, []file{{Name: "a/b.txt", Content: []byte("hi")}}); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "a/b.txt")); !bytes.Equal(data, []byte("hi")) {
		t.Errorf("content %q", data)
	}
	for _, bad := range []string{"", "/etc/x", "../x", "a/../../x"} {
		if err := writeFiles(dir, []file{{Name: bad}}); err == nil {
			t.Errorf("writeFiles accepted %q", bad)
		}
	}
}

func TestStdinFileIsUnlinked(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f, err := stdinFile(dir, []byte("input"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, _ := os.ReadDir(dir)
	data := make([]byte, 10)
	n, _ := f.Read(data)
	if len(entries) != 0 || string(data[:n]) != "input" {
		t.Errorf("entries %v, read %q", entries, data[:n])
	}
}
