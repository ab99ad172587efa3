package roomsync_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/bus"
	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/queue"
	"github.com/kaicode/kaicode/internal/roomsync"
	"github.com/kaicode/kaicode/internal/sandbox"
	"github.com/kaicode/kaicode/internal/store"
	"github.com/kaicode/kaicode/internal/testenv"
	"github.com/kaicode/kaicode/internal/worker"
)

var testSecret = []byte("roomsync-test-secret-0123456789")

// harness is a sync server on the real job pipeline (SQLite job store and
// queue, in-process bus, worker) with a scripted sandbox in place of
// Docker.
type harness struct {
	t      testing.TB
	url    string
	srv    *roomsync.Server
	rooms  *store.Rooms
	texts  *store.RoomTexts
	bus    *bus.Memory
	runs   chan sandbox.Request // every request the sandbox ran
	cancel context.CancelFunc
}

// scriptedSandbox answers like a real sandbox for a few known programs:
// "cpp" code containing "error" fails to compile; anything else echoes
// "out:" + stdin; code "sleep" takes 300ms.
type scriptedSandbox struct{ runs chan sandbox.Request }

func (s scriptedSandbox) Run(ctx context.Context, req sandbox.Request) (sandbox.Result, error) {
	select {
	case s.runs <- req:
	default:
	}
	code := req.Files[0].Content
	if strings.Contains(code, "sleep") {
		select {
		case <-time.After(300 * time.Millisecond):
		case <-ctx.Done():
			return sandbox.Result{}, ctx.Err()
		}
	}
	if req.Language == "cpp" && strings.Contains(code, "error") {
		return sandbox.Result{Status: sandbox.StatusCompileError, Language: "cpp", ExitCode: -1,
			CompileOutput: "main.cpp:1:1: error: expected unqualified-id\n", CompileExitCode: 1,
			CompileWallTime: 120 * time.Millisecond}, nil
	}
	return sandbox.Result{Status: sandbox.StatusOK, Language: req.Language, Stdout: "out:" + req.Stdin + "\n",
		WallTime: 42 * time.Millisecond, CPUTime: 30 * time.Millisecond, Memory: 8 << 20}, nil
}

type harnessOptions struct {
	policy func(rooms *store.Rooms) auth.Policy
	tune   func(o *roomsync.Options)
	limits func(l *jobs.Limits)
	// queue wraps the job queue, to inject faults.
	queue    func(q queue.Queue) queue.Queue
	noWorker bool
}

func newHarness(t testing.TB, ho harnessOptions) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	db := testenv.SQLite(t)
	jobStore, err := store.NewJobs(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	rooms, err := store.NewRooms(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	texts, err := store.NewRoomTexts(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	q, err := queue.NewSQLite(ctx, db, queue.SQLiteOptions{VisibilityTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	b := bus.NewMemory(0)
	limits := jobs.Limits{MaxSource: 64 << 10, RatePerMinute: 600, MaxQueuedPerUser: 50,
		MaxRunTime: 10 * time.Second, MaxMemory: 512 << 20, MaxWait: 10 * time.Second}
	if ho.limits != nil {
		ho.limits(&limits)
	}
	var submitQueue queue.Queue = q
	if ho.queue != nil {
		submitQueue = ho.queue(q)
	}
	svc, err := jobs.NewService(jobs.Options{Store: jobStore, Queue: submitQueue, Bus: b, Catalogue: sandbox.Builtin(), Limits: limits})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, rooms: rooms, texts: texts, bus: b, runs: make(chan sandbox.Request, 100), cancel: cancel}
	var wg sync.WaitGroup
	if !ho.noWorker {
		w, err := worker.New(worker.Options{Queue: q, Store: jobStore, Sandbox: scriptedSandbox{h.runs}, Bus: b,
			Concurrency: 2, VisibilityTimeout: 10 * time.Second, MaxReceives: 3, ReceiveWait: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() { _ = w.Run(ctx) })
	}
	var policy auth.Policy = auth.NewAllowList(rooms)
	if ho.policy != nil {
		policy = ho.policy(rooms)
	}
	opts := roomsync.Options{
		Verifier: auth.NewVerifier(testSecret), Policy: policy, Jobs: svc, Bus: b, State: rooms,
		Texts: []roomsync.TextSink{texts}, AuthTimeout: time.Second, TextDebounce: 100 * time.Millisecond,
	}
	if ho.tune != nil {
		ho.tune(&opts)
	}
	h.srv, err = roomsync.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(h.srv)
	h.url = "ws" + strings.TrimPrefix(hs.URL, "http")
	t.Cleanup(func() {
		sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer scancel()
		if err := h.srv.Shutdown(sctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		hs.Close()
		cancel()
		wg.Wait()
		q.Close()
		db.Close()
	})
	return h
}

// token signs a frontend-shaped token for user.
func token(t testing.TB, user string) string {
	t.Helper()
	s, err := auth.Issue(testSecret, auth.User{ID: user}, 7*24*time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// client is a test /sync client.
type client struct {
	t  testing.TB
	ws *websocket.Conn
}

// dial opens a socket without authenticating.
func (h *harness) dial(t testing.TB) *client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, h.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	ws.SetReadLimit(1 << 22)
	t.Cleanup(func() { ws.CloseNow() })
	return &client{t: t, ws: ws}
}

// join dials and authenticates user in room, and waits for the
// confirmation.
func (h *harness) join(t testing.TB, room, user string) *client {
	t.Helper()
	c := h.dial(t)
	c.send(map[string]any{"event": "auth", "token": token(t, user), "room_name": room})
	c.expect("authenticated")
	return c
}

func (c *client) send(v any) {
	c.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	c.sendRaw(string(b))
}

func (c *client) sendRaw(s string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, []byte(s)); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// message is one decoded server message.
type message map[string]any

func (m message) str(k string) string { s, _ := m[k].(string); return s }

// next reads one message, failing the test after timeout.
func (c *client) next(timeout time.Duration) (message, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	_, b, err := c.ws.Read(ctx)
	if err != nil {
		return nil, err
	}
	var m message
	if err := json.Unmarshal(b, &m); err != nil {
		c.t.Fatalf("server sent non-JSON %q: %v", b, err)
	}
	return m, nil
}

// expect reads until a message of event arrives and returns it.
func (c *client) expect(event string) message {
	c.t.Helper()
	for {
		m, err := c.next(5 * time.Second)
		if err != nil {
			c.t.Fatalf("waiting for %q: %v", event, err)
		}
		if m.str("event") == event {
			return m
		}
	}
}

// closed reads until the server closes the socket and returns the close
// status and reason.
func (c *client) closed() (websocket.StatusCode, string) {
	c.t.Helper()
	for {
		_, err := c.next(5 * time.Second)
		if err == nil {
			continue
		}
		var ce websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code, ce.Reason
		}
		c.t.Fatalf("waiting for close: %v", err)
	}
}

// quiet asserts that no message of event arrives within d.
func (c *client) quiet(event string, d time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		m, err := c.next(time.Until(deadline))
		if err != nil {
			return
		}
		if m.str("event") == event {
			c.t.Fatalf("unexpected %s: %v", event, m)
		}
	}
}
