package collab

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/wsconn"
	"github.com/kaicode/kaicode/internal/yjs"
)

// maxRoomName caps the length of a room name, in bytes.
const maxRoomName = 512

// joinTimeout bounds loading a room for a new connection.
const joinTimeout = 30 * time.Second

// ServeHTTP upgrades a request for /ws/{room...} to a y-websocket
// connection and serves it until either side closes. The room is the path
// value "room".
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
	ws, err := wsconn.Accept(w, r, wsconn.AcceptOptions{AllowedOrigins: s.opts.AllowedOrigins, ReadLimit: s.opts.MaxMessage})
	if err != nil {
		s.log.Debug("websocket upgrade failed", "room", name, "err", err)
		return
	}
	if refusal != nil {
		s.refuse(ws, *refusal)
		return
	}
	// The connection lives on in a goroutine of its own, so that the HTTP
	// server can release the request and its buffers.
	// The handler's count in s.wg is still held, so Shutdown cannot have
	// stopped waiting.
	c := newConn(s, ws, user, access == auth.AccessRead)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.serve(name, c)
	}()
}

// refuse tells a client why it may not enter, in the y-websocket way (a
// permission-denied message, which the client logs) and with the close
// code, then closes the socket.
func (s *Server) refuse(ws *websocket.Conn, reason wsconn.Reason) {
	s.metrics.disconnects.WithLabelValues(reason.Name).Inc()
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.WriteTimeout)
	defer cancel()
	if err := ws.Write(ctx, websocket.MessageBinary, yjs.EncodePermissionDenied(reason.Text)); err != nil {
		ws.CloseNow()
		return
	}
	ws.Close(reason.Code, reason.Text)
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
func (s *Server) authorize(r *http.Request, room string) (auth.User, auth.Access, *wsconn.Reason) {
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

// serve runs connection c in the room named name until it ends and its
// socket is closed.
func (s *Server) serve(name string, c *conn) {
	defer func() {
		c.fail(reasonNormal)
		<-c.out.Done()
	}()

	ctx, cancel := context.WithTimeout(context.Background(), joinTimeout)
	rm, err := s.join(ctx, name, c)
	cancel()
	switch {
	case errors.Is(err, errShuttingDown):
		c.fail(wsconn.ReasonShutdown)
		return
	case err != nil:
		c.fail(reasonRoomFailed)
		return
	}
	s.metrics.connections.Inc()
	defer s.metrics.connections.Dec()
	defer rm.remove(c)

	s.greet(rm, c)
	c.fail(c.readLoop(rm))
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

// readLoop reads and handles messages until the connection ends, and
// returns why it ended.
func (c *conn) readLoop(rm *room) wsconn.Reason {
	for {
		typ, data, err := c.ws.Read(context.Background())
		if err != nil {
			return c.readError(err)
		}
		c.srv.metrics.messagesIn.Inc()
		c.srv.metrics.bytesIn.Add(float64(len(data)))
		if typ != websocket.MessageBinary {
			return reasonTextFrame
		}
		if reason := c.handle(rm, data); reason != nil {
			return *reason
		}
	}
}

// readError maps a failed read to the reason the connection ends.
func (c *conn) readError(err error) wsconn.Reason {
	if reason, failed := c.out.Reason(); failed {
		return reason
	}
	return wsconn.ReadError(err)
}

// handle applies one message from c, or returns why c must be closed.
func (c *conn) handle(rm *room, data []byte) *wsconn.Reason {
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
func (c *conn) handleSync(rm *room, m yjs.Message) *wsconn.Reason {
	switch m.SyncType {
	case yjs.SyncStep1:
		doc, _, err := rm.current()
		if err != nil {
			c.srv.log.Error("answer sync step 1", "room", rm.name, "err", err)
			return &reasonRoomFailed
		}
		diff, err := yjs.DiffUpdate(doc, m.Payload)
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
