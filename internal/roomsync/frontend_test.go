package roomsync_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/roomsync"
	"github.com/kaicode/kaicode/internal/store"
	"github.com/kaicode/kaicode/internal/testenv"
)

const (
	privateSession = "11111111-1111-4111-8111-111111111111"
	publicSession  = "22222222-2222-4222-8222-222222222222"
)

// TestFrontendDatabaseMode runs the sync server on a real PostgreSQL
// loaded with the frontend's schema: access follows the sessions and
// their mappings, and room text lands in sessions.content.
func TestFrontendDatabaseMode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testenv.PostgresURL(t)
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	schema, err := os.ReadFile("../auth/testdata/frontend_schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{string(schema),
		`INSERT INTO users (name, username, email, password) VALUES ('Alice', 'alice', 'alice@example.com', 'x'), ('Bob', 'bob', 'bob@example.com', 'x')`,
		`INSERT INTO sessions (id, name, is_anyone_allowed) VALUES ('` + privateSession + `', 'private', false), ('` + publicSession + `', 'public', true)`,
		`INSERT INTO session_to_user_mapping (session_id, user_email) VALUES ('` + privateSession + `', 'alice@example.com')`,
	} {
		if _, err := pool.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	choice, err := auth.ChoosePolicy(ctx, url, nil)
	if err != nil || choice.Mode != auth.ModeFrontendDB {
		t.Fatalf("ChoosePolicy = %s, %v", choice.Mode, err)
	}
	defer choice.Close()
	h := newHarness(t, harnessOptions{noWorker: true,
		policy: func(*store.Rooms) auth.Policy { return choice.Policy },
		tune: func(o *roomsync.Options) {
			o.Texts = append(o.Texts, store.NewFrontendSessions(choice.Frontend))
		}})

	exp := time.Now().Add(7 * 24 * time.Hour).Unix()
	frontendToken := func(key []byte, method jwt.SigningMethod, claims jwt.MapClaims) string {
		var k any = key
		if method == jwt.SigningMethodNone {
			k = jwt.UnsafeAllowNoneSignatureType
		}
		s, err := jwt.NewWithClaims(method, claims).SignedString(k)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	alice := jwt.MapClaims{"userId": 1, "iat": time.Now().Unix(), "exp": exp}
	tests := []struct {
		name, token, room string
		reason            string // "" when the user gets in
	}{
		{"mapped user", frontendToken(testSecret, jwt.SigningMethodHS256, alice), privateSession, ""},
		{"not mapped", frontendToken(testSecret, jwt.SigningMethodHS256, jwt.MapClaims{"userId": 2, "exp": exp}), privateSession, "no access to this room"},
		{"anyone allowed", frontendToken(testSecret, jwt.SigningMethodHS256, jwt.MapClaims{"userId": 2, "exp": exp}), publicSession, ""},
		{"expired token", frontendToken(testSecret, jwt.SigningMethodHS256, jwt.MapClaims{"userId": 1, "exp": time.Now().Add(-time.Minute).Unix()}), privateSession, "token expired"},
		{"wrong secret", frontendToken([]byte("some-other-nextauth-secret"), jwt.SigningMethodHS256, alice), privateSession, "invalid token"},
		{"alg none", frontendToken(nil, jwt.SigningMethodNone, alice), privateSession, "invalid token"},
		{"not a session", frontendToken(testSecret, jwt.SigningMethodHS256, alice), "lobby", "no access to this room"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := h.dial(t)
			c.send(map[string]any{"event": "auth", "token": tt.token, "room_name": tt.room})
			if tt.reason == "" {
				c.expect("authenticated")
				return
			}
			if code, reason := c.closed(); code != websocket.StatusPolicyViolation || reason != tt.reason {
				t.Errorf("closed with %d %q, want 1008 %q", code, reason, tt.reason)
			}
		})
	}

	c := h.dial(t)
	c.send(map[string]any{"event": "auth", "token": frontendToken(testSecret, jwt.SigningMethodHS256, alice), "room_name": privateSession})
	c.expect("authenticated")
	c.send(map[string]any{"event": "sync", "content": "print('hi')", "room_name": privateSession})
	deadline := time.Now().Add(5 * time.Second)
	for {
		var content []byte
		if err := pool.QueryRow(ctx, `SELECT content FROM sessions WHERE id = $1`, privateSession).Scan(&content); err != nil {
			t.Fatal(err)
		}
		if string(content) == "print('hi')" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sessions.content = %q, want the synced text", content)
		}
		time.Sleep(20 * time.Millisecond)
	}
	waitText(t, h.texts, privateSession, "print('hi')")
}
