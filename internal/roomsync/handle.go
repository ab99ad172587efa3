package roomsync

import (
	"context"
	"errors"
	"fmt"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/bus"
	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/sandbox"
)

// authenticate handles the first message of c: it must be a valid "auth"
// for a room the user may enter, or the connection is closed with the
// reason. It reports whether c joined its room.
func (s *Server) authenticate(ctx context.Context, c *conn, data []byte) bool {
	s.metrics.messagesIn.WithLabelValues(eventAuth).Inc()
	m, err := decodeClientMessage(data)
	switch {
	case err != nil, m.Event != eventAuth:
		c.fail(reasonAuthFirst)
		return false
	case m.Token == nil || m.RoomName == nil || *m.RoomName == "":
		c.fail(reasonAuthFields)
		return false
	}
	user, err := s.opts.Verifier.Verify(*m.Token)
	switch {
	case errors.Is(err, auth.ErrExpiredToken):
		c.fail(reasonExpiredToken)
		return false
	case err != nil:
		c.fail(reasonInvalidToken)
		return false
	}
	access, err := s.opts.Policy.Access(ctx, user, *m.RoomName)
	switch {
	case err != nil:
		s.log.Error("sync: room access check failed", "room", *m.RoomName, "user", user.ID, "error", err)
		c.fail(reasonUnavailable)
		return false
	case access == auth.AccessNone:
		c.fail(reasonForbidden)
		return false
	}
	c.user, c.access = user, access
	r, err := s.join(ctx, *m.RoomName, c)
	if err != nil {
		if !errors.Is(err, errShuttingDown) {
			s.log.Error("sync: join room failed", "room", *m.RoomName, "error", err)
		}
		c.fail(reasonUnavailable)
		return false
	}
	c.room = r
	return true
}

// handle serves one message of an authenticated connection. Bad messages
// are answered with an error event; a judge is always answered with an
// output.
func (s *Server) handle(ctx context.Context, c *conn, data []byte) {
	m, err := decodeClientMessage(data)
	var perr *protocolError
	if err != nil {
		s.metrics.messagesIn.WithLabelValues("invalid").Inc()
		if errors.As(err, &perr) {
			c.sendError(perr)
		}
		return
	}
	if !c.limit.allow() {
		s.metrics.messagesIn.WithLabelValues("limited").Inc()
		if c.limit.flooding() {
			c.fail(reasonFlood)
			return
		}
		perr = &protocolError{codeRateLimited, "too many messages; slow down"}
		c.sendError(perr)
		if m.Event == eventJudge {
			c.send(encode(refusedOutput(c.room.name, perr.Code, perr.Message)))
		}
		return
	}
	switch m.Event {
	case eventSync:
		err = s.syncText(c, m)
	case eventJudge:
		err = s.judge(ctx, c, m)
	case eventLanguage:
		err = s.language(ctx, c, m)
	case eventAuth:
		err = &protocolError{codeAlreadyAuthed, "this connection is already authenticated"}
	default:
		s.metrics.messagesIn.WithLabelValues("unknown").Inc()
		c.sendError(&protocolError{codeUnknownEvent, fmt.Sprintf("unknown event %q", m.Event)})
		return
	}
	s.metrics.messagesIn.WithLabelValues(m.Event).Inc()
	if errors.As(err, &perr) {
		c.sendError(perr)
	}
}

// checkRoom refuses a message for another room than the connection's, and
// one from a user who may only read.
func checkRoom(c *conn, m clientMessage) error {
	if m.RoomName != nil && *m.RoomName != c.room.name {
		return &protocolError{codeWrongRoom, fmt.Sprintf("this connection is in room %q", c.room.name)}
	}
	if c.access < auth.AccessWrite {
		return &protocolError{codeReadOnly, "you may only watch this room"}
	}
	return nil
}

// syncText hands the room's text to the text writer.
func (s *Server) syncText(c *conn, m clientMessage) error {
	if err := require(eventSync, namedField{"content", m.Content}); err != nil {
		return err
	}
	if err := checkRoom(c, m); err != nil {
		return err
	}
	s.texts.submit(c.room.name, *m.Content)
	return nil
}

// judge submits a run. Every outcome sends exactly one output: the run's,
// to the room, once it finishes, or a refusal to c alone now.
func (s *Server) judge(ctx context.Context, c *conn, m clientMessage) error {
	refuse := func(code, reason string) {
		s.metrics.judges.WithLabelValues(code).Inc()
		c.send(encode(refusedOutput(c.room.name, code, reason)))
	}
	err := require(eventJudge, namedField{"content", m.Content}, namedField{"language", m.Language})
	if err == nil {
		err = checkRoom(c, m)
	}
	var perr *protocolError
	if errors.As(err, &perr) {
		refuse(perr.Code, perr.Message)
		return err
	}
	r := c.room
	if !r.reserve() {
		refuse("room_queue_full", fmt.Sprintf("this room already has %d runs waiting; try again when one finishes", s.opts.RoomQueue))
		return nil
	}
	job, err := s.opts.Jobs.Submit(ctx, jobs.Submission{
		User: c.user.ID,
		Room: r.name,
		Request: sandbox.Request{
			Language: *m.Language,
			Files:    []sandbox.File{{Content: *m.Content}},
			Stdin:    stdinOf(m.Input),
		},
	})
	var jerr *jobs.Error
	if errors.As(err, &jerr) && jerr.Job != "" {
		// Stored and announced, then not enqueued: its failure reached
		// the whole room as the run's one output.
		s.log.Error("sync: submit failed", "room", r.name, "user", c.user.ID, "job", jerr.Job, "error", err)
		s.metrics.judges.WithLabelValues(string(jobs.CodeUnavailable)).Inc()
		r.submitted(jerr.Job)
		return nil
	}
	if err != nil {
		r.unreserve()
		code, reason := string(jobs.CodeOf(err)), "the run could not be queued; try again later"
		if jerr != nil {
			reason = jerr.Message
		}
		if code == "" || code == string(jobs.CodeUnavailable) {
			s.log.Error("sync: submit failed", "room", r.name, "user", c.user.ID, "error", err)
			code = string(jobs.CodeUnavailable)
		}
		refuse(code, reason)
		return nil
	}
	s.metrics.judges.WithLabelValues("queued").Inc()
	// jobs.Submit announced the job to the room (status "queued").
	r.submitted(job.ID)
	if job.Request.Language != r.currentLanguage() {
		s.setLanguage(ctx, c, job.Request.Language)
	}
	return nil
}

// stdinOf is the run's stdin: the frontend sends a single space for an
// empty input box.
func stdinOf(input *string) string {
	if input == nil || *input == " " {
		return ""
	}
	return *input
}

// language records and announces the room's language.
func (s *Server) language(ctx context.Context, c *conn, m clientMessage) error {
	if err := require(eventLanguage, namedField{"language", m.Language}); err != nil {
		return err
	}
	if err := checkRoom(c, m); err != nil {
		return err
	}
	lang, ok := s.opts.Jobs.Catalogue().Lookup(*m.Language)
	if !ok {
		return &protocolError{codeUnknownLanguage, fmt.Sprintf("unknown language %q", *m.Language)}
	}
	s.setLanguage(ctx, c, lang.Name)
	return nil
}

// setLanguage stores lang as the room's language and announces it to the
// room on every node.
func (s *Server) setLanguage(ctx context.Context, c *conn, lang string) {
	if err := s.opts.State.SetLanguage(ctx, c.room.name, lang); err != nil {
		s.log.Error("sync: store room language", "room", c.room.name, "error", err)
	}
	msg := encode(languageMessage{Event: eventLanguage, RoomName: c.room.name, Language: lang, User: c.user.ID})
	if err := s.opts.Bus.Publish(ctx, c.room.name, bus.Event{Type: busLanguage, Data: msg}); err != nil {
		s.log.Error("sync: publish the room language", "room", c.room.name, "error", err)
	}
}
