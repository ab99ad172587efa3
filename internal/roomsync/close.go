package roomsync

import (
	"fmt"

	"github.com/coder/websocket"
)

// closeReason is why the server ends a connection: the WebSocket close
// code, the reason text the client receives, and a short name for metrics
// and logs.
type closeReason struct {
	code websocket.StatusCode
	name string
	text string
}

// Error makes a closeReason usable as the error that ends a connection.
func (r closeReason) Error() string { return fmt.Sprintf("%s (%d %s)", r.name, int(r.code), r.text) }

// statusSlowConsumer is sent to a client that does not read fast enough
// (application range, as WebSocket has no standard code for it).
const statusSlowConsumer websocket.StatusCode = 4008

// The reasons the server closes a connection.
var (
	reasonPeerClosed   = closeReason{websocket.StatusNormalClosure, "peer_closed", "closed by client"}
	reasonShutdown     = closeReason{websocket.StatusGoingAway, "shutdown", "server shutting down"}
	reasonAuthFirst    = closeReason{websocket.StatusPolicyViolation, "auth_required", "the first message must be auth"}
	reasonAuthTimeout  = closeReason{websocket.StatusPolicyViolation, "auth_timeout", "no auth message in time"}
	reasonAuthFields   = closeReason{websocket.StatusPolicyViolation, "auth_incomplete", "auth needs token and room_name"}
	reasonInvalidToken = closeReason{websocket.StatusPolicyViolation, "invalid_token", "invalid token"}
	reasonExpiredToken = closeReason{websocket.StatusPolicyViolation, "token_expired", "token expired"}
	reasonForbidden    = closeReason{websocket.StatusPolicyViolation, "forbidden", "no access to this room"}
	reasonFlood        = closeReason{websocket.StatusPolicyViolation, "flood", "too many messages"}
	reasonBinary       = closeReason{websocket.StatusUnsupportedData, "binary_frame", "binary frames are not supported"}
	reasonTooBig       = closeReason{websocket.StatusMessageTooBig, "message_too_large", "message size limit exceeded"}
	reasonSlowConsumer = closeReason{statusSlowConsumer, "slow_consumer", "send queue full: client too slow"}
	reasonWriteFailed  = closeReason{statusSlowConsumer, "write_timeout", "write timed out"}
	reasonPingTimeout  = closeReason{websocket.StatusGoingAway, "ping_timeout", "no pong"}
	reasonUnavailable  = closeReason{websocket.StatusTryAgainLater, "unavailable", "room unavailable, try again"}
)
