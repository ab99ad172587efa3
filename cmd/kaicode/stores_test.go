package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/config"
	"github.com/kaicode/kaicode/internal/store"
	"github.com/kaicode/kaicode/internal/store/pgstore"
	"github.com/kaicode/kaicode/internal/testenv"
)

func TestOpenStoresFollowsTheConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		postgres   bool
		sqs        string
		wantSQLite bool // whether the data file is opened
		wantWarn   bool // the warning about an unshared queue
	}{
		{"sqlite", false, "", true, false},
		{"postgres with the embedded queue", true, "", true, true},
		{"postgres with SQS", true, "http://127.0.0.1:1/queue/jobs", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := &config.Config{DataDir: t.TempDir()}
			cfg.AWS.QueueURL = tt.sqs
			if tt.postgres {
				cfg.DatabaseURL = testenv.PostgresURL(t)
			}
			var logs bytes.Buffer
			st, err := openStores(context.Background(), cfg, slog.New(slog.NewTextHandler(&logs, nil)))
			if err != nil {
				t.Fatal(err)
			}
			defer st.close()
			if err := st.jobs.Ping(context.Background()); err != nil {
				t.Error(err)
			}
			_, isPG := st.docs.(*pgstore.Docs)
			_, isSQLite := st.docs.(*store.Docs)
			if isPG != tt.postgres || isSQLite == tt.postgres || (st.pool != nil) != tt.postgres {
				t.Errorf("docs store is %T, pool %v; want postgres=%v", st.docs, st.pool, tt.postgres)
			}
			_, statErr := os.Stat(filepath.Join(cfg.DataDir, "kaicode.db"))
			if (st.db != nil) != tt.wantSQLite || (statErr == nil) != tt.wantSQLite {
				t.Errorf("data file opened = %v (stat: %v); want %v", st.db != nil, statErr, tt.wantSQLite)
			}
			if warned := strings.Contains(logs.String(), "level=WARN"); warned != tt.wantWarn {
				t.Errorf("warning logged = %v, want %v; logs:\n%s", warned, tt.wantWarn, logs.String())
			}
		})
	}
}

// TestNodesShareRoomAccessThroughPostgres runs two serve nodes on one
// DATABASE_URL: an allow-list set through one node is what the other
// enforces.
func TestNodesShareRoomAccessThroughPostgres(t *testing.T) {
	t.Parallel()
	const secret = "stores-test-secret-0123456789"
	vars := map[string]string{"DATABASE_URL": testenv.PostgresURL(t), "KAICODE_WORKER": "false", "KAICODE_JWT_SECRET": secret}
	a, b := serveInProcess(t, vars), serveInProcess(t, vars)
	token := func(user string) string {
		tok, err := auth.Issue([]byte(secret), auth.User{ID: user}, time.Hour, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	call := func(method, base, user, body string) (int, string) {
		req, err := http.NewRequest(method, base+"/api/v1/rooms/shared/access", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token(user))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var got struct {
			Grants []auth.Grant `json:"grants"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&got)
		users := make([]string, len(got.Grants))
		for i, g := range got.Grants {
			users[i] = g.User + ":" + g.Access.String()
		}
		return resp.StatusCode, strings.Join(users, ",")
	}
	steps := []struct {
		name, method, base, user, body string
		wantCode                       int
		wantGrants                     string
	}{
		{"node A restricts the room", "PUT", a.base, "1", `{"grants":[{"user":"1","access":"write"},{"user":"2","access":"read"}]}`, 200, "1:write,2:read"},
		{"node B lists it", "GET", b.base, "1", "", 200, "1:write,2:read"},
		{"node B refuses a reader", "GET", b.base, "2", "", 403, ""},
		{"node B refuses an unlisted user", "GET", b.base, "3", "", 403, ""},
		{"node B opens the room", "DELETE", b.base, "1", "", 204, ""},
		{"node A sees it open", "GET", a.base, "3", "", 200, ""},
	}
	for _, s := range steps {
		code, grants := call(s.method, s.base, s.user, s.body)
		if code != s.wantCode || grants != s.wantGrants {
			t.Errorf("%s: %s = %d %q; want %d %q", s.name, s.method, code, grants, s.wantCode, s.wantGrants)
		}
	}
}
