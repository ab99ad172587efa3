package yjs

import (
	"bytes"
	"errors"
	"testing"
)

func TestInvalidUpdates(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"only struct section", []byte{0}},
		{"truncated struct", goldenTextUpdate[:8]},
		{"trailing bytes", append(bytes.Clone(goldenTextUpdate), 0)},
		{"unknown content reference", []byte{1, 1, 1, 0, 11, 1, 0, 0}},
		{"zero-length string item", []byte{1, 1, 1, 0, 4, 1, 0, 0, 0}},
		{"zero-length GC", []byte{1, 1, 1, 0, 0, 0, 0}},
		{"invalid UTF-8 content", []byte{1, 1, 1, 0, 4, 1, 0, 1, 0xff, 0}},
		{"invalid UTF-8 root name", []byte{1, 1, 1, 0, 4, 1, 1, 0xc3, 1, 'a', 0}},
		{"struct count beyond input", []byte{1, 0xff, 0xff, 0xff, 0x7f, 1, 0, 0, 1, 0}},
		{"client count beyond input", []byte{0xff, 0xff, 0xff, 0x7f, 0}},
		{"clock beyond 2^53", []byte{1, 1, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0, 1, 0}},
		{"clock plus length beyond 2^53", []byte{1, 2, 1, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 0, 1, 0, 1, 0}},
		{"unknown type reference", []byte{1, 1, 1, 0, 7, 1, 0, 9, 0}},
		{"embed that is not JSON", []byte{1, 1, 1, 0, 5, 1, 0, 1, '{', 0}},
		{"bad any value", []byte{1, 1, 1, 0, 8, 1, 0, 1, 1, 0}},
		{"deleted range overflows", []byte{0, 1, 1, 1, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 5}},
		{"delete set count beyond input", []byte{0, 1, 1, 0xff, 0xff, 0x03}},
	}
	funcs := map[string]func([]byte) error{
		"MergeUpdates":                func(u []byte) error { _, err := MergeUpdates([][]byte{goldenTextUpdate, u}); return err },
		"DiffUpdate":                  func(u []byte) error { _, err := DiffUpdate(u, []byte{0}); return err },
		"EncodeStateVectorFromUpdate": func(u []byte) error { _, err := EncodeStateVectorFromUpdate(u); return err },
		"CompactUpdate":               func(u []byte) error { _, err := CompactUpdate(u); return err },
		"TextFromUpdate":              func(u []byte) error { _, err := TextFromUpdate(u, ""); return err },
	}
	for _, tt := range tests {
		for name, fn := range funcs {
			if err := fn(tt.in); !errors.Is(err, ErrInvalidUpdate) {
				t.Errorf("%s: %s: error %v, want ErrInvalidUpdate", tt.name, name, err)
			}
		}
	}
}

func TestInvalidStateVector(t *testing.T) {
	for name, sv := range map[string][]byte{
		"empty":     nil,
		"truncated": {2, 1, 1},
		"trailing":  {0, 0},
		"too long":  {0xff, 0xff, 0x03},
	} {
		if _, err := DiffUpdate(goldenTextUpdate, sv); !errors.Is(err, ErrInvalidUpdate) {
			t.Errorf("%s: error %v, want ErrInvalidUpdate", name, err)
		}
	}
}

// TestReferenceToMissingStruct checks that an update referring to a struct
// of its own client that does not precede it is an error, not a panic.
func TestReferenceToMissingStruct(t *testing.T) {
	// Client 1, clock 0: string "a" with origin 1:5.
	u := []byte{1, 1, 1, 0, 4 | infoOrigin, 1, 5, 1, 'a', 0}
	if _, err := TextFromUpdate(u, ""); !errors.Is(err, ErrInvalidUpdate) {
		t.Fatalf("error %v, want ErrInvalidUpdate", err)
	}
}

func TestMergeKeepsWhatCannotBePlaced(t *testing.T) {
	// Client 1 typed "abc" as three updates; the middle one is missing.
	first := TextUpdate(1, "", "a")
	third := []byte{1, 1, 1, 2, 4 | infoOrigin, 1, 1, 1, 'c', 0}
	merged, err := MergeUpdates([][]byte{third, first})
	if err != nil {
		t.Fatal(err)
	}
	if text, err := TextFromUpdate(merged, ""); err != nil || text != "a" {
		t.Fatalf("text with a gap = %q, %v; want %q", text, err, "a")
	}
	second := []byte{1, 1, 1, 1, 4 | infoOrigin, 1, 0, 1, 'b', 0}
	full, err := MergeUpdates([][]byte{merged, second})
	if err != nil {
		t.Fatal(err)
	}
	if text, err := TextFromUpdate(full, ""); err != nil || text != "abc" {
		t.Fatalf("text once the gap is filled = %q, %v; want %q", text, err, "abc")
	}
	sv, err := EncodeStateVectorFromUpdate(full)
	if err != nil || !bytes.Equal(sv, []byte{1, 1, 3}) {
		t.Fatalf("state vector = %v, %v; want [1 1 3]", sv, err)
	}
	// The three items are merged into one, as Yjs would.
	want := []byte{1, 1, 1, 0, 4, 1, 0, 3, 'a', 'b', 'c', 0}
	if !bytes.Equal(full, want) {
		t.Fatalf("merged = %v, want %v", full, want)
	}
}

func TestDiffAgainstOwnStateIsEmpty(t *testing.T) {
	sv, err := EncodeStateVectorFromUpdate(goldenTextUpdate)
	if err != nil {
		t.Fatal(err)
	}
	diff, err := DiffUpdate(goldenTextUpdate, sv)
	if err != nil || !bytes.Equal(diff, []byte{0, 0}) {
		t.Fatalf("diff = %v, %v; want [0 0]", diff, err)
	}
	// Against clock 2 the rest starts inside the item, after "hé".
	diff, err = DiffUpdate(goldenTextUpdate, []byte{1, 1, 2})
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{1, 1, 1, 2, 4 | infoOrigin, 1, 1, 4, 0xf0, 0x9f, 0x98, 0x80, 0}
	if !bytes.Equal(diff, want) {
		t.Fatalf("diff = %v, want %v", diff, want)
	}
}

func TestSplitSurrogatePair(t *testing.T) {
	// Against clock 3 the diff starts between the halves of "😀": Yjs
	// writes the low half alone, which UTF-8 encoding turns into U+FFFD.
	diff, err := DiffUpdate(goldenTextUpdate, []byte{1, 1, 3})
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{1, 1, 1, 3, 4 | infoOrigin, 1, 2, 3, 0xef, 0xbf, 0xbd, 0}
	if !bytes.Equal(diff, want) {
		t.Fatalf("diff = %v, want %v", diff, want)
	}
}

func TestCompactReplacesDeletedContent(t *testing.T) {
	// "hé😀" with "é" (clock 1) deleted.
	u := append(bytes.Clone(goldenTextUpdate[:len(goldenTextUpdate)-1]), 1, 1, 1, 1, 1)
	got, err := CompactUpdate(u)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{
		1, 3, 1, 0,
		4, 1, 0, 1, 'h', // "h", parent root ""
		1 | infoOrigin, 1, 0, 1, // deleted, length 1
		4 | infoOrigin, 1, 1, 4, 0xf0, 0x9f, 0x98, 0x80, // "😀"
		1, 1, 1, 1, 1, // delete set
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("compacted = %v\nwant %v", got, want)
	}
	if text, err := TextFromUpdate(got, ""); err != nil || text != "h😀" {
		t.Fatalf("text = %q, %v", text, err)
	}
}

// TestConcurrentUse runs the operations from several goroutines, as the
// collaboration server does; run it with -race.
func TestConcurrentUse(t *testing.T) {
	updates := [][]byte{goldenTextUpdate, TextUpdate(7, "", "other"), TextUpdate(8, "doc", "named")}
	done := make(chan error)
	for g := range 4 {
		go func() {
			var err error
			for i := range 50 {
				u := updates[(g+i)%len(updates)]
				merged, mErr := MergeUpdates([][]byte{u, goldenTextUpdate})
				_, tErr := TextFromUpdate(merged, "")
				_, cErr := CompactUpdate(merged)
				if err = errors.Join(mErr, tErr, cErr); err != nil {
					break
				}
			}
			done <- err
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
