package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/kaicode/kaicode/internal/sqlitedb"
	"github.com/kaicode/kaicode/internal/store"
	"github.com/kaicode/kaicode/internal/store/storetest"
)

// openDB opens a fresh SQLite data file for one test.
func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sqlitedb.Open(context.Background(), filepath.Join(t.TempDir(), "kaicode.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestRoomsConformance(t *testing.T) {
	t.Parallel()
	storetest.RunRooms(t, func(t *testing.T) storetest.Rooms {
		r, err := store.NewRooms(context.Background(), openDB(t))
		if err != nil {
			t.Fatal(err)
		}
		return r
	})
}

func TestRoomTextsConformance(t *testing.T) {
	t.Parallel()
	storetest.RunRoomTexts(t, func(t *testing.T) storetest.RoomTexts {
		s, err := store.NewRoomTexts(context.Background(), openDB(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestDocsConformance(t *testing.T) {
	t.Parallel()
	storetest.RunDocs(t, func(t *testing.T) storetest.Docs {
		d, err := store.NewDocs(context.Background(), openDB(t))
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}
