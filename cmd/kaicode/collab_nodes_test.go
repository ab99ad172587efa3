package main

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/testenv"
)

// TestNodesShareAYjsRoomThroughRedis runs two nodes on one PostgreSQL and
// one Redis, as a scaled-out deployment does, and has real y-websocket
// clients edit one room through both: they converge, a late joiner on the
// other node gets everything, and both nodes serve the same text.
func TestNodesShareAYjsRoomThroughRedis(t *testing.T) {
	t.Parallel()
	vars := map[string]string{
		"DATABASE_URL": testenv.PostgresURL(t), "REDIS_URL": testenv.RedisURL(t),
		"KAICODE_WORKER": "false", "KAICODE_COLLAB_ANONYMOUS": "true",
		"KAICODE_JWT_SECRET": "nodes-test-secret-0123456789",
	}
	a, b := serveInProcess(t, vars), serveInProcess(t, vars)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	out, err := testenv.Node(ctx, t, "collab/converge.mjs", a.base+"/,"+b.base+"/", "across-nodes", "4", "40", "7")
	if err != nil {
		t.Fatalf("converge.mjs: %v\nA's log:\n%s\nB's log:\n%s", err, a.logs.String(), b.logs.String())
	}
	var res struct {
		Texts []string `json:"texts"`
		Late  string   `json:"late"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("converge.mjs printed %q: %v", out, err)
	}
	if res.Late == "" {
		t.Fatal("the clients converged on an empty text")
	}
	for _, base := range []string{a.base, b.base} {
		if got := serverText(t, base, "across-nodes"); got != res.Late {
			t.Errorf("%s /text has %d bytes, the clients %d", base, len(got), len(res.Late))
		}
	}
}

// serverText fetches GET /api/v1/rooms/{room}/text from base.
func serverText(t *testing.T, base, room string) string {
	t.Helper()
	resp, err := http.Get(base + "/api/v1/rooms/" + room + "/text")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Text string `json:"text"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET %s text: %v", base, err)
	}
	return body.Text
}
