package store_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/sqlitedb"
	"github.com/kaicode/kaicode/internal/store"
)

func openRooms(t *testing.T) *store.Rooms {
	t.Helper()
	ctx := context.Background()
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "kaicode.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	rooms, err := store.NewRooms(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	return rooms
}

func TestRoomsAllowList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rooms := openRooms(t)
	grants := []auth.Grant{{User: "b", Access: auth.AccessRead}, {User: "a", Access: auth.AccessWrite}, {User: "c", Access: auth.AccessNone}}
	if err := rooms.SetAllowList(ctx, "r", grants); err != nil {
		t.Fatal(err)
	}
	got, err := rooms.AllowList(ctx, "r")
	want := []auth.Grant{{User: "a", Access: auth.AccessWrite}, {User: "b", Access: auth.AccessRead}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("AllowList = %v, %v; want %v (sorted, no none grants)", got, err, want)
	}
	tests := []struct {
		room, user string
		restricted bool
		access     auth.Access
	}{
		{"r", "a", true, auth.AccessWrite},
		{"r", "b", true, auth.AccessRead},
		{"r", "c", true, auth.AccessNone},
		{"other", "a", false, auth.AccessNone},
	}
	for _, tt := range tests {
		restricted, access, err := rooms.UserAccess(ctx, tt.room, tt.user)
		if err != nil || restricted != tt.restricted || access != tt.access {
			t.Errorf("UserAccess(%s, %s) = %v, %v, %v; want %v, %v", tt.room, tt.user, restricted, access, err, tt.restricted, tt.access)
		}
	}
	if err := rooms.SetAllowList(ctx, "r", nil); err != nil {
		t.Fatal(err)
	}
	if restricted, _, _ := rooms.UserAccess(ctx, "r", "a"); restricted {
		t.Error("an empty allow-list must open the room")
	}
}

func TestRoomsState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rooms := openRooms(t)
	if s, err := rooms.State(ctx, "r"); err != nil || s.Language != "" || s.LastOutput != nil {
		t.Fatalf("State of a new room = %+v, %v", s, err)
	}
	at := time.UnixMilli(1_700_000_000_000)
	steps := []func() error{
		func() error { return rooms.SetLanguage(ctx, "r", "cpp") },
		func() error { return rooms.SetLastOutput(ctx, "r", []byte(`{"n":2}`), at) },
		func() error { return rooms.SetLastOutput(ctx, "r", []byte(`{"n":1}`), at.Add(-time.Second)) }, // older: ignored
		func() error { return rooms.SetLanguage(ctx, "r", "go") },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	s, err := rooms.State(ctx, "r")
	if err != nil || s.Language != "go" || string(s.LastOutput) != `{"n":2}` || !s.LastOutputAt.Equal(at) {
		t.Errorf("State = %+v (%s), %v", s, s.LastOutput, err)
	}
}
