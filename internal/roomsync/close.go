package roomsync

import (
	"github.com/coder/websocket"

	"github.com/kaicode/kaicode/internal/wsconn"
)

// The reasons the server closes a connection, besides those wsconn
// defines for both servers (shutdown, slow consumer, timeouts, a peer that
// closed, a message too large).
var (
	reasonAuthFirst    = wsconn.Reason{Code: websocket.StatusPolicyViolation, Name: "auth_required", Text: "the first message must be auth"}
	reasonAuthTimeout  = wsconn.Reason{Code: websocket.StatusPolicyViolation, Name: "auth_timeout", Text: "no auth message in time"}
	reasonAuthFields   = wsconn.Reason{Code: websocket.StatusPolicyViolation, Name: "auth_incomplete", Text: "auth needs token and room_name"}
	reasonInvalidToken = wsconn.Reason{Code: websocket.StatusPolicyViolation, Name: "invalid_token", Text: "invalid token"}
	reasonExpiredToken = wsconn.Reason{Code: websocket.StatusPolicyViolation, Name: "token_expired", Text: "token expired"}
	reasonForbidden    = wsconn.Reason{Code: websocket.StatusPolicyViolation, Name: "forbidden", Text: "no access to this room"}
	reasonFlood        = wsconn.Reason{Code: websocket.StatusPolicyViolation, Name: "flood", Text: "too many messages"}
	reasonBinary       = wsconn.Reason{Code: websocket.StatusUnsupportedData, Name: "binary_frame", Text: "binary frames are not supported"}
	reasonUnavailable  = wsconn.Reason{Code: websocket.StatusTryAgainLater, Name: "unavailable", Text: "room unavailable, try again"}
)
