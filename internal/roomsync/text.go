package roomsync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// TextSink stores a room's text (store.RoomTexts; store.FrontendSessions
// in frontend database mode). Safe for concurrent use.
type TextSink interface {
	SetText(ctx context.Context, room, text string) error
}

// textWriter stores room texts after a quiet period. Clients send the
// whole text every second, so a text equal to the one pending or last
// stored is dropped with one string comparison, and a room's text is
// written once it has been unchanged for the debounce period, or at the
// latest five periods after its first unstored change. Its goroutine runs
// from newTextWriter until close.
type textWriter struct {
	sinks    []TextSink
	debounce time.Duration
	maxDelay time.Duration
	now      func() time.Time
	log      *slog.Logger
	metrics  *metrics

	mu    sync.Mutex
	rooms map[string]*roomText

	stopOnce sync.Once
	stop     chan struct{}
	done     chan struct{}
}

// roomText is the text state of one room.
type roomText struct {
	stored  string // the text last stored, when known
	known   bool
	pending string // the text to store, when dirty
	dirty   bool
	// since is the first unstored change, changed the latest.
	since, changed time.Time
	// released means no connection of this node is in the room: the entry
	// is dropped once stored.
	released bool
}

func newTextWriter(sinks []TextSink, debounce time.Duration, now func() time.Time, log *slog.Logger, m *metrics) *textWriter {
	w := &textWriter{
		sinks: sinks, debounce: debounce, maxDelay: 5 * debounce, now: now, log: log, metrics: m,
		rooms: make(map[string]*roomText),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	go w.loop()
	return w
}

// submit records text as the current text of room.
func (w *textWriter) submit(room, text string) {
	if len(w.sinks) == 0 {
		return
	}
	now := w.now()
	w.mu.Lock()
	defer w.mu.Unlock()
	t := w.rooms[room]
	if t == nil {
		t = &roomText{}
		w.rooms[room] = t
	}
	t.released = false
	if (t.dirty && text == t.pending) || (!t.dirty && t.known && text == t.stored) {
		return
	}
	if !t.dirty {
		t.dirty, t.since = true, now
	}
	t.pending, t.changed = text, now
}

// release tells the writer no connection of this node is in room.
func (w *textWriter) release(room string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if t := w.rooms[room]; t != nil {
		t.released = true
		if !t.dirty {
			delete(w.rooms, room)
		}
	}
}

// loop stores due texts every quarter debounce period until close.
func (w *textWriter) loop() {
	defer close(w.done)
	tick := time.NewTicker(max(w.debounce/4, 10*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-tick.C:
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			w.flush(ctx, false)
			cancel()
		}
	}
}

// flush stores the texts that are due, or all pending ones when all is
// set, and returns the first failure.
func (w *textWriter) flush(ctx context.Context, all bool) error {
	now := w.now()
	type write struct{ room, text string }
	var due []write
	w.mu.Lock()
	for room, t := range w.rooms {
		if t.dirty && (all || now.Sub(t.changed) >= w.debounce || now.Sub(t.since) >= w.maxDelay) {
			due = append(due, write{room, t.pending})
		}
	}
	w.mu.Unlock()

	var errs []error
	for _, d := range due {
		err := w.store(ctx, d.room, d.text)
		w.mu.Lock()
		t := w.rooms[d.room]
		switch {
		case t == nil:
		case err != nil:
			t.changed = now // retried after another debounce period
		default:
			t.stored, t.known = d.text, true
			if t.pending == d.text {
				t.dirty = false
				if t.released {
					delete(w.rooms, d.room)
				}
			} else {
				t.since = now
			}
		}
		w.mu.Unlock()
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// store writes text to every sink.
func (w *textWriter) store(ctx context.Context, room, text string) error {
	var errs []error
	for _, s := range w.sinks {
		if err := s.SetText(ctx, room, text); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		w.metrics.textWrites.WithLabelValues("error").Inc()
		w.log.Error("sync: store room text", "room", room, "error", err)
		return fmt.Errorf("store text of room %q: %w", room, err)
	}
	w.metrics.textWrites.WithLabelValues("ok").Inc()
	return nil
}

// close stops the writer and stores every pending text; it may be called
// more than once.
func (w *textWriter) close(ctx context.Context) error {
	w.stopOnce.Do(func() { close(w.stop) })
	<-w.done
	return w.flush(ctx, true)
}
