package yjs

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// benchInputs are the inputs bench.mjs writes; see its header.
type benchInputs struct {
	updates [][]byte
	merged  []byte
	sv      []byte
	doc     []byte
	typed   []byte
	small   []byte
}

// loadBenchInputs has node write the benchmark inputs to dir (extra
// arguments go to bench.mjs) and reads them. It returns bench.mjs's output.
func loadBenchInputs(tb testing.TB, dir string, args ...string) (benchInputs, []byte) {
	tb.Helper()
	out := runNode(tb, nodeDir(tb), "bench.mjs", append([]string{dir}, args...)...)
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			tb.Fatal(err)
		}
		return b
	}
	in := benchInputs{
		merged: read("merged.bin"), sv: read("sv.bin"), doc: read("doc.bin"),
		typed: read("typed.bin"), small: read("small.bin"),
	}
	for framed := read("updates.bin"); len(framed) >= 4; {
		n := binary.BigEndian.Uint32(framed)
		in.updates = append(in.updates, framed[4:4+n])
		framed = framed[4+n:]
	}
	return in, out
}

var benchCache struct {
	in   benchInputs
	done bool
}

func benchData(b *testing.B) benchInputs {
	b.Helper()
	if !benchCache.done {
		benchCache.in, _ = loadBenchInputs(b, b.TempDir())
		benchCache.done = true
	}
	return benchCache.in
}

func BenchmarkMergeUpdates10k(b *testing.B) {
	in := benchData(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := MergeUpdates(in.updates); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDiffUpdate(b *testing.B) {
	in := benchData(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DiffUpdate(in.merged, in.sv); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTextFromTypedUpdate100KB(b *testing.B) {
	in := benchData(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := TextFromUpdate(in.typed, ""); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTextFromUpdate100KB(b *testing.B) {
	in := benchData(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := TextFromUpdate(in.doc, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMergeDocWithSmallUpdate is the collaboration server's path: the
// room's document merged with one incoming update.
func BenchmarkMergeDocWithSmallUpdate(b *testing.B) {
	in := benchData(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := MergeUpdates([][]byte{in.doc, in.small}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompactUpdate100KB(b *testing.B) {
	in := benchData(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CompactUpdate(in.doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeUpdate100KB(b *testing.B) {
	in := benchData(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeUpdate(in.doc); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCompareWithYjs times Go and Yjs on the same inputs in one run and
// prints a Markdown table. It runs only with KAICODE_YJS_BENCH=1; set
// KAICODE_YJS_BENCH_OUT to also write the table to a file.
func TestCompareWithYjs(t *testing.T) {
	if os.Getenv("KAICODE_YJS_BENCH") != "1" {
		t.Skip("set KAICODE_YJS_BENCH=1 to compare timings with Yjs")
	}
	in, out := loadBenchInputs(t, t.TempDir(), "--time")
	var yjs struct {
		Node                             string
		MergeMs, DiffMs, TextMs          float64
		TypedTextMs, MergeDocMs          float64
		MergedBytes, DocBytes, TextBytes int
		TypedBytes, TypedTextBytes       int
	}
	if err := json.Unmarshal(out, &yjs); err != nil {
		t.Fatal(err)
	}
	goTime := func(fn func() error) (time.Duration, testing.BenchmarkResult) {
		if err := fn(); err != nil {
			t.Fatal(err)
		}
		r := testing.Benchmark(func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = fn()
			}
		})
		return time.Duration(r.NsPerOp()), r
	}
	rows := []struct {
		name string
		yjs  float64
		fn   func() error
	}{
		{fmt.Sprintf("merge 10,000 updates (result %d B)", yjs.MergedBytes), yjs.MergeMs, func() error { _, err := MergeUpdates(in.updates); return err }},
		{"diff against a half-way state vector", yjs.DiffMs, func() error { _, err := DiffUpdate(in.merged, in.sv); return err }},
		{fmt.Sprintf("text of a %d B update of scattered edits (%d B text)", yjs.DocBytes, yjs.TextBytes), yjs.TextMs, func() error { _, err := TextFromUpdate(in.doc, ""); return err }},
		{fmt.Sprintf("text of a %d B update typed front to back (%d B text)", yjs.TypedBytes, yjs.TypedTextBytes), yjs.TypedTextMs, func() error { _, err := TextFromUpdate(in.typed, ""); return err }},
		{fmt.Sprintf("merge the %d B update with one small update", yjs.DocBytes), yjs.MergeDocMs, func() error { _, err := MergeUpdates([][]byte{in.doc, in.small}); return err }},
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "| operation | Yjs 13.6.33, node %s | Go | Go allocs/op | Yjs ÷ Go |\n|---|---:|---:|---:|---:|\n", yjs.Node)
	for _, r := range rows {
		d, res := goTime(r.fn)
		goMs := float64(d) / float64(time.Millisecond)
		fmt.Fprintf(&sb, "| %s | %.2f ms | %.3f ms | %d | %.1f× |\n", r.name, r.yjs, goMs, res.AllocsPerOp(), r.yjs/goMs)
	}
	t.Log("\n" + sb.String())
	if path := os.Getenv("KAICODE_YJS_BENCH_OUT"); path != "" {
		if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
