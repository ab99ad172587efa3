package collab

import (
	"github.com/coder/websocket"

	"github.com/kaicode/kaicode/internal/wsconn"
)

// Application close codes (4000-4999). y-websocket clients stop
// reconnecting after a code in 4400-4499, so those mark refusals that a retry
// cannot cure.
const (
	statusUnauthorized websocket.StatusCode = 4401
	statusForbidden    websocket.StatusCode = 4403
)

// The reasons the server closes a connection, besides those wsconn
// defines for both servers (shutdown, slow consumer, timeouts, a peer that
// closed, a message too large).
var (
	reasonNormal        = wsconn.Reason{Code: websocket.StatusNormalClosure, Name: "normal", Text: "bye"}
	reasonUnauthorized  = wsconn.Reason{Code: statusUnauthorized, Name: "unauthorized", Text: "missing or invalid token"}
	reasonForbidden     = wsconn.Reason{Code: statusForbidden, Name: "forbidden", Text: "no access to this room"}
	reasonTextFrame     = wsconn.Reason{Code: websocket.StatusUnsupportedData, Name: "text_frame", Text: "text frames are not supported"}
	reasonMalformed     = wsconn.Reason{Code: websocket.StatusInvalidFramePayloadData, Name: "malformed", Text: "malformed message"}
	reasonUnknownType   = wsconn.Reason{Code: websocket.StatusUnsupportedData, Name: "unknown_type", Text: "unknown message type"}
	reasonInvalidUpdate = wsconn.Reason{Code: websocket.StatusInvalidFramePayloadData, Name: "invalid_update", Text: "invalid update"}
	reasonDocumentFull  = wsconn.Reason{Code: websocket.StatusMessageTooBig, Name: "document_too_large", Text: "document size limit reached"}
	reasonRoomFailed    = wsconn.Reason{Code: websocket.StatusInternalError, Name: "room_failed", Text: "room unavailable"}
)
