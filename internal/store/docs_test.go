package store_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/kaicode/kaicode/internal/sqlitedb"
	"github.com/kaicode/kaicode/internal/store"
)

func openDocs(t *testing.T) (*store.Docs, *store.RoomTexts) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "kaicode.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	docs, err := store.NewDocs(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	texts, err := store.NewRoomTexts(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	return docs, texts
}

func bytesList(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func TestDocsAppendLoadCompact(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	docs, _ := openDocs(t)

	empty, err := docs.Load(ctx, "r")
	if err != nil || len(empty.Updates) != 0 || empty.Seq != 0 {
		t.Fatalf("Load of a new room = %+v, %v; want empty", empty, err)
	}
	if _, err := docs.Append(ctx, "r", bytesList("a", "b")); err != nil {
		t.Fatal(err)
	}
	if _, err := docs.Append(ctx, "other", bytesList("x")); err != nil {
		t.Fatal(err)
	}
	seq, err := docs.Append(ctx, "r", bytesList("c"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := docs.Load(ctx, "r")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(got.Updates, bytesList("a", "b", "c"), slices.Equal) || got.Seq != seq || got.Appended != 3 {
		t.Fatalf("Load = %q seq %d appended %d; want a b c, seq %d, 3", got.Updates, got.Seq, got.Appended, seq)
	}

	if err := docs.Compact(ctx, "r", []byte("abc"), seq); err != nil {
		t.Fatal(err)
	}
	seq2, err := docs.Append(ctx, "r", bytesList("d"))
	if err != nil {
		t.Fatal(err)
	}
	got, err = docs.Load(ctx, "r")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(got.Updates, bytesList("abc", "d"), slices.Equal) || got.Seq != seq2 || got.Appended != 1 {
		t.Fatalf("after Compact, Load = %q seq %d appended %d; want abc d, seq %d, 1", got.Updates, got.Seq, got.Appended, seq2)
	}

	// An older snapshot never replaces a newer one.
	if err := docs.Compact(ctx, "r", []byte("stale"), seq-1); err != nil {
		t.Fatal(err)
	}
	got, err = docs.Load(ctx, "r")
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Updates[0]) != "abc" {
		t.Fatalf("a stale Compact replaced the snapshot: %q", got.Updates)
	}
	other, err := docs.Load(ctx, "other")
	if err != nil || !slices.EqualFunc(other.Updates, bytesList("x"), slices.Equal) {
		t.Fatalf("other room = %q, %v; want x", other.Updates, err)
	}
}

func TestRoomTexts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, texts := openDocs(t)
	for _, step := range []struct {
		set, want string
	}{{"", ""}, {"hello", "hello"}, {"hello\nworld", "hello\nworld"}} {
		if step.set != "" {
			if err := texts.SetText(ctx, "r", step.set); err != nil {
				t.Fatal(err)
			}
		}
		got, err := texts.Text(ctx, "r")
		if err != nil || got != step.want {
			t.Fatalf("Text after SetText(%q) = %q, %v; want %q", step.set, got, err, step.want)
		}
	}
}
