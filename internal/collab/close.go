package collab

import (
	"fmt"

	"github.com/coder/websocket"
)

// closeReason is why the server ends a connection: the WebSocket close code
// and the text the client receives, plus a short name for metrics and logs.
type closeReason struct {
	code websocket.StatusCode
	name string
	text string
}

// Error makes a closeReason usable as the error that ends a connection.
func (r closeReason) Error() string { return fmt.Sprintf("%s (%d %s)", r.name, int(r.code), r.text) }

// withDetail returns r with detail appended to its text, cut to what fits a
// close frame (123 bytes).
func (r closeReason) withDetail(detail string) closeReason {
	t := r.text + ": " + detail
	if len(t) > 123 {
		t = t[:123]
	}
	r.text = t
	return r
}

// Application close codes (4000-4999). y-websocket clients stop
// reconnecting after a code in 4400-4499, so those mark refusals that a retry
// cannot cure.
const (
	statusSlowConsumer websocket.StatusCode = 4008
	statusUnauthorized websocket.StatusCode = 4401
	statusForbidden    websocket.StatusCode = 4403
)

// The reasons the server closes a connection.
var (
	reasonNormal        = closeReason{websocket.StatusNormalClosure, "normal", "bye"}
	reasonShutdown      = closeReason{websocket.StatusGoingAway, "shutdown", "server shutting down"}
	reasonUnauthorized  = closeReason{statusUnauthorized, "unauthorized", "missing or invalid token"}
	reasonForbidden     = closeReason{statusForbidden, "forbidden", "no access to this room"}
	reasonTextFrame     = closeReason{websocket.StatusUnsupportedData, "text_frame", "text frames are not supported"}
	reasonMalformed     = closeReason{websocket.StatusInvalidFramePayloadData, "malformed", "malformed message"}
	reasonUnknownType   = closeReason{websocket.StatusUnsupportedData, "unknown_type", "unknown message type"}
	reasonInvalidUpdate = closeReason{websocket.StatusInvalidFramePayloadData, "invalid_update", "invalid update"}
	reasonDocumentFull  = closeReason{websocket.StatusMessageTooBig, "document_too_large", "document size limit reached"}
	reasonMessageTooBig = closeReason{websocket.StatusMessageTooBig, "message_too_large", "message size limit exceeded"}
	reasonSlowConsumer  = closeReason{statusSlowConsumer, "slow_consumer", "send queue full: client too slow"}
	reasonWriteTimeout  = closeReason{statusSlowConsumer, "write_timeout", "write timed out"}
	reasonPingTimeout   = closeReason{websocket.StatusGoingAway, "ping_timeout", "no pong"}
	reasonRoomFailed    = closeReason{websocket.StatusInternalError, "room_failed", "room unavailable"}
	reasonPeerClosed    = closeReason{websocket.StatusNormalClosure, "peer_closed", "closed by client"}
)
