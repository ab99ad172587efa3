package queue

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"
)

var _ Queue = (*SQLite)(nil)

// SQLiteOptions configures a SQLite queue. The zero value is a standard
// queue named "jobs" with the defaults below.
type SQLiteOptions struct {
	// Name tells apart queues that share the tables. Default "jobs".
	Name string
	// VisibilityTimeout is how long a received message stays hidden.
	// Default 30s.
	VisibilityTimeout time.Duration
	// MaxReceives is how many times a message is delivered: a receive that
	// would deliver it once more moves it to the dead letters instead (like
	// an SQS redrive policy's maxReceiveCount). Default 5; negative keeps
	// messages forever.
	MaxReceives int
	// FIFO makes the queue order messages by SendOptions.GroupID and drop
	// sends with a repeated SendOptions.DedupID. Default false (standard).
	FIFO bool
	// PollInterval is how often a waiting Receive looks for messages sent by
	// other processes; sends through this *SQLite wake it at once. Default
	// 250ms.
	PollInterval time.Duration
}

func (o *SQLiteOptions) setDefaults() error {
	if o.Name == "" {
		o.Name = "jobs"
	}
	if o.VisibilityTimeout == 0 {
		o.VisibilityTimeout = 30 * time.Second
	}
	if o.MaxReceives == 0 {
		o.MaxReceives = 5
	}
	if o.PollInterval == 0 {
		o.PollInterval = 250 * time.Millisecond
	}
	switch {
	case o.VisibilityTimeout < time.Millisecond:
		return fmt.Errorf("queue: SQLiteOptions.VisibilityTimeout %v is below 1ms", o.VisibilityTimeout)
	case o.PollInterval < time.Millisecond:
		return fmt.Errorf("queue: SQLiteOptions.PollInterval %v is below 1ms", o.PollInterval)
	}
	return nil
}

// SQLite is a queue kept in tables of a SQLite database (prefix "queue_").
// It is durable: messages, their receive counts and visibility survive a
// restart. Any number of *SQLite values, in one process or several, may use
// the same queue in the same file; each delivery is claimed in a write
// transaction, so a message is in flight with one receiver at a time.
//
// Open the database with sqlitedb.Open (WAL and a busy timeout are needed for
// concurrent use). Share one *SQLite per process between senders and
// receivers so that a send wakes waiting receivers at once; receivers in other
// processes notice it within SQLiteOptions.PollInterval.
type SQLite struct {
	db   *sql.DB
	opts SQLiteOptions

	sent      signal
	done      chan struct{}
	closeOnce sync.Once
}

// NewSQLite returns the queue opts.Name in db, creating its tables if needed.
// The caller keeps ownership of db.
func NewSQLite(ctx context.Context, db *sql.DB, opts SQLiteOptions) (*SQLite, error) {
	if err := opts.setDefaults(); err != nil {
		return nil, err
	}
	for _, stmt := range schema {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("queue: create tables: %w", err)
		}
	}
	return &SQLite{db: db, opts: opts, done: make(chan struct{})}, nil
}

// schema keeps messages waiting or in flight in queue_messages, and those
// that exceeded MaxReceives in queue_dead_letters. Times are Unix
// milliseconds. A message is visible when visible_at <= now.
var schema = []string{
	`CREATE TABLE IF NOT EXISTS queue_messages (
		id            INTEGER PRIMARY KEY AUTOINCREMENT,
		queue         TEXT    NOT NULL,
		body          BLOB    NOT NULL,
		group_id      TEXT    NOT NULL DEFAULT '',
		dedup_id      TEXT    NOT NULL DEFAULT '',
		receive_count INTEGER NOT NULL DEFAULT 0,
		receipt       TEXT    NOT NULL DEFAULT '',
		visible_at    INTEGER NOT NULL,
		sent_at       INTEGER NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS queue_messages_visible ON queue_messages (queue, visible_at)`,
	`CREATE INDEX IF NOT EXISTS queue_messages_group ON queue_messages (queue, group_id, id)`,
	`CREATE UNIQUE INDEX IF NOT EXISTS queue_messages_dedup ON queue_messages (queue, dedup_id) WHERE dedup_id != ''`,
	`CREATE TABLE IF NOT EXISTS queue_dead_letters (
		id            INTEGER PRIMARY KEY,
		queue         TEXT    NOT NULL,
		body          BLOB    NOT NULL,
		group_id      TEXT    NOT NULL,
		receive_count INTEGER NOT NULL,
		sent_at       INTEGER NOT NULL,
		dead_at       INTEGER NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS queue_dead_letters_queue ON queue_dead_letters (queue, id)`,
}

// Send enqueues body. On a FIFO queue a DedupID already in the queue makes
// Send a no-op.
func (q *SQLite) Send(ctx context.Context, body []byte, opts SendOptions) error {
	if q.closed() {
		return ErrClosed
	}
	group, dedup := "", ""
	if q.opts.FIFO {
		group, dedup = opts.GroupID, opts.DedupID
	}
	if body == nil {
		body = []byte{}
	}
	now := time.Now().UnixMilli()
	_, err := q.db.ExecContext(ctx, `INSERT INTO queue_messages (queue, body, group_id, dedup_id, visible_at, sent_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (queue, dedup_id) WHERE dedup_id != '' DO NOTHING`,
		q.opts.Name, body, group, dedup, now, now)
	if err != nil {
		return fmt.Errorf("queue: send: %w", err)
	}
	q.sent.broadcast()
	return nil
}

// Receive waits up to wait for at most max messages. It sleeps until a send
// through this *SQLite, until a hidden message's timeout lapses, or for at
// most PollInterval, whichever comes first.
func (q *SQLite) Receive(ctx context.Context, max int, wait time.Duration) ([]Message, error) {
	max = clampMax(max, 0)
	deadline := time.Now().Add(wait)
	for {
		if q.closed() {
			return nil, ErrClosed
		}
		woken := q.sent.wait() // taken before claiming, so no send is missed
		msgs, next, err := q.claim(ctx, max)
		if err != nil || len(msgs) > 0 {
			return msgs, err
		}
		nap := min(time.Until(deadline), q.opts.PollInterval)
		if next > 0 {
			nap = min(nap, next)
		}
		if nap <= 0 {
			return nil, nil
		}
		timer := time.NewTimer(nap)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, fmt.Errorf("queue: receive: %w", context.Cause(ctx))
		case <-q.done:
			timer.Stop()
			return nil, ErrClosed
		case <-woken:
			timer.Stop()
		case <-timer.C:
		}
	}
}

// claim hides up to max visible messages under a new receipt, moving those
// past MaxReceives to the dead letters. When it finds none, next is the time
// until the earliest hidden message becomes visible (0 if there is none).
func (q *SQLite) claim(ctx context.Context, max int) (msgs []Message, next time.Duration, err error) {
	tx, err := q.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("queue: receive: %w", err)
	}
	defer tx.Rollback()
	now := time.Now()
	receipt, err := newReceipt()
	if err != nil {
		return nil, 0, fmt.Errorf("queue: receive: %w", err)
	}
	claimSQL := claimStandard
	if q.opts.FIFO {
		claimSQL = claimFIFO
	}
	hideUntil := now.Add(q.opts.VisibilityTimeout).UnixMilli()
	for {
		got, buried, err := q.claimOnce(ctx, tx, claimSQL, receipt, hideUntil, now.UnixMilli(), max-len(msgs))
		if err != nil {
			return nil, 0, fmt.Errorf("queue: receive: %w", err)
		}
		msgs = append(msgs, got...)
		if buried == 0 || len(msgs) == max {
			break
		}
	}
	if len(msgs) == 0 {
		var at sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT MIN(visible_at) FROM queue_messages WHERE queue = ? AND visible_at > ?`,
			q.opts.Name, now.UnixMilli()).Scan(&at)
		if err != nil {
			return nil, 0, fmt.Errorf("queue: receive: %w", err)
		}
		if at.Valid {
			next = time.UnixMilli(at.Int64).Sub(now)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, 0, fmt.Errorf("queue: receive: %w", err)
	}
	slices.SortFunc(msgs, func(a, b Message) int { return cmpID(a.ID, b.ID) })
	return msgs, next, nil
}

// The claim statements take receipt, hide-until, queue, now and limit.
// FIFO claims only the oldest message of each group, and none of a group
// whose oldest message is in flight.
const (
	claimStandard = `UPDATE queue_messages SET receive_count = receive_count + 1, receipt = ?1, visible_at = ?2
		WHERE id IN (SELECT id FROM queue_messages WHERE queue = ?3 AND visible_at <= ?4 ORDER BY visible_at, id LIMIT ?5)
		RETURNING id, body, receive_count`
	claimFIFO = `UPDATE queue_messages SET receive_count = receive_count + 1, receipt = ?1, visible_at = ?2
		WHERE id IN (SELECT m.id FROM queue_messages m WHERE m.queue = ?3 AND m.visible_at <= ?4
			AND NOT EXISTS (SELECT 1 FROM queue_messages p WHERE p.queue = m.queue AND p.group_id = m.group_id AND p.id < m.id)
			ORDER BY m.id LIMIT ?5)
		RETURNING id, body, receive_count`
)

func (q *SQLite) claimOnce(ctx context.Context, tx *sql.Tx, claimSQL, receipt string, hideUntil, now int64, limit int) (msgs []Message, buried int, err error) {
	rows, err := tx.QueryContext(ctx, claimSQL, receipt, hideUntil, q.opts.Name, now, limit)
	if err != nil {
		return nil, 0, err
	}
	var dead []int64
	for rows.Next() {
		var (
			id int64
			m  Message
		)
		if err := rows.Scan(&id, &m.Body, &m.ReceiveCount); err != nil {
			rows.Close()
			return nil, 0, err
		}
		if q.opts.MaxReceives > 0 && m.ReceiveCount > q.opts.MaxReceives {
			dead = append(dead, id)
			continue
		}
		m.ID, m.Receipt = strconv.FormatInt(id, 10), receipt
		msgs = append(msgs, m)
	}
	if err := rows.Close(); err != nil {
		return nil, 0, err
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	for _, id := range dead {
		if err := bury(ctx, tx, id, now); err != nil {
			return nil, 0, err
		}
	}
	return msgs, len(dead), nil
}

// bury moves message id to the dead letters. Its receive count there is the
// number of deliveries, not counting the claim that found it dead.
func bury(ctx context.Context, tx *sql.Tx, id, now int64) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO queue_dead_letters (id, queue, body, group_id, receive_count, sent_at, dead_at)
		SELECT id, queue, body, group_id, receive_count - 1, sent_at, ? FROM queue_messages WHERE id = ?`, now, id); err != nil {
		return fmt.Errorf("dead-letter %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM queue_messages WHERE id = ?`, id); err != nil {
		return fmt.Errorf("dead-letter %d: %w", id, err)
	}
	return nil
}

// Delete acknowledges m. With the receipt of an earlier delivery it returns
// ErrReceiptExpired and leaves the message alone.
func (q *SQLite) Delete(ctx context.Context, m Message) error {
	if q.closed() {
		return ErrClosed
	}
	id, err := parseID(m.ID)
	if err != nil {
		return fmt.Errorf("queue: delete: %w", err)
	}
	res, err := q.db.ExecContext(ctx, `DELETE FROM queue_messages WHERE id = ? AND queue = ? AND receipt = ?`, id, q.opts.Name, m.Receipt)
	if err != nil {
		return fmt.Errorf("queue: delete %s: %w", m.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	var exists bool
	err = q.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM queue_messages WHERE id = ? AND queue = ?)`, id, q.opts.Name).Scan(&exists)
	switch {
	case err != nil:
		return fmt.Errorf("queue: delete %s: %w", m.ID, err)
	case exists:
		return fmt.Errorf("queue: delete %s: %w", m.ID, ErrReceiptExpired)
	}
	return nil
}

// Extend hides m for d from now, if m is still in flight under its receipt.
func (q *SQLite) Extend(ctx context.Context, m Message, d time.Duration) error {
	if q.closed() {
		return ErrClosed
	}
	if d < 0 {
		return fmt.Errorf("queue: extend %s: negative duration %v", m.ID, d)
	}
	id, err := parseID(m.ID)
	if err != nil {
		return fmt.Errorf("queue: extend: %w", err)
	}
	now := time.Now()
	res, err := q.db.ExecContext(ctx, `UPDATE queue_messages SET visible_at = ?
		WHERE id = ? AND queue = ? AND receipt = ? AND visible_at > ?`,
		now.Add(d).UnixMilli(), id, q.opts.Name, m.Receipt, now.UnixMilli())
	if err != nil {
		return fmt.Errorf("queue: extend %s: %w", m.ID, err)
	}
	n, err := res.RowsAffected()
	switch {
	case err != nil:
		return fmt.Errorf("queue: extend %s: %w", m.ID, err)
	case n == 0:
		return fmt.Errorf("queue: extend %s: %w", m.ID, ErrReceiptExpired)
	}
	if d == 0 {
		q.sent.broadcast()
	}
	return nil
}

// Depth returns the number of visible messages (on a FIFO queue, including
// those held back behind their group's message in flight).
func (q *SQLite) Depth(ctx context.Context) (int, error) {
	if q.closed() {
		return 0, ErrClosed
	}
	var n int
	err := q.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM queue_messages WHERE queue = ? AND visible_at <= ?`,
		q.opts.Name, time.Now().UnixMilli()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("queue: depth: %w", err)
	}
	return n, nil
}

// Close wakes waiting receivers with ErrClosed. It leaves the *sql.DB open.
func (q *SQLite) Close() error {
	q.closeOnce.Do(func() { close(q.done) })
	return nil
}

func (q *SQLite) closed() bool {
	select {
	case <-q.done:
		return true
	default:
		return false
	}
}

func newReceipt() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("message ID %q is not one of this queue's", s)
	}
	return id, nil
}

// cmpID orders decimal IDs numerically.
func cmpID(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// clampMax bounds a Receive's max to [1, limit]; limit 0 means no upper bound.
func clampMax(max, limit int) int {
	if max < 1 {
		max = 1
	}
	if limit > 0 && max > limit {
		max = limit
	}
	return max
}
