package collab

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/kaicode/kaicode/internal/yjs"
)

// storeTimeout bounds one store operation.
const storeTimeout = 15 * time.Second

// run loads r, then persists its updates until r is unloaded, then flushes,
// compacts the store and leaves the server. It is the only writer of the
// room's store records on this node; with a bus, it runs the room's relay
// on a second goroutine and waits for it.
func (r *room) run() {
	defer close(r.done)
	defer r.srv.forget(r)
	p := persister{room: r}
	ctx, cancel := storeContext()
	r.loadErr = p.load(ctx)
	cancel()
	if r.loadErr != nil {
		r.srv.log.Error("load room", "room", r.name, "err", r.loadErr)
		r.shutdown()
		close(r.loaded)
		return
	}
	close(r.loaded)
	r.srv.metrics.rooms.Inc()
	defer r.srv.metrics.rooms.Dec()
	if r.srv.opts.Bus != nil {
		relayed := make(chan struct{})
		go func() {
			defer close(relayed)
			r.relay()
		}()
		defer func() { <-relayed }()
	}

	window := r.srv.opts.PersistDelay / 2
	for {
		select {
		case <-r.persist:
			p.flush()
			// Let updates gather for a while, so a busy room writes
			// batches: an update waits at most the window plus one write.
			select {
			case <-time.After(window):
			case <-r.stop:
			}
		case <-r.stop:
			p.flush()
			if p.appended > 0 {
				p.compact()
			}
			return
		}
	}
}

// persister is the state of r.run between store calls.
type persister struct {
	room *room
	// appended counts updates stored since the last compaction.
	appended int
	// failing is set after a failed write, so that only the first of a
	// series of failures is logged at error level.
	failing bool
}

func storeContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), storeTimeout)
}

// load reads r's document from the store, or seeds it from the room's text
// when the stored document is empty.
func (p *persister) load(ctx context.Context) error {
	r := p.room
	stored, err := r.srv.opts.Store.Load(ctx, r.name)
	if err != nil {
		return fmt.Errorf("load document: %w", err)
	}
	p.appended = stored.Appended
	merged := emptyUpdate
	switch len(stored.Updates) {
	case 0:
	case 1:
		merged = stored.Updates[0]
	default:
		if merged, err = yjs.MergeUpdates(stored.Updates); err != nil {
			return fmt.Errorf("merge %d stored updates: %w", len(stored.Updates), err)
		}
	}
	if r.doc, err = newDocument(merged); err != nil {
		return fmt.Errorf("stored document: %w", err)
	}
	if len(r.doc.sv) <= 1 && r.srv.opts.Texts != nil {
		return p.seed(ctx)
	}
	return nil
}

// seed starts an empty document from the room's stored plain text, so the
// existing frontend, which fills an empty editor only when it is not synced,
// does not open blank (PROTOCOLS.md, "A trap for a correct Yjs server").
func (p *persister) seed(ctx context.Context) error {
	r := p.room
	text, err := r.srv.opts.Texts.Text(ctx, r.name)
	if err != nil {
		return fmt.Errorf("load room text: %w", err)
	}
	if text == "" {
		return nil
	}
	seed := yjs.TextUpdate(seedClientID(r.name), "", text)
	merged, err := yjs.MergeUpdates([][]byte{r.doc.merged, seed})
	if err != nil {
		return fmt.Errorf("seed from room text: %w", err)
	}
	if r.doc, err = newDocument(merged); err != nil {
		return fmt.Errorf("seed from room text: %w", err)
	}
	r.unpersisted = append(r.unpersisted, seed)
	select {
	case r.persist <- struct{}{}:
	default:
	}
	return nil
}

// seedClientID is the Yjs client id of a room's seed. It depends only on the
// room, so two servers seeding the same room write the same update, which
// Yjs then applies once.
func seedClientID(room string) uint64 {
	h := fnv.New32a()
	h.Write([]byte(room))
	return uint64(h.Sum32())
}

// flush appends the updates accepted since the last flush. On failure they
// are put back and retried at the next flush.
func (p *persister) flush() {
	r := p.room
	r.mu.Lock()
	batch := r.unpersisted
	r.unpersisted = nil
	r.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	ctx, cancel := storeContext()
	defer cancel()
	start := time.Now()
	_, err := r.srv.opts.Store.Append(ctx, r.name, batch)
	r.srv.metrics.persistSeconds.Observe(time.Since(start).Seconds())
	if err != nil {
		r.srv.metrics.persistErrors.Inc()
		if !p.failing {
			r.srv.log.Error("persist room updates, will retry", "room", r.name, "updates", len(batch), "err", err)
		}
		p.failing = true
		r.mu.Lock()
		r.unpersisted = append(batch, r.unpersisted...)
		r.mu.Unlock()
		select {
		case r.persist <- struct{}{}:
		default:
		}
		return
	}
	if p.failing {
		r.srv.log.Info("persisting room updates again", "room", r.name)
		p.failing = false
	}
	p.appended += len(batch)
	if p.appended >= r.srv.opts.CompactEvery {
		p.compact()
	} else if r.pendingCount() >= r.srv.opts.MergeEvery {
		if _, _, err := r.current(); err != nil {
			r.srv.log.Error("merge room updates", "room", r.name, "err", err)
		}
	}
}

// pendingCount is the number of updates accepted since the last merge.
func (r *room) pendingCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.doc.pending)
}

// compact replaces the stored updates by one garbage-collected snapshot of
// the document merged with everything stored, so that updates other nodes
// stored, which this node may not have received, are kept too.
func (p *persister) compact() {
	r := p.room
	merged, _, err := r.current()
	if err != nil {
		r.srv.log.Error("compact room: merge", "room", r.name, "err", err)
		return
	}
	ctx, cancel := storeContext()
	defer cancel()
	stored, err := r.srv.opts.Store.Load(ctx, r.name)
	if err != nil {
		r.srv.log.Error("compact room: load", "room", r.name, "err", err)
		return
	}
	if merged, err = yjs.MergeUpdates(append(stored.Updates, merged)); err != nil {
		r.srv.log.Error("compact room: merge stored updates", "room", r.name, "err", err)
		return
	}
	snapshot, err := yjs.CompactUpdate(merged)
	if err != nil {
		r.srv.log.Error("compact room: collect garbage", "room", r.name, "err", err)
		return
	}
	start := time.Now()
	if err := r.srv.opts.Store.Compact(ctx, r.name, snapshot, stored.Seq); err != nil {
		r.srv.log.Error("compact room", "room", r.name, "err", err)
		return
	}
	r.srv.metrics.compactSeconds.Observe(time.Since(start).Seconds())
	p.appended = 0
}
