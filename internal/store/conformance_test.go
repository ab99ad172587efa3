package store_test

import (
	"context"
	"testing"

	"github.com/kaicode/kaicode/internal/store"
	"github.com/kaicode/kaicode/internal/store/storetest"
	"github.com/kaicode/kaicode/internal/testenv"
)

func TestRoomsConformance(t *testing.T) {
	t.Parallel()
	storetest.RunRooms(t, func(t *testing.T) storetest.Rooms {
		r, err := store.NewRooms(context.Background(), testenv.SQLite(t))
		if err != nil {
			t.Fatal(err)
		}
		return r
	})
}

func TestRoomTextsConformance(t *testing.T) {
	t.Parallel()
	storetest.RunRoomTexts(t, func(t *testing.T) storetest.RoomTexts {
		s, err := store.NewRoomTexts(context.Background(), testenv.SQLite(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestDocsConformance(t *testing.T) {
	t.Parallel()
	storetest.RunDocs(t, func(t *testing.T) storetest.Docs {
		d, err := store.NewDocs(context.Background(), testenv.SQLite(t))
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
}
