package wsconn

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/coder/websocket"
)

// DefaultBufferSize is the size of a connection's read buffer and of its
// write buffer when AcceptOptions.BufferSize is zero. It holds a frame
// header with a typical small message; larger payloads bypass the buffers.
const DefaultBufferSize = 512

// AcceptOptions configures Accept.
type AcceptOptions struct {
	// AllowedOrigins are the host patterns (path.Match syntax) of browser
	// origins allowed to connect; empty allows any.
	AllowedOrigins []string
	// ReadLimit caps one incoming message, in bytes; a larger one fails
	// the read with websocket.ErrMessageTooBig. Default: the library's
	// 32768.
	ReadLimit int64
	// BufferSize is the size of each of the read and write buffers, in
	// bytes. Default DefaultBufferSize.
	BufferSize int
}

// Accept upgrades r to a WebSocket without compression. The connection
// reads and writes through buffers of its own instead of the HTTP server's
// 4 KiB pair, which the HTTP server releases once its handler returns. On
// failure Accept has written the HTTP error.
func Accept(w http.ResponseWriter, r *http.Request, opts AcceptOptions) (*websocket.Conn, error) {
	size := opts.BufferSize
	if size <= 0 {
		size = DefaultBufferSize
	}
	ws, err := websocket.Accept(&ownBuffers{ResponseWriter: w, size: size}, r, &websocket.AcceptOptions{
		InsecureSkipVerify: len(opts.AllowedOrigins) == 0,
		OriginPatterns:     opts.AllowedOrigins,
		CompressionMode:    websocket.CompressionDisabled,
	})
	if err != nil {
		return nil, fmt.Errorf("wsconn: %w", err)
	}
	if opts.ReadLimit > 0 {
		ws.SetReadLimit(opts.ReadLimit)
	}
	return ws, nil
}

// ownBuffers hijacks the connection with new buffers of size bytes.
type ownBuffers struct {
	http.ResponseWriter
	size int
}

// Hijack takes over the connection from the HTTP server. Bytes the client
// sent right after its handshake are already in the server's read buffer;
// they are moved into the new one, which grows to hold them.
func (w *ownBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, fmt.Errorf("hijack: %w", err)
	}
	n := brw.Reader.Buffered()
	if n == 0 {
		return conn, bufio.NewReadWriter(bufio.NewReaderSize(conn, w.size), bufio.NewWriterSize(conn, w.size)), nil
	}
	early, _ := brw.Reader.Peek(n)
	br := bufio.NewReaderSize(io.MultiReader(bytes.NewReader(bytes.Clone(early)), conn), max(w.size, n))
	// Buffer the early bytes now: the reader stops at them without touching
	// conn, and a caller that resets the reader (as the library does) still
	// finds them in Buffered.
	if _, err := br.Peek(n); err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("hijack: keep early bytes: %w", err)
	}
	return conn, bufio.NewReadWriter(br, bufio.NewWriterSize(conn, w.size)), nil
}
