package queue

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// DeadLetter is a message that was received SQLiteOptions.MaxReceives times
// without being deleted.
type DeadLetter struct {
	ID      string
	Body    []byte
	GroupID string
	// ReceiveCount is how many times the message was delivered.
	ReceiveCount int
	SentAt       time.Time
	DeadAt       time.Time
}

// DeadLetters returns up to limit dead letters of this queue, oldest first.
// They stay in the table (queue_dead_letters) until removed by hand.
func (q *SQLite) DeadLetters(ctx context.Context, limit int) ([]DeadLetter, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT id, body, group_id, receive_count, sent_at, dead_at
		FROM queue_dead_letters WHERE queue = ? ORDER BY id LIMIT ?`, q.opts.Name, limit)
	if err != nil {
		return nil, fmt.Errorf("queue: dead letters: %w", err)
	}
	defer rows.Close()
	var out []DeadLetter
	for rows.Next() {
		var (
			d            DeadLetter
			id           int64
			sent, deadAt int64
		)
		if err := rows.Scan(&id, &d.Body, &d.GroupID, &d.ReceiveCount, &sent, &deadAt); err != nil {
			return nil, fmt.Errorf("queue: dead letters: %w", err)
		}
		d.ID, d.SentAt, d.DeadAt = strconv.FormatInt(id, 10), time.UnixMilli(sent), time.UnixMilli(deadAt)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("queue: dead letters: %w", err)
	}
	return out, nil
}
