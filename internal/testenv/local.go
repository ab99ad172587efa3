package testenv

import (
	"context"
	"database/sql"
	"net"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/kaicode/kaicode/internal/sqlitedb"
)

// SQLite opens a fresh data file in a temporary folder, as a server opens
// its own, and closes it when tb ends.
func SQLite(tb testing.TB) *sql.DB {
	tb.Helper()
	return OpenSQLite(tb, filepath.Join(tb.TempDir(), "kaicode.db"))
}

// OpenSQLite opens the data file at path and closes it when tb ends.
func OpenSQLite(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	db, err := sqlitedb.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// FreeAddr returns a loopback address with a port that was free a moment
// ago, for a server the test starts in another process.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// BuildKaicode builds cmd/kaicode into dir and returns the binary's path;
// race adds the race detector.
func BuildKaicode(tb testing.TB, dir string, race bool) string {
	tb.Helper()
	bin := filepath.Join(dir, "kaicode")
	args := []string{"build", "-o", bin}
	if race {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, "./cmd/kaicode")...)
	cmd.Dir = RepoRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build ./cmd/kaicode: %v\n%s", err, out)
	}
	return bin
}
