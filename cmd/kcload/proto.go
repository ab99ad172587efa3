package main

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/coder/websocket"

	"github.com/kaicode/kaicode/internal/yjs"
	"github.com/kaicode/kaicode/internal/yjs/lib0"
)

// framing adapts the messages to a server's wire format: plain y-websocket,
// or Hocuspocus, which prefixes every message with the document name and
// wants an auth message first.
type framing struct {
	hocuspocus bool
	room       string
}

func (f framing) wrap(msg []byte) []byte {
	if !f.hocuspocus {
		return msg
	}
	return append(lib0.AppendVarString(nil, f.room), msg...)
}

// unwrap returns the y-websocket message inside a server message.
func (f framing) unwrap(msg []byte) ([]byte, bool) {
	if !f.hocuspocus {
		return msg, true
	}
	d := lib0.NewDecoder(msg)
	if _, err := d.ReadVarStringBytes(); err != nil {
		return nil, false
	}
	return msg[len(msg)-d.Remaining():], true
}

// client is one load-generating connection.
type client struct {
	ws    *websocket.Conn
	f     framing
	id    uint64
	clock uint64
}

// dial connects to room and sends the opening messages: an auth message
// for Hocuspocus, then sync step 1 with an empty state vector.
func dial(ctx context.Context, base string, f framing, id uint64) (*client, error) {
	u := base + "/" + f.room
	if f.hocuspocus {
		u = base
	}
	ws, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", u, err)
	}
	ws.SetReadLimit(64 << 20)
	c := &client{ws: ws, f: f, id: id}
	if f.hocuspocus {
		auth := lib0.AppendVarString([]byte{2, 0}, "token")
		if err := c.write(ctx, auth); err != nil {
			return nil, err
		}
	}
	return c, c.write(ctx, yjs.EncodeSyncStep1([]byte{0}))
}

func (c *client) write(ctx context.Context, msg []byte) error {
	return c.ws.Write(ctx, websocket.MessageBinary, c.f.wrap(msg))
}

// insert sends an update appending text after the client's previous
// insertion: one Item struct with a string content, hand-encoded so that no
// Yjs document is needed on this side.
func (c *client) insert(ctx context.Context, text string) error {
	u := lib0.AppendVarUint([]byte{1, 1}, c.id)
	u = lib0.AppendVarUint(u, c.clock)
	if c.clock == 0 {
		u = append(u, 0x04, 1, 0) // no origin; parent: root type named ""
	} else {
		u = append(u, 0x84) // origin: our previous character
		u = lib0.AppendVarUint(lib0.AppendVarUint(u, c.id), c.clock-1)
	}
	u = lib0.AppendVarString(u, text)
	u = append(u, 0) // empty delete set
	c.clock += uint64(len(text))
	return c.write(ctx, yjs.EncodeSyncUpdate(u))
}

// stampPrefix marks a send time inside an update's text.
const stampPrefix = "@@"

func stamp(now time.Time) string {
	return stampPrefix + strconv.FormatInt(now.UnixNano(), 36) + ";"
}

// stampOf finds the send time in a received message.
func stampOf(msg []byte) (time.Time, bool) {
	i := bytes.Index(msg, []byte(stampPrefix))
	if i < 0 {
		return time.Time{}, false
	}
	rest := msg[i+len(stampPrefix):]
	j := bytes.IndexByte(rest, ';')
	if j < 0 {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(string(rest[:j]), 36, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(0, n), true
}

// isStep2 reports whether msg (unwrapped) is a sync step 2, which is how a
// y-websocket client knows it is synced.
func isStep2(msg []byte) bool {
	return len(msg) >= 2 && (msg[0] == yjs.MessageSync || msg[0] == 4) && msg[1] == yjs.SyncStep2
}
