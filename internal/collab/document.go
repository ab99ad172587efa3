package collab

import (
	"bytes"
	"fmt"
	"slices"
	"sync"

	"github.com/kaicode/kaicode/internal/yjs"
)

// emptyUpdate is the Yjs update with no structs and no deletions.
var emptyUpdate = []byte{0, 0}

// isEmptyUpdate reports whether u changes nothing.
func isEmptyUpdate(u []byte) bool { return bytes.Equal(u, emptyUpdate) }

// missing returns what a peer whose state vector is sv lacks of doc, a
// merged document: all of it, as it is, for a peer that knows no client
// (a new client), else the diff.
func missing(doc, sv []byte) ([]byte, error) {
	if len(sv) == 1 && sv[0] == 0 {
		return doc, nil
	}
	return yjs.DiffUpdate(doc, sv)
}

// document is a room's Yjs document: one merged update plus the updates
// accepted since it was merged. Accepting an update is an append; merging
// costs time linear in the document, so it happens only when the whole state
// is needed or enough updates have piled up.
//
// The fields are guarded by the room's mutex; mergeMu serialises merges,
// which run without the room's mutex.
type document struct {
	mergeMu sync.Mutex

	merged  []byte   // everything up to the last merge
	sv      []byte   // state vector of merged
	pending [][]byte // accepted since the last merge, in order
	size    int      // len(merged) plus the lengths of pending
}

func newDocument(merged []byte) (document, error) {
	sv, err := yjs.EncodeStateVectorFromUpdate(merged)
	if err != nil {
		return document{}, fmt.Errorf("state vector: %w", err)
	}
	return document{merged: merged, sv: sv, size: len(merged)}, nil
}

// current merges the pending updates of r's document and returns the whole
// document and its state vector. Neither is modified later.
func (r *room) current() (update, sv []byte, err error) {
	d := &r.doc
	d.mergeMu.Lock()
	defer d.mergeMu.Unlock()

	r.mu.Lock()
	base, sv, n := d.merged, d.sv, len(d.pending)
	parts := make([][]byte, 0, n+1)
	parts = append(append(parts, base), d.pending...)
	r.mu.Unlock()
	if n == 0 {
		return base, sv, nil
	}

	merged, err := yjs.MergeUpdates(parts)
	if err != nil {
		return nil, nil, fmt.Errorf("merge %d updates of room %q: %w", n, r.name, err)
	}
	if sv, err = yjs.EncodeStateVectorFromUpdate(merged); err != nil {
		return nil, nil, fmt.Errorf("state vector of room %q: %w", r.name, err)
	}
	r.srv.metrics.merges.Inc()

	r.mu.Lock()
	defer r.mu.Unlock()
	d.merged, d.sv = merged, sv
	d.pending = slices.Clone(d.pending[n:])
	d.size = len(merged)
	for _, u := range d.pending {
		d.size += len(u)
	}
	return merged, sv, nil
}
