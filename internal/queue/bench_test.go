package queue_test

import (
	"context"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/queue"
	"github.com/kaicode/kaicode/internal/queue/queuetest"
)

// BenchmarkSendReceiveDelete measures one message's round trip: Send,
// Receive, Delete, one after the other.
func BenchmarkSendReceiveDelete(b *testing.B) {
	body := []byte(`{"job":"0190c3a2-7f00-7000-8000-000000000000","room":"r1","language":"python","code":"print(1)"}`)
	b.Run("SQLite", func(b *testing.B) {
		benchRoundTrip(b, newSQLite(b, queue.SQLiteOptions{}), body)
	})
	b.Run("SQLiteFIFO", func(b *testing.B) {
		benchRoundTrip(b, newSQLite(b, queue.SQLiteOptions{FIFO: true}), body)
	})
	b.Run("LocalSQS", func(b *testing.B) {
		benchRoundTrip(b, newSQS(b, queuetest.StartLocalSQS(b), false, time.Minute), body)
	})
}

func benchRoundTrip(b *testing.B, q queue.Queue, body []byte) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := q.Send(ctx, body, queue.SendOptions{GroupID: "r1"}); err != nil {
			b.Fatal(err)
		}
		msgs, err := q.Receive(ctx, 1, time.Second)
		if err != nil || len(msgs) != 1 {
			b.Fatalf("Receive = %v, %v", msgs, err)
		}
		if err := q.Delete(ctx, msgs[0]); err != nil {
			b.Fatal(err)
		}
	}
}
