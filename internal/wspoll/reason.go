package wspoll

import (
	"errors"
	"fmt"
	"slices"

	"github.com/lesismal/nbio"
	"github.com/lesismal/nbio/nbhttp"
	"github.com/lesismal/nbio/nbhttp/websocket"
)

// StatusCode is a WebSocket close code (RFC 6455 section 7.4).
type StatusCode int

// The close codes the servers send; 4000-4999 are for applications.
const (
	StatusNormalClosure   StatusCode = 1000
	StatusGoingAway       StatusCode = 1001
	StatusProtocolError   StatusCode = 1002
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
	// ReasonProtocolError is a frame that breaks RFC 6455 (reserved bits,
	// bad fragments, invalid UTF-8 in a text frame); nbio has already
	// answered with 1002 and cut the socket.
	ReasonProtocolError = Reason{Code: StatusProtocolError, Name: "protocol_error", Text: "protocol error", Abort: true}
)

// protocolErrors are nbio's errors for frames that break the protocol.
var protocolErrors = []error{
	websocket.ErrInvalidControlFrame, websocket.ErrReserveBitSet, websocket.ErrReservedMessageType,
	websocket.ErrControlMessageFragmented, websocket.ErrControlMessageTooBig,
	websocket.ErrFragmentsShouldNotHaveBinaryOrTextMessage, websocket.ErrInvalidCloseCode,
	websocket.ErrInvalidCompression, websocket.ErrInvalidFragmentMessage, websocket.ErrInvalidUtf8,
}

// closeReason maps the error that closed a socket the server did not fail
// to the reason it ended; stopping tells that the Engine is shutting down.
func closeReason(err error, stopping bool) Reason {
	switch {
	case errors.Is(err, websocket.ErrMessageTooLarge), errors.Is(err, nbhttp.ErrTooLong):
		return ReasonMessageTooBig
	case errors.Is(err, nbio.ErrOverflow):
		return ReasonSlowConsumer
	case slices.ContainsFunc(protocolErrors, func(target error) bool { return errors.Is(err, target) }):
		return ReasonProtocolError
	case stopping:
		return ReasonShutdown
	default:
		return ReasonPeerClosed
	}
}
