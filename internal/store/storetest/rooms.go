package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/store"
)

// Rooms is the store of room allow-lists and room state (store.Rooms).
type Rooms interface {
	auth.AllowListStore
	State(ctx context.Context, room string) (store.RoomState, error)
	SetLanguage(ctx context.Context, room, language string) error
	SetLastOutput(ctx context.Context, room string, output []byte, at time.Time) error
}

// NewRooms returns an empty Rooms for one test.
type NewRooms func(t *testing.T) Rooms

// RunRooms runs the Rooms conformance suite against the stores newRooms
// makes.
func RunRooms(t *testing.T, newRooms NewRooms) {
	tests := []struct {
		name string
		run  func(t *testing.T, r Rooms)
	}{
		{"AllowListIsSortedByteWiseWithoutNoneGrants", testAllowListSorted},
		{"UserAccessFollowsTheAllowList", testUserAccess},
		{"SetAllowListReplaces", testAllowListReplaces},
		{"EmptyAllowListOpensTheRoom", testEmptyAllowList},
		{"ConcurrentSetAllowListKeepsOneList", testConcurrentAllowList},
		{"StateOfUnknownRoomIsZero", testStateUnknown},
		{"StateKeepsLanguageAndNewestOutput", testState},
		{"LastOutputAtIsKeptToTheMillisecond", testLastOutputPrecision},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, newRooms(t))
		})
	}
}

func setAllowList(t *testing.T, r Rooms, room string, grants ...auth.Grant) {
	t.Helper()
	if err := r.SetAllowList(context.Background(), room, grants); err != nil {
		t.Fatalf("SetAllowList(%s): %v", room, err)
	}
}

func testAllowListSorted(t *testing.T, r Rooms) {
	setAllowList(t, r, "r",
		auth.Grant{User: "b", Access: auth.AccessRead},
		auth.Grant{User: "a", Access: auth.AccessWrite},
		auth.Grant{User: "B", Access: auth.AccessWrite},
		auth.Grant{User: "c", Access: auth.AccessNone})
	got, err := r.AllowList(context.Background(), "r")
	want := []auth.Grant{{User: "B", Access: auth.AccessWrite}, {User: "a", Access: auth.AccessWrite}, {User: "b", Access: auth.AccessRead}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("AllowList = %v, %v; want %v", got, err, want)
	}
}

func testUserAccess(t *testing.T, r Rooms) {
	setAllowList(t, r, "r", auth.Grant{User: "a", Access: auth.AccessWrite}, auth.Grant{User: "b", Access: auth.AccessRead})
	tests := []struct {
		name, room, user string
		restricted       bool
		access           auth.Access
	}{
		{"writer", "r", "a", true, auth.AccessWrite},
		{"reader", "r", "b", true, auth.AccessRead},
		{"not listed", "r", "c", true, auth.AccessNone},
		{"anonymous", "r", "", true, auth.AccessNone},
		{"room without list", "other", "a", false, auth.AccessNone},
	}
	for _, tt := range tests {
		restricted, access, err := r.UserAccess(context.Background(), tt.room, tt.user)
		if err != nil || restricted != tt.restricted || access != tt.access {
			t.Errorf("%s: UserAccess(%q, %q) = %v, %v, %v; want %v, %v",
				tt.name, tt.room, tt.user, restricted, access, err, tt.restricted, tt.access)
		}
	}
}

func testAllowListReplaces(t *testing.T, r Rooms) {
	setAllowList(t, r, "r", auth.Grant{User: "a", Access: auth.AccessWrite}, auth.Grant{User: "b", Access: auth.AccessRead})
	setAllowList(t, r, "r", auth.Grant{User: "b", Access: auth.AccessWrite}, auth.Grant{User: "c", Access: auth.AccessRead})
	got, err := r.AllowList(context.Background(), "r")
	want := []auth.Grant{{User: "b", Access: auth.AccessWrite}, {User: "c", Access: auth.AccessRead}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("AllowList = %v, %v; want %v", got, err, want)
	}
}

func testEmptyAllowList(t *testing.T, r Rooms) {
	ctx := context.Background()
	setAllowList(t, r, "r", auth.Grant{User: "a", Access: auth.AccessWrite})
	setAllowList(t, r, "r")
	if restricted, _, err := r.UserAccess(ctx, "r", "a"); restricted || err != nil {
		t.Errorf("UserAccess after an empty SetAllowList = %v, %v; want an open room", restricted, err)
	}
	if got, err := r.AllowList(ctx, "r"); len(got) != 0 || err != nil {
		t.Errorf("AllowList = %v, %v; want none", got, err)
	}
}

// testConcurrentAllowList checks that concurrent replacements of one list
// never leave a mix of two of them.
func testConcurrentAllowList(t *testing.T, r Rooms) {
	const writers = 8
	lists := make([][]auth.Grant, writers)
	for i := range lists {
		for u := range 3 {
			lists[i] = append(lists[i], auth.Grant{User: fmt.Sprintf("w%d-u%d", i, u), Access: auth.AccessRead})
		}
	}
	var wg sync.WaitGroup
	for _, l := range lists {
		wg.Go(func() {
			if err := r.SetAllowList(context.Background(), "r", l); err != nil {
				t.Errorf("SetAllowList: %v", err)
			}
		})
	}
	wg.Wait()
	got, err := r.AllowList(context.Background(), "r")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(lists, func(l []auth.Grant) bool { return slices.Equal(l, got) }) {
		t.Errorf("AllowList after concurrent replacements = %v; want one writer's list", got)
	}
}

func testStateUnknown(t *testing.T, r Rooms) {
	s, err := r.State(context.Background(), "r")
	if err != nil || s.Language != "" || s.LastOutput != nil || !s.LastOutputAt.IsZero() {
		t.Errorf("State of a new room = %+v, %v; want the zero state", s, err)
	}
}

func testState(t *testing.T, r Rooms) {
	ctx := context.Background()
	at := time.UnixMilli(1_700_000_000_000)
	steps := []struct {
		name string
		do   func() error
	}{
		{"language", func() error { return r.SetLanguage(ctx, "r", "cpp") }},
		{"output", func() error { return r.SetLastOutput(ctx, "r", []byte(`{"n":2}`), at) }},
		{"older output is ignored", func() error { return r.SetLastOutput(ctx, "r", []byte(`{"n":1}`), at.Add(-time.Second)) }},
		{"language again", func() error { return r.SetLanguage(ctx, "r", "go") }},
		{"other room", func() error { return r.SetLastOutput(ctx, "other", []byte(`{"n":9}`), at.Add(time.Hour)) }},
	}
	for _, step := range steps {
		if err := step.do(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
	}
	s, err := r.State(ctx, "r")
	if err != nil || s.Language != "go" || string(s.LastOutput) != `{"n":2}` || !s.LastOutputAt.Equal(at) {
		t.Errorf("State = %+v (%s), %v; want go, {\"n\":2} at %v", s, s.LastOutput, err, at)
	}
	if err := r.SetLastOutput(ctx, "r", []byte(`{"n":3}`), at); err != nil {
		t.Fatal(err)
	}
	if s, err := r.State(ctx, "r"); err != nil || string(s.LastOutput) != `{"n":3}` {
		t.Errorf("an output as recent as the stored one must replace it: got %s, %v", s.LastOutput, err)
	}
}

func testLastOutputPrecision(t *testing.T, r Rooms) {
	ctx := context.Background()
	at := time.Date(2026, 11, 26, 12, 0, 0, 123_456_789, time.UTC)
	if err := r.SetLastOutput(ctx, "r", []byte("x"), at); err != nil {
		t.Fatal(err)
	}
	s, err := r.State(ctx, "r")
	if want := at.Truncate(time.Millisecond); err != nil || !s.LastOutputAt.Equal(want) {
		t.Errorf("LastOutputAt = %v, %v; want %v", s.LastOutputAt, err, want)
	}
}
