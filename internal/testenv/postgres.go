package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// PostgresURL returns the URL of a fresh, empty database on the test
// PostgreSQL server named by KAICODE_TEST_DATABASE_URL (scripts/test starts
// one and sets it), and drops the database when t ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("needs PostgreSQL; skipped with -short")
	}
	admin := os.Getenv("KAICODE_TEST_DATABASE_URL")
	if admin == "" {
		Missing(t, "KAICODE_TEST_DATABASE_URL is not set: run scripts/test, which starts PostgreSQL, or point it at a server where the user may CREATE DATABASE")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		Missing(t, "PostgreSQL at KAICODE_TEST_DATABASE_URL does not answer: %v", err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "kaicode_test_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("KAICODE_TEST_DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}
