package wspoll

import (
	"errors"
	"fmt"

	"github.com/lesismal/nbio"
	"github.com/lesismal/nbio/nbhttp/websocket"
)

// StatusCode is a WebSocket close code (RFC 6455 section 7.4).
type StatusCode int

// The close codes the servers send; 4000-4999 are for applications.
const (
	StatusNormalClosure   StatusCode = 1000
	StatusGoingAway       StatusCode = 1001
	StatusUnsupportedData StatusCode = 1003
	StatusInvalidPayload  StatusCode = 1007
	StatusPolicyViolation StatusCode = 1008
	StatusMessageTooBig   StatusCode = 1009
	StatusInternalError   StatusCode = 1011
	StatusTryAgainLater   StatusCode = 1013
	// StatusSlowConsumer marks a client that does not read fast enough;
	// the standard has no code for it.
	StatusSlowConsumer StatusCode = 4008
)

// maxReasonText is the most text a close frame carries, in bytes.
const maxReasonText = 123

// Reason is why a connection ends: the close code and the text the client
// receives, a short name for metrics and logs, and whether the socket is
// dropped without a close handshake.
type Reason struct {
	Code StatusCode
	Name string
	Text string
	// Abort drops the socket at once: nothing waiting is sent and no
	// close frame either. It is for peers that are gone or cannot keep
	// up.
	Abort bool
}

// Error makes a Reason usable as the error that ends a connection.
func (r Reason) Error() string { return fmt.Sprintf("%s (%d %s)", r.Name, int(r.Code), r.Text) }

// WithDetail returns r with detail appended to its text, cut to what fits
// a close frame.
func (r Reason) WithDetail(detail string) Reason {
	t := r.Text + ": " + detail
	if len(t) > maxReasonText {
		t = t[:maxReasonText]
	}
	r.Text = t
	return r
}

// The reasons every server shares.
var (
	ReasonPeerClosed    = Reason{Code: StatusNormalClosure, Name: "peer_closed", Text: "closed by client", Abort: true}
	ReasonMessageTooBig = Reason{Code: StatusMessageTooBig, Name: "message_too_large", Text: "message size limit exceeded"}
	ReasonSlowConsumer  = Reason{Code: StatusSlowConsumer, Name: "slow_consumer", Text: "send buffer full: client too slow", Abort: true}
	ReasonPingTimeout   = Reason{Code: StatusGoingAway, Name: "ping_timeout", Text: "no pong"}
	ReasonShutdown      = Reason{Code: StatusGoingAway, Name: "shutdown", Text: "server shutting down"}
)

// closeReason maps the error that closed a socket the server did not fail
// to the reason it ended.
func closeReason(err error) Reason {
	switch {
	case errors.Is(err, websocket.ErrMessageTooLarge):
		return ReasonMessageTooBig
	case errors.Is(err, nbio.ErrOverflow):
		return ReasonSlowConsumer
	default:
		return ReasonPeerClosed
	}
}
