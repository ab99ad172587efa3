package roomsync

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/kaicode/kaicode/internal/jobs"
)

// The events of the protocol. The first four are sent by clients; output
// is the one event the original frontend reacts to.
const (
	eventAuth          = "auth"
	eventSync          = "sync"
	eventJudge         = "judge"
	eventLanguage      = "language"
	eventOutput        = "output"
	eventAuthenticated = "authenticated"
	eventStatus        = "status"
	eventPresence      = "presence"
	eventError         = "error"
)

// clientMessage is any message from a client. Pointer fields tell a
// missing field from an empty one; unknown fields are ignored.
type clientMessage struct {
	Event    string  `json:"event"`
	Token    *string `json:"token"`
	RoomName *string `json:"room_name"`
	Content  *string `json:"content"`
	Language *string `json:"language"`
	Input    *string `json:"input"`
}

// The codes of error events.
const (
	codeMalformed       = "malformed_json"
	codeUnknownEvent    = "unknown_event"
	codeMissingField    = "missing_field"
	codeWrongRoom       = "wrong_room"
	codeReadOnly        = "read_only"
	codeAlreadyAuthed   = "already_authenticated"
	codeRateLimited     = "rate_limited"
	codeUnknownLanguage = "unknown_language"
)

// protocolError is a bad message that the connection survives: the client
// receives it as an error event.
type protocolError struct {
	Code    string
	Message string
}

func (e *protocolError) Error() string { return e.Code + ": " + e.Message }

// decodeClientMessage parses one frame.
func decodeClientMessage(b []byte) (clientMessage, error) {
	var m clientMessage
	if err := json.Unmarshal(b, &m); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return m, &protocolError{codeMalformed, fmt.Sprintf("field %s must be a string", typeErr.Field)}
		}
		return m, &protocolError{codeMalformed, "message is not a JSON object"}
	}
	if m.Event == "" {
		return m, &protocolError{codeMissingField, "message has no event"}
	}
	return m, nil
}

// require returns a missing_field error naming the first nil field.
func require(event string, fields ...namedField) error {
	var missing []string
	for _, f := range fields {
		if f.value == nil {
			missing = append(missing, f.name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return &protocolError{codeMissingField, fmt.Sprintf("%s needs %s", event, strings.Join(missing, " and "))}
}

// namedField pairs a clientMessage field with its JSON name.
type namedField struct {
	name  string
	value *string
}

// outputMessage is the result of a run, the event the original frontend
// shows. Its first four fields are the frontend's contract.
type outputMessage struct {
	Event string `json:"event"`
	// Content is what a terminal would have shown.
	Content string `json:"content"`
	// TimeTaken is the compile plus run wall time, in milliseconds.
	TimeTaken int64  `json:"time_taken"`
	RoomName  string `json:"room_name"`
	// JobID, User and Language describe the run; empty when it could not
	// be queued.
	JobID    string `json:"job_id,omitempty"`
	User     string `json:"user,omitempty"`
	Language string `json:"language,omitempty"`
	// Result is the structured result, when the run produced one.
	Result *jobs.ResultJSON `json:"result,omitempty"`
	// Error is a code when the run did not produce a result: an error
	// code of jobs (such as "rate_limited"), or "failed".
	Error string `json:"error,omitempty"`
	// Replayed marks the last output sent again to a joining client.
	Replayed bool `json:"replayed,omitempty"`
}

// authenticatedMessage confirms auth to the client.
type authenticatedMessage struct {
	Event    string `json:"event"`
	RoomName string `json:"room_name"`
	User     string `json:"user"`
	Access   string `json:"access"`
}

// statusMessage tells the room that a run is queued or running.
type statusMessage struct {
	Event    string `json:"event"`
	RoomName string `json:"room_name"`
	JobID    string `json:"job_id"`
	Status   string `json:"status"`
	User     string `json:"user"`
	Language string `json:"language"`
}

// presenceMessage lists who is in the room (on this node) after someone
// joined or left.
type presenceMessage struct {
	Event    string   `json:"event"`
	RoomName string   `json:"room_name"`
	Users    []string `json:"users"`
	Joined   string   `json:"joined,omitempty"`
	Left     string   `json:"left,omitempty"`
}

// languageMessage announces the room's language.
type languageMessage struct {
	Event    string `json:"event"`
	RoomName string `json:"room_name"`
	Language string `json:"language"`
	User     string `json:"user,omitempty"`
}

// errorMessage reports a bad message; the connection stays open.
type errorMessage struct {
	Event   string `json:"event"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// encode marshals a server message. The message types above cannot fail
// to marshal, so a failure is a programming error.
func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("roomsync: encode %T: %v", v, err))
	}
	return b
}
