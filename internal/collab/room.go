package collab

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kaicode/kaicode/internal/yjs"
)

// errDocumentFull means an update would grow the document past MaxDocument.
var errDocumentFull = errors.New("document size limit reached")

// room is one loaded document and its connections.
type room struct {
	name string
	srv  *Server

	loaded  chan struct{} // closed when loading ended; loadErr tells how
	loadErr error
	stop    chan struct{} // closed to unload: the room flushes and ends
	done    chan struct{} // closed when the room has flushed and left the server

	// persist holds a token when updates wait to be stored.
	persist chan struct{}

	mu          sync.Mutex
	conns       map[*conn]struct{}
	closing     bool
	unloadTimer *time.Timer
	doc         document
	awareness   map[uint64]awarenessState
	unpersisted [][]byte // accepted, not yet appended to the store
}

// awarenessState is the last awareness entry of one client id.
type awarenessState struct {
	clock uint64
	state string
	owner *conn // nil when the client is on another node
}

func newRoom(srv *Server, name string) *room {
	return &room{
		name:      name,
		srv:       srv,
		loaded:    make(chan struct{}),
		stop:      make(chan struct{}),
		done:      make(chan struct{}),
		persist:   make(chan struct{}, 1),
		conns:     make(map[*conn]struct{}),
		awareness: make(map[uint64]awarenessState),
	}
}

// add makes c a member of r, or reports false when r is unloading.
func (r *room) add(c *conn) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closing {
		return false
	}
	if r.unloadTimer != nil {
		r.unloadTimer.Stop()
		r.unloadTimer = nil
	}
	r.conns[c] = struct{}{}
	return true
}

// remove takes c out of r, tells the others (on every node) that c's
// awareness states are gone, and schedules the unload when r is left
// empty.
func (r *room) remove(c *conn) {
	if gone := r.leave(c); gone != nil {
		r.publish(eventAwareness, gone)
	}
}

// leave takes c out of r and the awareness states it owned, sends their
// removal to r's members and returns it; nil when c owned none.
func (r *room) leave(c *conn) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.conns[c]; !ok {
		return nil
	}
	delete(r.conns, c)
	var gone []yjs.AwarenessEntry
	for id := range c.clientIDs {
		if s, ok := r.awareness[id]; ok && s.owner == c {
			gone = append(gone, yjs.AwarenessEntry{ClientID: id, Clock: s.clock + 1, State: "null"})
			delete(r.awareness, id)
		}
	}
	if len(r.conns) == 0 && !r.closing {
		r.unloadTimer = time.AfterFunc(r.srv.opts.UnloadGrace, r.unloadIfEmpty)
	}
	if len(gone) == 0 {
		return nil
	}
	msg := yjs.EncodeAwareness(yjs.EncodeAwarenessUpdate(gone))
	r.broadcast(msg, nil)
	return msg
}

// unloadIfEmpty starts the unload when r is still empty.
func (r *room) unloadIfEmpty() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.conns) == 0 && !r.closing {
		r.closing = true
		close(r.stop)
	}
}

// shutdown starts the unload whatever the connections; the server closes
// them.
func (r *room) shutdown() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closing {
		r.closing = true
		close(r.stop)
	}
}

// connections returns the members of r.
func (r *room) connections() []*conn {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*conn, 0, len(r.conns))
	for c := range r.conns {
		out = append(out, c)
	}
	return out
}

// broadcast queues msg for every member but except. The caller holds r.mu.
func (r *room) broadcast(msg []byte, except *conn) {
	for c := range r.conns {
		if c != except {
			c.send(msg)
		}
	}
}

// apply accepts update from c: it joins the document, is sent to the other
// members and to the other nodes, and is queued for the store. update must
// have been validated.
func (r *room) apply(c *conn, update []byte) error {
	msg := yjs.EncodeSyncUpdate(update)
	r.mu.Lock()
	if int64(r.doc.size+len(update)) > r.srv.opts.MaxDocument {
		r.mu.Unlock()
		return errDocumentFull
	}
	r.doc.pending = append(r.doc.pending, update)
	r.doc.size += len(update)
	r.unpersisted = append(r.unpersisted, update)
	r.broadcast(msg, c)
	r.mu.Unlock()
	select {
	case r.persist <- struct{}{}:
	default:
	}
	r.publish(eventUpdate, update)
	return nil
}

// applyRelayed accepts an update another node accepted: it joins the
// document and is sent to every member, but that node stores it.
func (r *room) applyRelayed(update []byte) {
	msg := yjs.EncodeSyncUpdate(update)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.doc.pending = append(r.doc.pending, update)
	r.doc.size += len(update)
	r.broadcast(msg, nil)
}

// applyAwareness applies the entries of an awareness message from c (nil:
// from another node) the way y-protocols does (a newer clock wins; an equal
// clock only removes) and sends what changed to every member, c included:
// a lone client's own echo is what keeps its socket alive. What a client of
// this node changed goes to the other nodes too. Stale entries are dropped,
// which stops the echo loop of clients that re-send the states they
// receive. A client id belongs to the last connection that changed it, and
// is removed when that connection closes.
func (r *room) applyAwareness(c *conn, entries []yjs.AwarenessEntry, msg []byte) {
	if changed := r.mergeAwareness(c, entries, msg); changed != nil && c != nil {
		r.publish(eventAwareness, changed)
	}
}

// mergeAwareness does the in-memory work of applyAwareness and returns the
// message it sent to r's members, if any.
func (r *room) mergeAwareness(c *conn, entries []yjs.AwarenessEntry, msg []byte) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	accepted := entries[:0:0]
	for _, e := range entries {
		cur, known := r.awareness[e.ClientID]
		removal := e.State == "null"
		if known && !(e.Clock > cur.clock || e.Clock == cur.clock && removal) {
			continue
		}
		if !known && removal {
			continue
		}
		accepted = append(accepted, e)
		if known && cur.owner != c && cur.owner != nil {
			delete(cur.owner.clientIDs, e.ClientID)
		}
		if removal {
			delete(r.awareness, e.ClientID)
			continue
		}
		r.awareness[e.ClientID] = awarenessState{clock: e.Clock, state: e.State, owner: c}
		if c == nil {
			continue
		}
		if c.clientIDs == nil {
			c.clientIDs = make(map[uint64]struct{}, 1)
		}
		c.clientIDs[e.ClientID] = struct{}{}
	}
	switch {
	case len(accepted) == 0:
		return nil
	case len(accepted) == len(entries):
	default:
		msg = yjs.EncodeAwareness(yjs.EncodeAwarenessUpdate(accepted))
	}
	r.broadcast(msg, nil)
	return msg
}

// awarenessMessage encodes every known awareness state, or returns nil when
// there is none.
func (r *room) awarenessMessage() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.awareness) == 0 {
		return nil
	}
	entries := make([]yjs.AwarenessEntry, 0, len(r.awareness))
	for id, s := range r.awareness {
		entries = append(entries, yjs.AwarenessEntry{ClientID: id, Clock: s.clock, State: s.state})
	}
	return yjs.EncodeAwareness(yjs.EncodeAwarenessUpdate(entries))
}

// String names the room in logs.
func (r *room) String() string { return fmt.Sprintf("room %q", r.name) }
