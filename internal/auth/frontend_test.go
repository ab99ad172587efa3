package auth_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/testenv"
)

// The sessions of frontendDB.
const (
	privateSession = "11111111-1111-4111-8111-111111111111"
	publicSession  = "22222222-2222-4222-8222-222222222222"
	missingSession = "33333333-3333-4333-8333-333333333333"
)

// frontendDB returns the URL of a fresh PostgreSQL database loaded with the
// frontend's schema and: users 1 (alice) and 2 (bob); a private session
// mapped to alice, a public one mapped to nobody.
func frontendDB(t *testing.T) string {
	t.Helper()
	url := testenv.PostgresURL(t)
	schema, err := os.ReadFile("testdata/frontend_schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	for _, sql := range []string{string(schema),
		`INSERT INTO users (name, username, email, password) VALUES ('Alice', 'alice', 'alice@example.com', 'x'), ('Bob', 'bob', 'bob@example.com', 'x')`,
		`INSERT INTO sessions (id, name, is_anyone_allowed) VALUES ('` + privateSession + `', 'private', false), ('` + publicSession + `', 'public', true)`,
		`INSERT INTO session_to_user_mapping (session_id, user_email, is_admin) VALUES ('` + privateSession + `', 'alice@example.com', true)`,
	} {
		if _, err := pool.Exec(ctx, sql); err != nil {
			t.Fatalf("load frontend fixture: %v", err)
		}
	}
	return url
}

func TestFrontendDBPolicy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	choice, err := auth.ChoosePolicy(ctx, frontendDB(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer choice.Close()
	if choice.Mode != auth.ModeFrontendDB {
		t.Fatalf("mode = %s, want %s", choice.Mode, auth.ModeFrontendDB)
	}
	tests := []struct {
		name string
		user auth.User
		room string
		want auth.Access
	}{
		{"mapped user by userId", auth.User{ID: "1"}, privateSession, auth.AccessWrite},
		{"mapped user by email claim", auth.User{ID: "alice-sub", Email: "alice@example.com"}, privateSession, auth.AccessWrite},
		{"not mapped", auth.User{ID: "2"}, privateSession, auth.AccessNone},
		{"unknown user", auth.User{ID: "99"}, privateSession, auth.AccessNone},
		{"anonymous, private", auth.User{}, privateSession, auth.AccessNone},
		{"anyone allowed", auth.User{ID: "2"}, publicSession, auth.AccessWrite},
		{"anonymous, anyone allowed", auth.User{}, publicSession, auth.AccessWrite},
		{"no such session", auth.User{ID: "1"}, missingSession, auth.AccessNone},
		{"not a UUID", auth.User{ID: "1"}, "lobby", auth.AccessNone},
	}
	for _, tt := range tests {
		got, err := choice.Policy.Access(ctx, tt.user, tt.room)
		if err != nil || got != tt.want {
			t.Errorf("%s: Access = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}

func TestChoosePolicyFallsBackWithoutTheFrontendSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	choice, err := auth.ChoosePolicy(ctx, testenv.PostgresURL(t), openRooms(t))
	if err != nil {
		t.Fatal(err)
	}
	if choice.Mode != auth.ModeAllowList || choice.Frontend != nil {
		t.Errorf("empty database chose %s", choice.Mode)
	}
	choice, err = auth.ChoosePolicy(ctx, "", openRooms(t))
	if err != nil || choice.Mode != auth.ModeAllowList {
		t.Errorf("no DATABASE_URL chose %s, %v", choice.Mode, err)
	}
	_, err = auth.ChoosePolicy(ctx, "postgres://nobody:x@127.0.0.1:1/none?connect_timeout=2", openRooms(t))
	if err == nil || errors.Is(err, auth.ErrNotFrontendSchema) {
		t.Errorf("unreachable database: err = %v, want a connection error", err)
	}
}
