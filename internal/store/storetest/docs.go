package storetest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/kaicode/kaicode/internal/store"
)

// Docs is the store of rooms' Yjs documents (store.Docs).
type Docs interface {
	Load(ctx context.Context, room string) (store.StoredDoc, error)
	Append(ctx context.Context, room string, updates [][]byte) (int64, error)
	Compact(ctx context.Context, room string, snapshot []byte, through int64) error
}

// NewDocs returns an empty Docs for one test.
type NewDocs func(t *testing.T) Docs

// RunDocs runs the Docs conformance suite against the stores newDocs makes.
func RunDocs(t *testing.T, newDocs NewDocs) {
	tests := []struct {
		name string
		run  func(t *testing.T, d Docs)
	}{
		{"UnknownRoomIsEmpty", testDocUnknown},
		{"AppendOfNothingFails", testDocAppendNothing},
		{"LoadReturnsUpdatesInOrder", testDocAppendLoad},
		{"CompactKeepsLaterUpdates", testDocCompact},
		{"CompactOfEverythingLeavesTheSnapshot", testDocCompactAll},
		{"StaleCompactIsIgnored", testDocStaleCompact},
		{"UpdatesKeepEveryByte", testDocBytes},
		{"ConcurrentRoomsStayApart", testDocConcurrentRooms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, newDocs(t))
		})
	}
}

func updates(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func appendDoc(t *testing.T, d Docs, room string, us ...string) int64 {
	t.Helper()
	seq, err := d.Append(context.Background(), room, updates(us...))
	if err != nil {
		t.Fatalf("Append(%s): %v", room, err)
	}
	return seq
}

func compact(t *testing.T, d Docs, room, snapshot string, through int64) {
	t.Helper()
	if err := d.Compact(context.Background(), room, []byte(snapshot), through); err != nil {
		t.Fatalf("Compact(%s, %d): %v", room, through, err)
	}
}

// checkLoad fails t unless room loads as want, with seq and appended.
func checkLoad(t *testing.T, d Docs, room string, want [][]byte, seq int64, appended int) {
	t.Helper()
	got, err := d.Load(context.Background(), room)
	if err != nil {
		t.Fatalf("Load(%s): %v", room, err)
	}
	if !slices.EqualFunc(got.Updates, want, bytes.Equal) || got.Seq != seq || got.Appended != appended {
		t.Errorf("Load(%s) = %.20q seq %d appended %d; want %.20q seq %d appended %d",
			room, got.Updates, got.Seq, got.Appended, want, seq, appended)
	}
}

func testDocUnknown(t *testing.T, d Docs) {
	checkLoad(t, d, "r", nil, 0, 0)
}

func testDocAppendNothing(t *testing.T, d Docs) {
	if _, err := d.Append(context.Background(), "r", nil); err == nil {
		t.Error("Append of no updates succeeded")
	}
}

func testDocAppendLoad(t *testing.T, d Docs) {
	first := appendDoc(t, d, "r", "a", "b")
	appendDoc(t, d, "other", "x")
	last := appendDoc(t, d, "r", "c")
	if first <= 0 || last <= first {
		t.Errorf("Append returned seq %d then %d; want positive and increasing", first, last)
	}
	checkLoad(t, d, "r", updates("a", "b", "c"), last, 3)
}

func testDocCompact(t *testing.T, d Docs) {
	seq := appendDoc(t, d, "r", "a", "b", "c")
	compact(t, d, "r", "abc", seq-1) // covers a and b only
	checkLoad(t, d, "r", updates("abc", "c"), seq, 1)
	later := appendDoc(t, d, "r", "d")
	compact(t, d, "r", "abcd", later)
	checkLoad(t, d, "r", updates("abcd"), later, 0)
}

func testDocCompactAll(t *testing.T, d Docs) {
	seq := appendDoc(t, d, "r", "a")
	compact(t, d, "r", "A", seq)
	checkLoad(t, d, "r", updates("A"), seq, 0)
	next := appendDoc(t, d, "r", "b")
	checkLoad(t, d, "r", updates("A", "b"), next, 1)
}

func testDocStaleCompact(t *testing.T, d Docs) {
	first := appendDoc(t, d, "r", "a")
	second := appendDoc(t, d, "r", "b")
	compact(t, d, "r", "ab", second)
	compact(t, d, "r", "stale", first)
	checkLoad(t, d, "r", updates("ab"), second, 0)
}

func testDocBytes(t *testing.T, d Docs) {
	big := bytes.Repeat([]byte{0, 1, 0xff, 'x'}, 256<<10)
	seq, err := d.Append(context.Background(), "r", [][]byte{{0}, {0xff, 0xfe}, big})
	if err != nil {
		t.Fatal(err)
	}
	checkLoad(t, d, "r", [][]byte{{0}, {0xff, 0xfe}, big}, seq, 3)
}

// testDocConcurrentRooms appends to several rooms at once, one writer per
// room as the collaboration server does.
func testDocConcurrentRooms(t *testing.T, d Docs) {
	const rooms, appends = 4, 20
	var wg sync.WaitGroup
	last := make([]int64, rooms)
	for r := range rooms {
		wg.Go(func() {
			for i := range appends {
				seq, err := d.Append(context.Background(), fmt.Sprint("r", r), updates(fmt.Sprint(i)))
				if err != nil {
					t.Errorf("Append: %v", err)
					return
				}
				last[r] = seq
			}
		})
	}
	wg.Wait()
	for r := range rooms {
		var want []string
		for i := range appends {
			want = append(want, fmt.Sprint(i))
		}
		checkLoad(t, d, fmt.Sprint("r", r), updates(want...), last[r], appends)
	}
}
