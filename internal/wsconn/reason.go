package wsconn

import (
	"errors"
	"fmt"

	"github.com/coder/websocket"
)

// maxReasonText is the most text a close frame carries, in bytes.
const maxReasonText = 123

// Reason is why a server ends a connection: the WebSocket close code and
// the text the client receives, a short name for metrics and logs, and
// whether the socket is dropped without a close handshake.
type Reason struct {
	Code websocket.StatusCode
	Name string
	Text string
	// Abort drops the socket at once: nothing queued is sent and no close
	// frame either. It is for peers that are gone or cannot keep up, whose
	// writes would only block.
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

// StatusSlowConsumer marks a client that does not read fast enough; the
// WebSocket standard has no code for it.
const StatusSlowConsumer websocket.StatusCode = 4008

// The reasons both servers share.
var (
	ReasonPeerClosed    = Reason{Code: websocket.StatusNormalClosure, Name: "peer_closed", Text: "closed by client", Abort: true}
	ReasonMessageTooBig = Reason{Code: websocket.StatusMessageTooBig, Name: "message_too_large", Text: "message size limit exceeded", Abort: true}
	ReasonSlowConsumer  = Reason{Code: StatusSlowConsumer, Name: "slow_consumer", Text: "send queue full: client too slow", Abort: true}
	ReasonWriteTimeout  = Reason{Code: StatusSlowConsumer, Name: "write_timeout", Text: "write timed out", Abort: true}
	ReasonPingTimeout   = Reason{Code: websocket.StatusGoingAway, Name: "ping_timeout", Text: "no pong"}
	ReasonShutdown      = Reason{Code: websocket.StatusGoingAway, Name: "shutdown", Text: "server shutting down"}
)

// ReadError maps the error that ended a read to the reason the connection
// ends: a message over the read limit (the library has already sent 1009),
// or else a peer that closed or vanished.
func ReadError(err error) Reason {
	if errors.Is(err, websocket.ErrMessageTooBig) {
		return ReasonMessageTooBig
	}
	return ReasonPeerClosed
}
