package collab_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kaicode/kaicode/internal/collab"
	"github.com/kaicode/kaicode/internal/yjs"
)

// TestBadInputDisconnectsOnlyTheSender sends each kind of bad input from
// one client and checks that it is closed with a reason (or, for an empty
// frame, which carries nothing, that it is skipped) while the room and its
// other client carry on.
func TestBadInputDisconnectsOnlyTheSender(t *testing.T) {
	t.Parallel()
	bigUpdate := yjs.TextUpdate(99, "", strings.Repeat("x", 900))
	tests := []struct {
		name       string
		frames     [][]byte
		text       bool // send as a text frame
		wantCode   websocket.StatusCode
		wantReason string
		ignored    bool // carries nothing: skipped, the sender stays
	}{
		{"garbage", [][]byte{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}, false, websocket.StatusInvalidFramePayloadData, "malformed message", false},
		{"empty frame", [][]byte{{}}, false, 0, "", true},
		{"truncated update", [][]byte{{yjs.MessageSync, yjs.SyncUpdate, 10, 1, 2}}, false, websocket.StatusInvalidFramePayloadData, "malformed message", false},
		{"trailing bytes", [][]byte{append(yjs.EncodeQueryAwareness(), 1, 2, 3)}, false, websocket.StatusInvalidFramePayloadData, "malformed message", false},
		{"oversized message", [][]byte{bytes.Repeat([]byte{0}, 2<<10)}, false, websocket.StatusMessageTooBig, "", false},
		{"unknown message type", [][]byte{{7}}, false, websocket.StatusUnsupportedData, "unknown message type", false},
		{"unknown sync subtype", [][]byte{{yjs.MessageSync, 5, 0}}, false, websocket.StatusUnsupportedData, "unknown message type", false},
		{"invalid update", [][]byte{yjs.EncodeSyncUpdate([]byte{1, 1, 5, 0, 0xff, 3})}, false, websocket.StatusInvalidFramePayloadData, "invalid update", false},
		{"invalid step 2", [][]byte{yjs.EncodeSyncStep2([]byte{3, 9})}, false, websocket.StatusInvalidFramePayloadData, "invalid update", false},
		{"invalid state vector", [][]byte{yjs.EncodeSyncStep1([]byte{5, 1})}, false, websocket.StatusInvalidFramePayloadData, "malformed message", false},
		{"awareness state not JSON", [][]byte{yjs.EncodeAwareness(yjs.EncodeAwarenessUpdate([]yjs.AwarenessEntry{{ClientID: 1, Clock: 1, State: "{nope"}}))}, false, websocket.StatusInvalidFramePayloadData, "malformed message", false},
		{"text frame", [][]byte{[]byte("hello")}, true, websocket.StatusUnsupportedData, "text frames", false},
		{"document too large", [][]byte{
			yjs.EncodeSyncUpdate(bigUpdate), yjs.EncodeSyncUpdate(yjs.TextUpdate(98, "", strings.Repeat("y", 900))),
			yjs.EncodeSyncUpdate(yjs.TextUpdate(97, "", strings.Repeat("z", 900))), yjs.EncodeSyncUpdate(yjs.TextUpdate(96, "", strings.Repeat("w", 900))),
		}, false, websocket.StatusMessageTooBig, "document size limit", false},
	}
	srv := startServer(t, collab.Options{Anonymous: true, MaxMessage: 1 << 10, MaxDocument: 3 << 10})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			room := "bad-" + strings.ReplaceAll(tc.name, " ", "-")
			good := dial(t, srv.URL, room, "")
			good.sync()
			good.send(yjs.EncodeSyncUpdate(yjs.TextUpdate(1, "", "hello ")))

			bad := dial(t, srv.URL, room, "")
			typ := websocket.MessageBinary
			if tc.text {
				typ = websocket.MessageText
			}
			for _, f := range tc.frames {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				err := bad.ws.Write(ctx, typ, f)
				cancel()
				if err != nil {
					break // closed already
				}
			}
			if tc.ignored {
				bad.send(yjs.EncodeAwareness(yjs.EncodeAwarenessUpdate([]yjs.AwarenessEntry{{ClientID: 3, Clock: 1, State: `{}`}})))
				bad.expect(5*time.Second, "awareness echo", isAwareness)
			} else {
				code, reason := bad.closeStatus(5 * time.Second)
				if code != tc.wantCode || !strings.Contains(reason, tc.wantReason) {
					t.Errorf("closed with %d %q; want %d containing %q", code, reason, tc.wantCode, tc.wantReason)
				}
			}

			// The good client is still served, and the room kept its text.
			good.send(yjs.EncodeAwareness(yjs.EncodeAwarenessUpdate([]yjs.AwarenessEntry{{ClientID: 1, Clock: 1, State: `{}`}})))
			good.expect(5*time.Second, "awareness echo", isAwareness)
			good.send(yjs.EncodeSyncUpdate(yjs.TextUpdate(2, "", "world ")))
			// The update travels on good's socket, the late joiner on its
			// own: wait until the room has applied it.
			for deadline := time.Now().Add(10 * time.Second); !strings.Contains(roomText(t, srv.URL, room), "world "); {
				if time.Now().After(deadline) {
					t.Fatal("the good client's update never reached the room")
				}
				time.Sleep(20 * time.Millisecond)
			}
			late := dial(t, srv.URL, room, "")
			text, err := yjs.TextFromUpdate(late.sync(), "")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text, "hello ") || !strings.Contains(text, "world ") {
				t.Errorf("room text after bad input = %q; want hello and world", text)
			}
			if got := roomText(t, srv.URL, room); got != text {
				t.Errorf("/text = %q, late joiner %q", got, text)
			}
		})
	}
}
