package collab

import "github.com/kaicode/kaicode/internal/wspoll"

// Application close codes (4000-4999). y-websocket clients stop
// reconnecting after a code in 4400-4499, so those mark refusals that a retry
// cannot cure.
const (
	statusUnauthorized wspoll.StatusCode = 4401
	statusForbidden    wspoll.StatusCode = 4403
)

// The reasons the server closes a connection, besides those wspoll
// defines for every server (shutdown, slow consumer, ping timeout, a peer
// that closed, a message too large).
var (
	reasonNormal        = wspoll.Reason{Code: wspoll.StatusNormalClosure, Name: "normal", Text: "bye"}
	reasonUnauthorized  = wspoll.Reason{Code: statusUnauthorized, Name: "unauthorized", Text: "missing or invalid token"}
	reasonForbidden     = wspoll.Reason{Code: statusForbidden, Name: "forbidden", Text: "no access to this room"}
	reasonTextFrame     = wspoll.Reason{Code: wspoll.StatusUnsupportedData, Name: "text_frame", Text: "text frames are not supported"}
	reasonMalformed     = wspoll.Reason{Code: wspoll.StatusInvalidPayload, Name: "malformed", Text: "malformed message"}
	reasonUnknownType   = wspoll.Reason{Code: wspoll.StatusUnsupportedData, Name: "unknown_type", Text: "unknown message type"}
	reasonInvalidUpdate = wspoll.Reason{Code: wspoll.StatusInvalidPayload, Name: "invalid_update", Text: "invalid update"}
	reasonDocumentFull  = wspoll.Reason{Code: wspoll.StatusMessageTooBig, Name: "document_too_large", Text: "document size limit reached"}
	reasonRoomFailed    = wspoll.Reason{Code: wspoll.StatusInternalError, Name: "room_failed", Text: "room unavailable"}
)
