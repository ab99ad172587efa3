package yjs

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

var updateFixtures = flag.Bool("update-fixtures", false, "regenerate testdata/cases.json.gz with node")

// fixturePath holds generated cases with Yjs's answers, so that the Go-only
// checks run without node.
const fixturePath = "testdata/cases.json.gz"

// Fixture parameters: seed and count passed to gen.mjs.
const (
	fixtureSeed  = "7"
	fixtureCount = "300"
)

// genCase is one generated editing session (see test/node/yjs/gen.mjs).
// Byte fields hold updates and state vectors.
type genCase struct {
	ID           string   `json:"id"`
	Updates      [][]byte `json:"updates"`
	Subset       [][]byte `json:"subset"`
	Rest         [][]byte `json:"rest"`
	PeerBase     []byte   `json:"peerBase"`
	SV           []byte   `json:"sv"`
	YMerged      []byte   `json:"yMerged"`
	YSubsetMerge []byte   `json:"ySubsetMerged"`
	YDiff        []byte   `json:"yDiff"`
	Text         string   `json:"text"`
	SubsetText   string   `json:"subsetText"`
	EachText     []string `json:"eachText"`
	EachSV       [][]byte `json:"eachSV"`
	MergedSV     []byte   `json:"mergedSV"`
	SubsetSV     []byte   `json:"subsetSV"`
	Snapshot     string   `json:"snapshot"`
}

// caseResult is what the Go side computed, for check.mjs.
type caseResult struct {
	ID            string `json:"id"`
	Merged        []byte `json:"merged"`
	SubsetMerged  []byte `json:"subsetMerged"`
	Diff          []byte `json:"diff"`
	Compact       []byte `json:"compact"`
	CompactSubset []byte `json:"compactSubset"`
}

// nodeDir returns test/node, or skips the test (fails it when
// KAICODE_REQUIRE_ALL=1) if node or the installed packages are missing.
func nodeDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs("../../test/node")
	if err != nil {
		t.Fatal(err)
	}
	missing := ""
	if _, err := exec.LookPath("node"); err != nil {
		missing = "node is not installed (apt-get install nodejs)"
	} else if _, err := os.Stat(filepath.Join(dir, "node_modules", "yjs")); err != nil {
		missing = "test/node/node_modules is missing (cd test/node && npm ci)"
	}
	if missing != "" {
		if os.Getenv("KAICODE_REQUIRE_ALL") == "1" {
			t.Fatalf("KAICODE_REQUIRE_ALL=1 but %s", missing)
		}
		t.Skip(missing)
	}
	return dir
}

// runNode runs a script of test/node/yjs and returns its standard output.
func runNode(t testing.TB, dir, script string, args ...string) []byte {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "node", append([]string{filepath.Join("yjs", script)}, args...)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s %v: %v\n%s", script, args, err, stderr.Bytes())
	}
	return out
}

func decodeCases(t *testing.T, data []byte) []genCase {
	t.Helper()
	var cases []genCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatalf("decoding cases: %v", err)
	}
	return cases
}

func TestFixtures(t *testing.T) {
	if *updateFixtures {
		data := runNode(t, nodeDir(t), "gen.mjs", fixtureSeed, fixtureCount)
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(data)
		zw.Close()
		if err := os.WriteFile(fixturePath, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(fixturePath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	cases := decodeCases(t, buf.Bytes())
	for _, c := range cases {
		checkCase(t, &c)
	}
	t.Logf("%d fixture cases checked", len(cases))
}

// TestDifferential generates random sessions with the real Yjs, checks
// what Go can check against Yjs's answers, then has Yjs apply Go's merge,
// diff and compaction results and compare the documents.
func TestDifferential(t *testing.T) {
	if testing.Short() {
		t.Skip("differential run against node skipped with -short; TestFixtures covers committed cases")
	}
	dir := nodeDir(t)
	seed := os.Getenv("KAICODE_YJS_SEED")
	if seed == "" {
		seed = "1"
	}
	cases := decodeCases(t, runNode(t, dir, "gen.mjs", seed, "1200"))
	results := make([]caseResult, 0, len(cases))
	for _, c := range cases {
		results = append(results, checkCase(t, &c))
	}
	tmp := t.TempDir()
	casesFile, resultsFile := filepath.Join(tmp, "cases.json"), filepath.Join(tmp, "results.json")
	writeJSON(t, casesFile, cases)
	writeJSON(t, resultsFile, results)
	var report struct {
		Checked  int `json:"checked"`
		Failures []struct {
			ID, What, Detail string
		} `json:"failures"`
	}
	if err := json.Unmarshal(runNode(t, dir, "check.mjs", casesFile, resultsFile), &report); err != nil {
		t.Fatal(err)
	}
	for i, f := range report.Failures {
		if i == 20 {
			t.Errorf("... %d failures in all", len(report.Failures))
			break
		}
		t.Errorf("case %s, %s: %s", f.ID, f.What, f.Detail)
	}
	if report.Checked != len(cases) {
		t.Errorf("check.mjs checked %d of %d cases", report.Checked, len(cases))
	}
	t.Logf("seed %s: %d cases checked by Go and by Yjs", seed, len(cases))
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkCase checks everything Go can check alone and returns Go's results.
func checkCase(t *testing.T, c *genCase) caseResult {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("case %s: %s", c.ID, fmt.Sprintf(format, args...))
	}
	must := func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			fail("%v", err)
		}
		return b
	}
	text := func(u []byte) string {
		t.Helper()
		s, err := TextFromUpdate(u, "")
		if err != nil {
			fail("TextFromUpdate: %v", err)
		}
		return s
	}
	sv := func(u []byte) []byte { t.Helper(); return must(EncodeStateVectorFromUpdate(u)) }
	r := caseResult{ID: c.ID}

	for i, u := range c.Updates {
		if got := sv(u); !bytes.Equal(got, c.EachSV[i]) {
			fail("state vector of update %d: got %v, want %v", i, got, c.EachSV[i])
		}
		if got := text(u); got != c.EachText[i] {
			fail("text of update %d:\n got %q\nwant %q", i, got, c.EachText[i])
		}
	}
	if got := sv(c.YMerged); !bytes.Equal(got, c.MergedSV) {
		fail("state vector of Yjs merge: got %v, want %v", got, c.MergedSV)
	}
	if got := sv(c.YSubsetMerge); !bytes.Equal(got, c.SubsetSV) {
		fail("state vector of Yjs subset merge: got %v, want %v", got, c.SubsetSV)
	}
	if got := text(c.YMerged); got != c.Text {
		fail("text of Yjs merge:\n got %q\nwant %q", got, c.Text)
	}
	if got := text(c.YSubsetMerge); got != c.SubsetText {
		fail("text of Yjs subset merge:\n got %q\nwant %q", got, c.SubsetText)
	}

	r.Merged = must(MergeUpdates(c.Updates))
	if got := text(r.Merged); got != c.Text {
		fail("text of Go merge:\n got %q\nwant %q", got, c.Text)
	}
	if got := sv(r.Merged); !sameSV(t, got, c.MergedSV) {
		fail("state vector of Go merge: got %v, want %v", got, c.MergedSV)
	}
	reversed := slices.Clone(c.Updates)
	slices.Reverse(reversed)
	if again := must(MergeUpdates(append(reversed, r.Merged))); !bytes.Equal(again, r.Merged) {
		fail("merge is not commutative and idempotent: %d bytes, then %d", len(r.Merged), len(again))
	}
	r.SubsetMerged = must(MergeUpdates(c.Subset))
	if got := text(r.SubsetMerged); got != c.SubsetText {
		fail("text of Go subset merge:\n got %q\nwant %q", got, c.SubsetText)
	}

	r.Diff = must(DiffUpdate(c.YMerged, c.SV))
	if got := text(must(MergeUpdates([][]byte{c.PeerBase, r.Diff}))); got != c.Text {
		fail("text of peer state merged with diff:\n got %q\nwant %q", got, c.Text)
	}

	r.Compact = must(CompactUpdate(c.YMerged))
	if got := text(r.Compact); got != c.Text {
		fail("text of compacted update:\n got %q\nwant %q", got, c.Text)
	}
	if got := sv(r.Compact); !sameSV(t, got, c.MergedSV) {
		fail("state vector of compacted update: got %v, want %v", got, c.MergedSV)
	}
	if again := must(CompactUpdate(r.Compact)); !bytes.Equal(again, r.Compact) {
		fail("compaction is not idempotent: %d bytes, then %d", len(r.Compact), len(again))
	}
	r.CompactSubset = must(CompactUpdate(r.SubsetMerged))
	return r
}

func sameSV(t *testing.T, a, b []byte) bool {
	t.Helper()
	ma, err := DecodeStateVector(a)
	if err != nil {
		t.Error(err)
	}
	mb, err := DecodeStateVector(b)
	if err != nil {
		t.Error(err)
	}
	if len(ma) != len(mb) {
		return false
	}
	for k, v := range ma {
		if mb[k] != v {
			return false
		}
	}
	return true
}
