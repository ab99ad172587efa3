package collab

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/wspoll"
	"github.com/kaicode/kaicode/internal/yjs"
)

// maxRoomName caps the length of a room name, in bytes.
const maxRoomName = 512

// joinTimeout bounds loading a room for a new connection.
const joinTimeout = 30 * time.Second

// ServeHTTP upgrades a request for /ws/{room...} to a y-websocket
// connection, joins it to its room and greets it; the engine serves it from
// then on. The room is the path value "room".
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("room")
	if name == "" || len(name) > maxRoomName {
		http.Error(w, `{"message":"room name must be 1 to 512 bytes"}`, http.StatusBadRequest)
		return
	}
	if !s.track() {
		http.Error(w, `{"message":"server shutting down"}`, http.StatusServiceUnavailable)
		return
	}
	defer s.wg.Done()

	user, access, refusal := s.authorize(r, name)
	c := &conn{srv: s, user: user, readOnly: access == auth.AccessRead, ready: make(chan struct{})}
	// The connection's count in s.wg ends in s.disconnected, which the engine
	// calls once for every connection Accept returns.
	s.wg.Add(1)
	_, err := s.ws.Accept(w, r, func(out *wspoll.Conn) any {
		c.out = out
		return c
	})
	if err != nil {
		s.wg.Done()
		s.log.Debug("websocket upgrade failed", "room", name, "err", err)
		return
	}
	defer close(c.ready)
	if refusal != nil {
		// Tell the client why in the y-websocket way (a permission-denied
		// message, which the client logs) and with the close code.
		c.send(yjs.EncodePermissionDenied(refusal.Text))
		c.fail(*refusal)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), joinTimeout)
	rm, err := s.join(ctx, name, c)
	cancel()
	switch {
	case errors.Is(err, errShuttingDown):
		c.fail(wspoll.ReasonShutdown)
		return
	case err != nil:
		s.log.Error("join room", "room", name, "err", err)
		c.fail(reasonRoomFailed)
		return
	}
	c.rm = rm
	s.metrics.connections.Inc()
	s.greet(rm, c)
}

// track counts a new connection in the server's wait group, or reports
// false once Shutdown has begun.
func (s *Server) track() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	return true
}

// authorize returns the user of r and their access to room, or the reason
// to refuse them.
func (s *Server) authorize(r *http.Request, room string) (auth.User, auth.Access, *wspoll.Reason) {
	token := r.URL.Query().Get("token")
	if token == "" {
		token, _ = strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	}
	var user auth.User
	if token != "" || !s.opts.Anonymous {
		u, err := s.opts.Verifier.Verify(token)
		if err != nil {
			reason := reasonUnauthorized.WithDetail(err.Error())
			return auth.User{}, auth.AccessNone, &reason
		}
		user = u
	}
	access, err := s.opts.Policy.Access(r.Context(), user, room)
	if err != nil {
		s.log.Error("room access check failed", "room", room, "user", user.ID, "err", err)
		return user, auth.AccessNone, &reasonRoomFailed
	}
	if access == auth.AccessNone {
		return user, access, &reasonForbidden
	}
	return user, access, nil
}

// message handles one message from the client of c.
func (s *Server) message(out *wspoll.Conn, text bool, data []byte) {
	c := out.Value.(*conn)
	<-c.ready
	if c.rm == nil {
		return
	}
	s.metrics.messagesIn.Inc()
	s.metrics.bytesIn.Add(float64(len(data)))
	if text {
		c.fail(reasonTextFrame)
		return
	}
	if reason := c.handle(c.rm, data); reason != nil {
		c.fail(*reason)
	}
}

// disconnected takes the connection out of its room once its socket has
// closed.
func (s *Server) disconnected(out *wspoll.Conn, reason wspoll.Reason) {
	defer s.wg.Done()
	c := out.Value.(*conn)
	<-c.ready
	s.metrics.disconnects.WithLabelValues(reason.Name).Inc()
	if c.rm != nil {
		c.rm.remove(c)
		s.metrics.connections.Dec()
	}
}

// greet sends a new member the room's state vector (sync step 1) and every
// known awareness state.
func (s *Server) greet(rm *room, c *conn) {
	_, sv, err := rm.current()
	if err != nil {
		s.log.Error("greet", "room", rm.name, "err", err)
		c.fail(reasonRoomFailed)
		return
	}
	c.send(yjs.EncodeSyncStep1(sv))
	if msg := rm.awarenessMessage(); msg != nil {
		c.send(msg)
	}
}

// handle applies one message from c, or returns why c must be closed.
func (c *conn) handle(rm *room, data []byte) *wspoll.Reason {
	m, err := yjs.DecodeMessage(data)
	if err != nil {
		var unknown *yjs.UnknownMessageError
		if errors.As(err, &unknown) {
			r := reasonUnknownType.WithDetail(unknown.Error())
			return &r
		}
		r := reasonMalformed.WithDetail(err.Error())
		return &r
	}
	switch m.Type {
	case yjs.MessageSync:
		return c.handleSync(rm, m)
	case yjs.MessageAwareness:
		entries, err := yjs.DecodeAwarenessUpdate(m.Payload)
		if err != nil {
			r := reasonMalformed.WithDetail(err.Error())
			return &r
		}
		rm.applyAwareness(c, entries, data)
	case yjs.MessageQueryAwareness:
		if msg := rm.awarenessMessage(); msg != nil {
			c.send(msg)
		}
	case yjs.MessageAuth:
		// Clients have nothing to say here; servers send permission denied.
	}
	return nil
}

// handleSync answers a step 1 with what the client lacks, and applies a
// step 2 or update unless the client may only read.
func (c *conn) handleSync(rm *room, m yjs.Message) *wspoll.Reason {
	switch m.SyncType {
	case yjs.SyncStep1:
		doc, _, err := rm.current()
		if err != nil {
			c.srv.log.Error("answer sync step 1", "room", rm.name, "err", err)
			return &reasonRoomFailed
		}
		diff, err := missing(doc, m.Payload)
		if err != nil {
			r := reasonMalformed.WithDetail("state vector: " + err.Error())
			return &r
		}
		c.send(yjs.EncodeSyncStep2(diff))
	case yjs.SyncStep2, yjs.SyncUpdate:
		if c.readOnly || isEmptyUpdate(m.Payload) {
			return nil
		}
		if _, err := yjs.EncodeStateVectorFromUpdate(m.Payload); err != nil {
			r := reasonInvalidUpdate.WithDetail(err.Error())
			return &r
		}
		if err := rm.apply(c, m.Payload); err != nil {
			return &reasonDocumentFull
		}
	}
	return nil
}
