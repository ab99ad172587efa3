package pgstore_test

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/sandbox"
	"github.com/kaicode/kaicode/internal/store"
	"github.com/kaicode/kaicode/internal/store/pgstore"
	"github.com/kaicode/kaicode/internal/store/storetest"
	"github.com/kaicode/kaicode/internal/testenv"
)

// backend names one of the two storage engines and opens a store on it.
type backend[S any] struct {
	name string
	open func(b *testing.B) S
}

// jobBackends returns the SQLite and the PostgreSQL jobs store.
func jobBackends() []backend[jobs.Store] {
	return []backend[jobs.Store]{
		{"sqlite", func(b *testing.B) jobs.Store {
			s, err := store.NewJobs(context.Background(), testenv.SQLite(b))
			if err != nil {
				b.Fatal(err)
			}
			return s
		}},
		{"postgres", func(b *testing.B) jobs.Store { return newStore(b, pgstore.NewJobs) }},
	}
}

// BenchmarkJobLifecycle measures one job's trip through the store: Insert
// (with the per-user bound), Start, Finish. Serial is one submitter at a
// time; Parallel runs GOMAXPROCS goroutines with distinct users.
func BenchmarkJobLifecycle(b *testing.B) {
	for _, be := range jobBackends() {
		b.Run(be.name+"/serial", func(b *testing.B) {
			s := be.open(b)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				jobLifecycle(b, s, fmt.Sprint("job-", i), "u")
			}
		})
		b.Run(be.name+"/parallel", func(b *testing.B) {
			s := be.open(b)
			var users, ids atomic.Int64
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				user := fmt.Sprint("u", users.Add(1))
				for pb.Next() {
					jobLifecycle(b, s, fmt.Sprint("job-", ids.Add(1)), user)
				}
			})
		})
	}
}

// docsBackends returns the SQLite and the PostgreSQL document store.
func docsBackends() []backend[storetest.Docs] {
	return []backend[storetest.Docs]{
		{"sqlite", func(b *testing.B) storetest.Docs {
			d, err := store.NewDocs(context.Background(), testenv.SQLite(b))
			if err != nil {
				b.Fatal(err)
			}
			return d
		}},
		{"postgres", func(b *testing.B) storetest.Docs { return newStore(b, pgstore.NewDocs) }},
	}
}

// BenchmarkDocsAppend measures the collaboration server's persistence of
// one batch of small Yjs updates (typing), as one durable Append, for
// batches of 1 and 16 updates of 40 bytes.
func BenchmarkDocsAppend(b *testing.B) {
	for _, be := range docsBackends() {
		for _, n := range []int{1, 16} {
			b.Run(fmt.Sprintf("%s/updates=%d", be.name, n), func(b *testing.B) {
				d := be.open(b)
				batch := make([][]byte, n)
				for i := range batch {
					batch[i] = bytes.Repeat([]byte{byte(i)}, 40)
				}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := d.Append(context.Background(), "room", batch); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func jobLifecycle(b *testing.B, s jobs.Store, id, user string) {
	ctx := context.Background()
	j := jobs.Job{ID: id, Room: "room", User: user, Status: jobs.StatusQueued, CreatedAt: time.Now(),
		Request: sandbox.Request{Language: "python", Files: []sandbox.File{{Name: "main.py", Content: "print(42)"}}}}
	if err := s.Insert(ctx, j, 10); err != nil {
		b.Fatal(err)
	}
	if _, err := s.Start(ctx, id, time.Now()); err != nil {
		b.Fatal(err)
	}
	res := &sandbox.Result{Status: sandbox.StatusOK, Stdout: "42\n", WallTime: 30 * time.Millisecond}
	if ok, err := s.Finish(ctx, id, jobs.Outcome{Status: jobs.StatusFinished, Result: res, At: time.Now()}); !ok || err != nil {
		b.Fatalf("Finish = %v, %v", ok, err)
	}
}
