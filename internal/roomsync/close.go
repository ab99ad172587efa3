package roomsync

import "github.com/kaicode/kaicode/internal/wspoll"

// The reasons the server closes a connection, besides those wspoll
// defines for every server (shutdown, slow consumer, ping timeout, a peer
// that closed, a message too large).
var (
	reasonAuthFirst    = wspoll.Reason{Code: wspoll.StatusPolicyViolation, Name: "auth_required", Text: "the first message must be auth"}
	reasonAuthTimeout  = wspoll.Reason{Code: wspoll.StatusPolicyViolation, Name: "auth_timeout", Text: "no auth message in time"}
	reasonAuthFields   = wspoll.Reason{Code: wspoll.StatusPolicyViolation, Name: "auth_incomplete", Text: "auth needs token and room_name"}
	reasonInvalidToken = wspoll.Reason{Code: wspoll.StatusPolicyViolation, Name: "invalid_token", Text: "invalid token"}
	reasonExpiredToken = wspoll.Reason{Code: wspoll.StatusPolicyViolation, Name: "token_expired", Text: "token expired"}
	reasonForbidden    = wspoll.Reason{Code: wspoll.StatusPolicyViolation, Name: "forbidden", Text: "no access to this room"}
	reasonFlood        = wspoll.Reason{Code: wspoll.StatusPolicyViolation, Name: "flood", Text: "too many messages"}
	reasonBinary       = wspoll.Reason{Code: wspoll.StatusUnsupportedData, Name: "binary_frame", Text: "binary frames are not supported"}
	reasonUnavailable  = wspoll.Reason{Code: wspoll.StatusTryAgainLater, Name: "unavailable", Text: "room unavailable, try again"}
)
