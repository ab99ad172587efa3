package yjs

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/kaicode/kaicode/internal/yjs/lib0"
)

// MergeUpdates merges updates into one update holding everything any of
// them holds, like Y.mergeUpdates. The result is the same whatever the order
// and multiplicity of the updates. What cannot be placed yet because an
// update in between is missing is kept, with Skip structs marking the gaps,
// so a later merge or a Yjs document can place it once the gap is filled.
// An invalid update makes it return an error naming its index.
func MergeUpdates(updates [][]byte) ([]byte, error) {
	decoded := make([]update, len(updates))
	size := 0
	for i, b := range updates {
		u, err := decodeUpdate(b)
		if err != nil {
			return nil, fmt.Errorf("update %d: %w", i, err)
		}
		decoded[i] = u
		size += len(b)
	}
	return mergeDecoded(decoded, size), nil
}

// run is one client block of one of the updates being merged.
type run struct {
	client, clock, end uint64
	order              int // index of the update, to break ties
	structs            []structRec
}

func mergeDecoded(updates []update, size int) []byte {
	var runs []run
	var ds []deleteRange
	for i, u := range updates {
		for _, b := range u.blocks {
			if len(b.structs) > 0 {
				first, last := &b.structs[0], &b.structs[len(b.structs)-1]
				runs = append(runs, run{client: b.client, clock: first.clock, end: last.end(), order: i, structs: b.structs})
			}
		}
		ds = append(ds, u.deletes...)
	}
	slices.SortFunc(runs, func(a, b run) int {
		if a.client != b.client {
			return cmp.Compare(b.client, a.client)
		}
		if a.clock != b.clock {
			return cmp.Compare(a.clock, b.clock)
		}
		return cmp.Compare(a.order, b.order)
	})

	out := make([]byte, 0, size+16)
	out = lib0.AppendVarUint(out, uint64(countClients(runs)))
	var buf mergeBuffers
	for i := 0; i < len(runs); {
		j := i + 1
		for j < len(runs) && runs[j].client == runs[i].client {
			j++
		}
		if structs := buf.mergeClient(runs[i:j]); len(structs) > 0 {
			out = appendBlock(out, structs)
		}
		i = j
	}
	return appendDeleteSet(out, normalizeDeleteSet(ds))
}

// countClients counts the clients of runs, sorted by client, that have a
// struct other than a Skip and so get a block in the merged update.
func countClients(runs []run) int {
	n := 0
	var last uint64
	for i := range runs {
		if n > 0 && runs[i].client == last {
			continue
		}
		for k := range runs[i].structs {
			if runs[i].structs[k].kind != kindSkip {
				n++
				last = runs[i].client
				break
			}
		}
	}
	return n
}

// mergeBuffers holds memory reused from one client to the next.
type mergeBuffers struct {
	out, sorted []structRec
}

// mergeClient returns the merged structs of one client's runs, sorted by
// clock. Clocks that several runs hold are taken from the run that starts
// first; gaps become Skip structs. The result may alias a run or buf.
func (buf *mergeBuffers) mergeClient(runs []run) []structRec {
	if len(runs) == 1 {
		structs := runs[0].structs
		if structs[0].kind != kindSkip && structs[len(structs)-1].kind != kindSkip {
			// One run needs no merging: Skips inside it stay as they are.
			return structs
		}
	}
	disjoint := true
	for k := 1; k < len(runs); k++ {
		if runs[k].clock < runs[k-1].end {
			disjoint = false
			break
		}
	}
	m := clientMerger{out: buf.out[:0]}
	if disjoint {
		for k := range runs {
			for i := range runs[k].structs {
				m.add(&runs[k].structs[i])
			}
		}
		buf.out = m.out
		return m.out
	}
	sorted := buf.sorted[:0]
	for k := range runs {
		for _, s := range runs[k].structs {
			if s.kind != kindSkip {
				sorted = append(sorted, s)
			}
		}
	}
	// Runs are in tie-breaking order already, so a stable sort by clock
	// keeps the first run's struct first among equal clocks.
	slices.SortStableFunc(sorted, func(a, b structRec) int { return cmp.Compare(a.clock, b.clock) })
	for i := range sorted {
		m.add(&sorted[i])
	}
	buf.out, buf.sorted = m.out, sorted
	return m.out
}

// clientMerger accumulates the structs of one client in clock order.
type clientMerger struct {
	out     []structRec
	next    uint64 // the clock after the last struct in out
	started bool
}

func (m *clientMerger) add(s *structRec) {
	if s.kind == kindSkip {
		return
	}
	if !m.started {
		m.out = append(m.out, *s)
		m.next, m.started = s.end(), true
		return
	}
	switch {
	case s.end() <= m.next:
		return
	case s.clock < m.next:
		m.out = append(m.out, sliceStruct(*s, m.next-s.clock))
	case s.clock > m.next:
		m.out = append(m.out, structRec{client: s.client, clock: m.next, length: s.clock - m.next, kind: kindSkip}, *s)
	default:
		m.out = append(m.out, *s)
	}
	m.next = s.end()
}
