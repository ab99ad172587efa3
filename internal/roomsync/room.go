package roomsync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/kaicode/kaicode/internal/bus"
	"github.com/kaicode/kaicode/internal/jobs"
)

// recentJobs is how many finished job ids a room remembers, so a result
// that arrives before its submitter recorded the job is not counted as
// pending forever.
const recentJobs = 16

// room is one room with connections on this node. Its goroutine (run)
// loads its state, subscribes to its bus topic and fans events out; the
// room unloads when its last connection leaves.
type room struct {
	srv  *Server
	name string

	ready   chan struct{} // closed once loaded; loadErr is then set
	loadErr error
	stopped chan struct{} // closed when the room unloads
	sub     bus.Subscription

	mu       sync.Mutex
	conns    map[*conn]struct{}
	closed   bool
	language string
	// last is the last output, encoded for replay, and when it came.
	last   []byte
	lastAt time.Time
	// pending are the unfinished runs submitted here, by job id, with
	// their status; reserved counts submissions in flight.
	pending  map[string]string
	reserved int
	finished [recentJobs]string
	nextDone int
}

func newRoom(srv *Server, name string) *room {
	return &room{
		srv:     srv,
		name:    name,
		ready:   make(chan struct{}),
		stopped: make(chan struct{}),
		conns:   make(map[*conn]struct{}),
		pending: make(map[string]string),
	}
}

// run loads the room and delivers its bus events until it unloads.
func (r *room) run() {
	if err := r.load(); err != nil {
		r.loadErr = err
		r.srv.forget(r)
		close(r.ready)
		close(r.stopped)
		return
	}
	close(r.ready)
	for {
		select {
		case ev, open := <-r.sub.Events():
			if open {
				r.deliver(ev)
				continue
			}
			if !r.resubscribe() {
				return
			}
		case <-r.stopped:
			r.sub.Close()
			return
		}
	}
}

// load reads the room's state and subscribes to its topic. Subscribing
// first means no event is lost between the two.
func (r *room) load() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sub, err := r.srv.opts.Bus.Subscribe(ctx, r.name)
	if err != nil {
		return fmt.Errorf("subscribe to room %q: %w", r.name, err)
	}
	st, err := r.srv.opts.State.State(ctx, r.name)
	if err != nil {
		sub.Close()
		return fmt.Errorf("load room %q: %w", r.name, err)
	}
	r.sub = sub
	r.language = st.Language
	if st.LastOutput != nil {
		var m outputMessage
		if err := json.Unmarshal(st.LastOutput, &m); err != nil {
			r.srv.log.Warn("sync: stored last output unreadable", "room", r.name, "error", err)
		} else {
			r.setLastLocked(m, st.LastOutputAt)
		}
	}
	return nil
}

// resubscribe replaces a subscription the bus dropped as too slow, then
// asks the job store for the runs that may have finished meanwhile. It
// reports false when the room has unloaded or the bus is closed.
func (r *room) resubscribe() bool {
	if err := r.sub.Err(); err == nil || errors.Is(err, bus.ErrClosed) {
		<-r.stopped
		return false
	}
	r.srv.log.Warn("sync: room fell behind its bus topic; resubscribing", "room", r.name)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sub, err := r.srv.opts.Bus.Subscribe(ctx, r.name)
	if err != nil {
		r.srv.log.Error("sync: resubscribe to room", "room", r.name, "error", err)
		<-r.stopped
		return false
	}
	r.sub = sub
	r.mu.Lock()
	ids := make([]string, 0, len(r.pending))
	for id := range r.pending {
		ids = append(ids, id)
	}
	r.mu.Unlock()
	for _, id := range ids {
		j, err := r.srv.opts.Jobs.Get(ctx, id)
		if err != nil || !j.Status.Final() {
			continue
		}
		r.finish(jobs.Update{ID: j.ID, Room: j.Room, User: j.User, Language: j.Request.Language,
			Status: j.Status, Attempts: j.Attempts, Result: j.Result, Error: j.Error})
	}
	return true
}

// deliver sends one bus event to the room's connections.
func (r *room) deliver(ev bus.Event) {
	switch ev.Type {
	case busLanguage:
		var m languageMessage
		if err := json.Unmarshal(ev.Data, &m); err != nil {
			r.srv.log.Warn("sync: bad language event", "room", r.name, "error", err)
			return
		}
		r.mu.Lock()
		r.language = m.Language
		r.broadcastLocked(ev.Data)
		r.mu.Unlock()
		return
	}
	u, ok, err := jobs.DecodeUpdate(ev)
	switch {
	case !ok:
		return
	case err != nil:
		r.srv.log.Warn("sync: bad job event", "room", r.name, "error", err)
		return
	case ev.Type == jobs.EventResult:
		r.finish(u)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.doneLocked(u.ID) {
		return
	}
	if _, mine := r.pending[u.ID]; mine {
		r.pending[u.ID] = string(u.Status)
	}
	r.broadcastLocked(encode(statusMessage{Event: eventStatus, RoomName: r.name, JobID: u.ID,
		Status: string(u.Status), User: u.User, Language: u.Language}))
}

// finish sends a run's output to the room once, remembers it as the last
// output and stores it for joiners on any node.
func (r *room) finish(u jobs.Update) {
	m := outputOf(r.name, u)
	now := r.srv.opts.Now()
	r.mu.Lock()
	if r.doneLocked(u.ID) {
		r.mu.Unlock()
		return
	}
	delete(r.pending, u.ID)
	r.finished[r.nextDone%recentJobs] = u.ID
	r.nextDone++
	r.broadcastLocked(encode(m))
	r.setLastLocked(m, now)
	r.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.srv.opts.State.SetLastOutput(ctx, r.name, encode(m), now); err != nil {
		r.srv.log.Error("sync: store last output", "room", r.name, "error", err)
	}
}

// setLastLocked remembers m, produced at at, for replay to joiners.
func (r *room) setLastLocked(m outputMessage, at time.Time) {
	m.Replayed = true
	r.last, r.lastAt = encode(m), at
}

// doneLocked reports whether job id's output was already sent.
func (r *room) doneLocked(id string) bool {
	return slices.Contains(r.finished[:], id)
}

// add joins c to the room and sends it what a joiner needs: the
// confirmation, the room's language and its recent last output; everyone
// then gets the new presence. It reports false when the room is
// unloading.
func (r *room) add(c *conn) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.conns[c] = struct{}{}
	c.send(encode(authenticatedMessage{Event: eventAuthenticated, RoomName: r.name, User: c.user.ID, Access: c.access.String()}))
	if r.language != "" {
		c.send(encode(languageMessage{Event: eventLanguage, RoomName: r.name, Language: r.language}))
	}
	if r.last != nil && r.srv.opts.Now().Sub(r.lastAt) < r.srv.opts.OutputTTL {
		c.send(r.last)
	}
	r.broadcastLocked(r.presenceLocked(c.user.ID, ""))
	return true
}

// remove takes c out of the room; the last connection out unloads it.
func (r *room) remove(c *conn) {
	r.mu.Lock()
	delete(r.conns, c)
	if len(r.conns) > 0 {
		r.broadcastLocked(r.presenceLocked("", c.user.ID))
		r.mu.Unlock()
		return
	}
	r.closed = true
	r.mu.Unlock()
	r.srv.forget(r)
	r.srv.texts.release(r.name)
	close(r.stopped)
}

// presenceLocked encodes the room's users after joined joined or left
// left.
func (r *room) presenceLocked(joined, left string) []byte {
	users := make([]string, 0, len(r.conns))
	for c := range r.conns {
		users = append(users, c.user.ID)
	}
	slices.Sort(users)
	return encode(presenceMessage{Event: eventPresence, RoomName: r.name, Users: slices.Compact(users), Joined: joined, Left: left})
}

// broadcastLocked queues msg for every connection of the room.
func (r *room) broadcastLocked(msg []byte) {
	for c := range r.conns {
		c.send(msg)
	}
}

// currentLanguage returns the room's language.
func (r *room) currentLanguage() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.language
}

// reserve takes a place in the room's run queue; false when it is full.
func (r *room) reserve() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.pending)+r.reserved >= r.srv.opts.RoomQueue {
		return false
	}
	r.reserved++
	return true
}

// unreserve gives back a place that reserve took.
func (r *room) unreserve() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reserved--
}

// submitted turns a reservation into the pending run id, unless its
// output has already been sent.
func (r *room) submitted(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reserved--
	if !r.doneLocked(id) {
		r.pending[id] = string(jobs.StatusQueued)
	}
}
