package pgstore_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/jobs/jobstest"
	"github.com/kaicode/kaicode/internal/store/pgstore"
	"github.com/kaicode/kaicode/internal/store/storetest"
	"github.com/kaicode/kaicode/internal/testenv"
)

// databaseURL returns the URL of a fresh database whose pools hold at most
// four connections, so parallel tests stay under the server's limit.
func databaseURL(t testing.TB) string {
	t.Helper()
	u, err := url.Parse(testenv.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("pool_max_conns", "4")
	u.RawQuery = q.Encode()
	return u.String()
}

// openPool opens a pool on dbURL, closed when t ends.
func openPool(t testing.TB, dbURL string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgstore.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// newStore makes a store on a pool of a fresh database.
func newStore[S any](t testing.TB, newS func(context.Context, *pgxpool.Pool) (S, error)) S {
	t.Helper()
	return newOn(t, openPool(t, databaseURL(t)), newS)
}

func TestJobsConformance(t *testing.T) {
	t.Parallel()
	jobstest.RunStore(t, func(t *testing.T) jobs.Store {
		return newStore(t, pgstore.NewJobs)
	})
}

func TestRoomsConformance(t *testing.T) {
	t.Parallel()
	storetest.RunRooms(t, func(t *testing.T) storetest.Rooms {
		return newStore(t, pgstore.NewRooms)
	})
}

func TestRoomTextsConformance(t *testing.T) {
	t.Parallel()
	storetest.RunRoomTexts(t, func(t *testing.T) storetest.RoomTexts {
		return newStore(t, pgstore.NewRoomTexts)
	})
}

func TestOpenRejectsBadURLs(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, url string }{
		{"unparsable", "postgres://%zz"},
		{"nobody listens", "postgres://u:p@127.0.0.1:1/db?connect_timeout=2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if pool, err := pgstore.Open(context.Background(), tt.url); err == nil {
				pool.Close()
				t.Errorf("Open(%q) succeeded", tt.url)
			}
		})
	}
}

func TestDocsConformance(t *testing.T) {
	t.Parallel()
	storetest.RunDocs(t, func(t *testing.T) storetest.Docs { return newStore(t, pgstore.NewDocs) })
}
