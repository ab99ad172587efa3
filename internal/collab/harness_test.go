package collab_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/collab"
	"github.com/kaicode/kaicode/internal/store"
	"github.com/kaicode/kaicode/internal/testenv"
	"github.com/kaicode/kaicode/internal/yjs"
)

var testSecret = []byte("collab-test-secret-0123456789")

// testServer is a collaboration server on a loopback port.
type testServer struct {
	*collab.Server
	URL   string // http://127.0.0.1:port/
	Docs  *store.Docs
	Texts *store.RoomTexts
}

// testStore is a fresh SQLite store of documents and room texts.
type testStore struct {
	docs  *store.Docs
	texts *store.RoomTexts
}

func newStore(t *testing.T) testStore {
	t.Helper()
	ctx := context.Background()
	db := testenv.SQLite(t)
	docs, err := store.NewDocs(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	texts, err := store.NewRoomTexts(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	return testStore{docs: docs, texts: texts}
}

// startServer starts a server with opts on a fresh SQLite file. Store,
// Texts and Verifier are filled in when unset.
func startServer(t *testing.T, opts collab.Options) *testServer {
	t.Helper()
	st := newStore(t)
	if opts.Store == nil {
		opts.Store = st.docs
	}
	if opts.Texts == nil {
		opts.Texts = st.texts
	}
	if opts.Verifier == nil {
		opts.Verifier = auth.NewVerifier(testSecret)
	}
	srv, err := collab.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /ws/{room...}", srv)
	mux.HandleFunc("GET /api/v1/rooms/{room}", srv.HandleRoomInfo)
	mux.HandleFunc("GET /api/v1/rooms/{room}/text", srv.HandleRoomText)
	hs := httptest.NewServer(mux)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		hs.Close()
	})
	return &testServer{Server: srv, URL: hs.URL + "/", Docs: st.docs, Texts: st.texts}
}

// token returns a valid token for user id.
func token(t *testing.T, id string) string {
	t.Helper()
	s, err := auth.Issue(testSecret, auth.User{ID: id}, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// roomText fetches GET /api/v1/rooms/{room}/text.
func roomText(t *testing.T, base, room string) string {
	t.Helper()
	var body collab.RoomTextBody
	getJSON(t, base+"api/v1/rooms/"+room+"/text", &body)
	return body.Text
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// client is a minimal y-websocket client for protocol-level tests.
type client struct {
	t  *testing.T
	ws *websocket.Conn
}

// dial connects to room, with token when not empty.
func dial(t *testing.T, base, room, token string) *client {
	t.Helper()
	c, err := tryDial(base, room, token)
	if err != nil {
		t.Fatalf("dial %s: %v", room, err)
	}
	t.Cleanup(func() { c.ws.CloseNow() })
	c.t = t
	return c
}

func tryDial(base, room, token string) (*client, error) {
	u := strings.Replace(base, "http", "ws", 1) + "ws/" + room
	if token != "" {
		u += "?token=" + token
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, u, nil)
	if err != nil {
		return nil, err
	}
	ws.SetReadLimit(64 << 20)
	return &client{ws: ws}, nil
}

func (c *client) send(msg []byte) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageBinary, msg); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

// read returns the next message, or the error that ended the connection.
func (c *client) read(timeout time.Duration) (yjs.Message, []byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	_, data, err := c.ws.Read(ctx)
	if err != nil {
		return yjs.Message{}, nil, err
	}
	m, err := yjs.DecodeMessage(data)
	if err != nil {
		c.t.Fatalf("server sent an undecodable message %x: %v", data, err)
	}
	return m, data, nil
}

// expect reads until a message that match accepts, failing after timeout.
func (c *client) expect(timeout time.Duration, what string, match func(yjs.Message) bool) yjs.Message {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		m, _, err := c.read(time.Until(deadline))
		if err != nil {
			c.t.Fatalf("waiting for %s: %v", what, err)
		}
		if match(m) {
			return m
		}
	}
}

// sync sends step 1 with an empty state vector and returns the server's
// step 2, the whole document.
func (c *client) sync() []byte {
	c.t.Helper()
	c.send(yjs.EncodeSyncStep1([]byte{0}))
	m := c.expect(5*time.Second, "sync step 2", func(m yjs.Message) bool {
		return m.Type == yjs.MessageSync && m.SyncType == yjs.SyncStep2
	})
	return m.Payload
}

// closeStatus reads until the connection ends and returns its close code
// and reason.
func (c *client) closeStatus(timeout time.Duration) (websocket.StatusCode, string) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		_, _, err := c.read(time.Until(deadline))
		if err == nil {
			continue
		}
		var ce websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code, ce.Reason
		}
		c.t.Fatalf("connection ended without a close frame: %v", err)
	}
}

// nodeDir is test/node, where the interop scripts and their modules live.
func nodeDir(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "test", "node")
	_, errNode := exec.LookPath("node")
	_, errMods := os.Stat(filepath.Join(dir, "node_modules", "y-websocket"))
	if errNode != nil || errMods != nil {
		testenv.Missing(t, "node or test/node/node_modules missing: install Node 20 and run npm ci in test/node")
	}
	return dir
}

// runNode runs test/node/collab/script with args and decodes its JSON
// result into v.
func runNode(t *testing.T, timeout time.Duration, v any, script string, args ...string) {
	t.Helper()
	dir := nodeDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", append([]string{filepath.Join("collab", script)}, args...)...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node %s %v: %v\nstdout: %s\nstderr: %s", script, args, err, stdout.Bytes(), stderr.Bytes())
	}
	if err := json.Unmarshal(stdout.Bytes(), v); err != nil {
		t.Fatalf("node %s: result %q: %v\nstderr: %s", script, stdout.Bytes(), err, stderr.Bytes())
	}
}
