package auth_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/store"
	"github.com/kaicode/kaicode/internal/testenv"
)

var apiSecret = []byte("allow-list-api-test-secret")

func openRooms(t *testing.T) *store.Rooms {
	t.Helper()
	ctx := context.Background()
	db := testenv.SQLite(t)
	rooms, err := store.NewRooms(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	return rooms
}

func TestAllowListPolicy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rooms := openRooms(t)
	if err := rooms.SetAllowList(ctx, "closed", []auth.Grant{{User: "1", Access: auth.AccessWrite}, {User: "2", Access: auth.AccessRead}}); err != nil {
		t.Fatal(err)
	}
	p := auth.NewAllowList(rooms)
	tests := []struct {
		name, user, room string
		want             auth.Access
	}{
		{"open room, any user", "9", "open", auth.AccessWrite},
		{"open room, anonymous", "", "open", auth.AccessWrite},
		{"listed writer", "1", "closed", auth.AccessWrite},
		{"listed reader", "2", "closed", auth.AccessRead},
		{"unlisted user", "3", "closed", auth.AccessNone},
		{"anonymous in a closed room", "", "closed", auth.AccessNone},
	}
	for _, tt := range tests {
		got, err := p.Access(ctx, auth.User{ID: tt.user}, tt.room)
		if err != nil || got != tt.want {
			t.Errorf("%s: Access = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}

func TestAllowListAPI(t *testing.T) {
	t.Parallel()
	rooms := openRooms(t)
	v := auth.NewVerifier(apiSecret)
	mux := http.NewServeMux()
	mux.Handle("/api/v1/rooms/{room}/access", auth.NewAllowListAPI(v, auth.NewAllowList(rooms), nil))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tok := func(user string) string {
		s, err := auth.Issue(apiSecret, auth.User{ID: user}, time.Hour, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	steps := []struct {
		name, method, user, body string
		status                   int
		contains                 string
	}{
		{"no token", "GET", "", "", 401, "bearer token"},
		{"open room reads as open", "GET", "1", "", 200, `"restricted":false,"grants":[]`},
		{"list must keep the caller", "PUT", "1", `{"grants":[{"user":"2","access":"write"}]}`, 400, "grant you"},
		{"bad access", "PUT", "1", `{"grants":[{"user":"1","access":"owner"}]}`, 400, "not one of"},
		{"restrict", "PUT", "1", `{"grants":[{"user":"1","access":"write"},{"user":"2","access":"read"}]}`, 200, `"restricted":true`},
		{"reader may not manage", "GET", "2", "", 403, "may not manage"},
		{"outsider may not manage", "DELETE", "3", "", 403, "may not manage"},
		{"writer reads the list", "GET", "1", "", 200, `{"user":"2","access":"read"}`},
		{"open again", "DELETE", "1", "", 204, ""},
		{"anyone may read it now", "GET", "3", "", 200, `"restricted":false`},
	}
	for _, s := range steps {
		req, _ := http.NewRequest(s.method, srv.URL+"/api/v1/rooms/r1/access", strings.NewReader(s.body))
		if s.user != "" {
			req.Header.Set("Authorization", "Bearer "+tok(s.user))
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		_, _ = io.Copy(&b, res.Body)
		res.Body.Close()
		if res.StatusCode != s.status || !strings.Contains(b.String(), s.contains) {
			t.Errorf("%s: %d %s; want %d containing %q", s.name, res.StatusCode, b.String(), s.status, s.contains)
		}
	}
}
