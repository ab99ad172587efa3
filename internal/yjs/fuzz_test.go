package yjs

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"testing"
)

// fuzzSeeds returns a few small generated updates as fuzzing seeds.
func fuzzSeeds(f *testing.F) [][]byte {
	f.Helper()
	seeds := [][]byte{goldenTextUpdate, {0, 0}}
	file, err := os.Open(fixturePath)
	if err != nil {
		f.Fatal(err)
	}
	defer file.Close()
	zr, err := gzip.NewReader(file)
	if err != nil {
		f.Fatal(err)
	}
	var cases []genCase
	if err := json.NewDecoder(zr).Decode(&cases); err != nil {
		f.Fatal(err)
	}
	for _, c := range cases[:20] {
		if len(c.YMerged) < 400 {
			seeds = append(seeds, c.YMerged)
		}
		seeds = append(seeds, c.Updates[0])
	}
	return seeds
}

// FuzzUpdate feeds arbitrary bytes to every function that decodes an
// update. None may panic; whatever they accept, their outputs must be valid
// updates again, and merging must be idempotent.
func FuzzUpdate(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, u []byte) {
		sv, err := EncodeStateVectorFromUpdate(u)
		if err != nil {
			for name, fn := range map[string]func() error{
				"MergeUpdates":   func() error { _, err := MergeUpdates([][]byte{u}); return err },
				"DiffUpdate":     func() error { _, err := DiffUpdate(u, []byte{0}); return err },
				"CompactUpdate":  func() error { _, err := CompactUpdate(u); return err },
				"TextFromUpdate": func() error { _, err := TextFromUpdate(u, ""); return err },
			} {
				if fn() == nil {
					t.Fatalf("%s accepted an update EncodeStateVectorFromUpdate rejects: %v", name, err)
				}
			}
			return
		}
		if _, err := DecodeStateVector(sv); err != nil {
			t.Fatalf("state vector does not decode: %v", err)
		}
		merged, err := MergeUpdates([][]byte{u, u})
		if err != nil {
			t.Fatalf("MergeUpdates: %v", err)
		}
		again, err := MergeUpdates([][]byte{merged, u})
		if err != nil {
			t.Fatalf("MergeUpdates of its own output: %v", err)
		}
		if !bytes.Equal(again, merged) {
			t.Fatalf("merge is not idempotent:\n%v\n%v", merged, again)
		}
		diff, err := DiffUpdate(u, sv)
		if err != nil {
			t.Fatalf("DiffUpdate: %v", err)
		}
		compact, err := CompactUpdate(merged)
		if err != nil {
			t.Fatalf("CompactUpdate: %v", err)
		}
		for name, out := range map[string][]byte{"diff": diff, "compact": compact} {
			if _, err := EncodeStateVectorFromUpdate(out); err != nil {
				t.Fatalf("%s output does not decode: %v", name, err)
			}
		}
		_, _ = TextFromUpdate(u, "")
	})
}

// FuzzStateVector checks DecodeStateVector and DiffUpdate's handling of
// arbitrary state vectors.
func FuzzStateVector(f *testing.F) {
	f.Add([]byte{1, 1, 4})
	f.Add([]byte{2, 1, 2, 200, 1, 0})
	f.Fuzz(func(t *testing.T, sv []byte) {
		m, err := DecodeStateVector(sv)
		if _, diffErr := DiffUpdate(goldenTextUpdate, sv); (err == nil) != (diffErr == nil) {
			t.Fatalf("DecodeStateVector error %v, DiffUpdate error %v", err, diffErr)
		}
		if err != nil {
			return
		}
		if back, err := DecodeStateVector(EncodeStateVector(m)); err != nil || len(back) != len(m) {
			t.Fatalf("state vector does not round-trip: %v", err)
		}
	})
}

// FuzzMessage checks DecodeMessage and DecodeAwarenessUpdate: no panics,
// and whatever decodes re-encodes to the same bytes.
func FuzzMessage(f *testing.F) {
	for _, s := range [][]byte{goldenStep1, {0, 2, 2, 0, 0}, {1, 1, 0}, {2, 0, 2, 'n', 'o'}, {3}, EncodeAwareness(goldenAwareness)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeMessage(b)
		if err != nil {
			return
		}
		var re []byte
		switch {
		case m.Type == MessageSync && m.SyncType == SyncStep1:
			re = EncodeSyncStep1(m.Payload)
		case m.Type == MessageSync && m.SyncType == SyncStep2:
			re = EncodeSyncStep2(m.Payload)
		case m.Type == MessageSync:
			re = EncodeSyncUpdate(m.Payload)
		case m.Type == MessageAuth:
			re = EncodePermissionDenied(string(m.Payload))
		case m.Type == MessageQueryAwareness:
			re = EncodeQueryAwareness()
		case m.Type == MessageAwareness:
			re = EncodeAwareness(m.Payload)
			if entries, err := DecodeAwarenessUpdate(m.Payload); err == nil {
				if got, err := DecodeAwarenessUpdate(EncodeAwarenessUpdate(entries)); err != nil || len(got) != len(entries) {
					t.Fatalf("awareness update does not round-trip: %v", err)
				}
			}
		}
		// Decoding accepts varUints longer than needed, so compare decoded
		// messages rather than bytes.
		if again, err := DecodeMessage(re); err != nil || !sameMessage(again, m) {
			t.Fatalf("message %+v re-encoded as %v decodes to %+v, %v", m, re, again, err)
		}
	})
}

func sameMessage(a, b Message) bool {
	return a.Type == b.Type && a.SyncType == b.SyncType && bytes.Equal(a.Payload, b.Payload)
}
