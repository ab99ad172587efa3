package storetest

import (
	"context"
	"strings"
	"testing"
)

// RoomTexts is the store of rooms' plain text (store.RoomTexts).
type RoomTexts interface {
	Text(ctx context.Context, room string) (string, error)
	SetText(ctx context.Context, room, text string) error
}

// NewRoomTexts returns an empty RoomTexts for one test.
type NewRoomTexts func(t *testing.T) RoomTexts

// RunRoomTexts runs the RoomTexts conformance suite against the stores
// newTexts makes.
func RunRoomTexts(t *testing.T, newTexts NewRoomTexts) {
	tests := []struct {
		name string
		run  func(t *testing.T, s RoomTexts)
	}{
		{"UnknownRoomIsEmpty", testTextUnknown},
		{"SetTextReplaces", testTextReplaces},
		{"TextKeepsEveryByte", testTextBytes},
		{"RoomsAreIndependent", testTextRooms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, newTexts(t))
		})
	}
}

func testTextUnknown(t *testing.T, s RoomTexts) {
	if got, err := s.Text(context.Background(), "r"); got != "" || err != nil {
		t.Errorf("Text of a new room = %q, %v; want \"\"", got, err)
	}
}

func testTextReplaces(t *testing.T, s RoomTexts) {
	ctx := context.Background()
	for _, text := range []string{"hello", "hello\nworld", ""} {
		if err := s.SetText(ctx, "r", text); err != nil {
			t.Fatalf("SetText(%q): %v", text, err)
		}
		if got, err := s.Text(ctx, "r"); got != text || err != nil {
			t.Fatalf("Text after SetText(%q) = %q, %v", text, got, err)
		}
	}
}

// testTextBytes stores what a client may send: the text is whatever the
// browser had, not necessarily valid UTF-8.
func testTextBytes(t *testing.T, s RoomTexts) {
	ctx := context.Background()
	tests := []struct{ name, text string }{
		{"unicode", "print('héllo 世界 🎉')"},
		{"NUL", "a\x00b"},
		{"invalid UTF-8", "\xff\xfe\xc3("},
		{"large", strings.Repeat("x = 1\n", 100_000)},
	}
	for _, tt := range tests {
		if err := s.SetText(ctx, tt.name, tt.text); err != nil {
			t.Errorf("%s: SetText: %v", tt.name, err)
			continue
		}
		if got, err := s.Text(ctx, tt.name); got != tt.text || err != nil {
			t.Errorf("%s: Text = %.40q (%d bytes), %v; want %.40q (%d bytes)", tt.name, got, len(got), err, tt.text, len(tt.text))
		}
	}
}

func testTextRooms(t *testing.T, s RoomTexts) {
	ctx := context.Background()
	for _, room := range []string{"a", "b"} {
		if err := s.SetText(ctx, room, "text of "+room); err != nil {
			t.Fatal(err)
		}
	}
	for _, room := range []string{"a", "b"} {
		if got, err := s.Text(ctx, room); got != "text of "+room || err != nil {
			t.Errorf("Text(%s) = %q, %v", room, got, err)
		}
	}
}
