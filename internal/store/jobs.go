package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/sandbox"
)

// Jobs stores code-execution jobs in SQLite, in the table "jobs".
type Jobs struct {
	db *sql.DB
}

var _ jobs.Store = (*Jobs)(nil)

const jobsSchema = `
CREATE TABLE IF NOT EXISTS jobs (
	id          TEXT PRIMARY KEY,
	room        TEXT NOT NULL,
	user_id     TEXT NOT NULL,
	language    TEXT NOT NULL,
	request     TEXT NOT NULL,   -- sandbox.Request as JSON
	status      TEXT NOT NULL,
	result      TEXT,            -- sandbox.Result as JSON, once finished
	error       TEXT NOT NULL DEFAULT '',
	attempts    INTEGER NOT NULL DEFAULT 0,
	created_at  INTEGER NOT NULL, -- Unix milliseconds
	started_at  INTEGER,
	finished_at INTEGER,
	enqueued_at INTEGER   -- null until the queue accepted its message
) STRICT;
CREATE INDEX IF NOT EXISTS jobs_unfinished_by_user
	ON jobs (user_id) WHERE status IN ('queued', 'running');
`

// jobsUnenqueuedIndex serves Unenqueued. It is created after
// addEnqueuedAt, since tables of older versions lack its column.
const jobsUnenqueuedIndex = `
CREATE INDEX IF NOT EXISTS jobs_unenqueued
	ON jobs (created_at) WHERE enqueued_at IS NULL AND status = 'queued'`

// NewJobs creates the jobs tables in db when missing, brings tables of
// older versions up to date and returns the store.
func NewJobs(ctx context.Context, db *sql.DB) (*Jobs, error) {
	if _, err := db.ExecContext(ctx, jobsSchema); err != nil {
		return nil, fmt.Errorf("store: create jobs tables: %w", err)
	}
	if err := addEnqueuedAt(ctx, db); err != nil {
		return nil, fmt.Errorf("store: add jobs.enqueued_at: %w", err)
	}
	if _, err := db.ExecContext(ctx, jobsUnenqueuedIndex); err != nil {
		return nil, fmt.Errorf("store: create jobs index: %w", err)
	}
	return &Jobs{db: db}, nil
}

// addEnqueuedAt adds the column enqueued_at to a jobs table of a version
// before it, counting every existing job as enqueued (they were, or their
// Submit failed). The check and the change are one transaction, which
// sqlitedb begins IMMEDIATE, so of several processes opening the file at
// once only the first changes it.
func addEnqueuedAt(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var has bool
	err = tx.QueryRowContext(ctx,
		`SELECT count(*) > 0 FROM pragma_table_info('jobs') WHERE name = 'enqueued_at'`).Scan(&has)
	if err != nil {
		return err
	}
	if has {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `ALTER TABLE jobs ADD COLUMN enqueued_at INTEGER`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE jobs SET enqueued_at = created_at`); err != nil {
		return err
	}
	return tx.Commit()
}

// Insert stores job unless its user has maxUnfinished unfinished jobs. One
// INSERT ... SELECT makes the check and the insert atomic.
func (s *Jobs) Insert(ctx context.Context, job jobs.Job, maxUnfinished int) error {
	req, err := json.Marshal(job.Request)
	if err != nil {
		return fmt.Errorf("store: insert job %s: encode request: %w", job.ID, err)
	}
	res, err := s.db.ExecContext(ctx, `
		INSERT INTO jobs (id, room, user_id, language, request, status, created_at)
		SELECT ?, ?, ?, ?, ?, ?, ?
		WHERE (SELECT count(*) FROM jobs
		       WHERE user_id = ? AND status IN ('queued', 'running')) < ?`,
		job.ID, job.Room, job.User, job.Request.Language, string(req), string(job.Status),
		job.CreatedAt.UnixMilli(), job.User, maxUnfinished)
	if err != nil {
		return fmt.Errorf("store: insert job %s: %w", job.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: insert job %s: %w", job.ID, err)
	} else if n == 0 {
		return fmt.Errorf("store: insert job %s for user %s: %w", job.ID, job.User, jobs.ErrUserBusy)
	}
	return nil
}

const jobColumns = `id, room, user_id, request, status, result, error, attempts,
	created_at, started_at, finished_at`

// Get returns the job with id.
func (s *Jobs) Get(ctx context.Context, id string) (jobs.Job, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = ?`, id)
	j, err := scanJob(row)
	if err != nil {
		return jobs.Job{}, fmt.Errorf("store: get job %s: %w", id, err)
	}
	return j, nil
}

// MarkEnqueued records at as the time the job's message was enqueued,
// unless a time is recorded already.
func (s *Jobs) MarkEnqueued(ctx context.Context, id string, at time.Time) error {
	res, err := s.db.ExecContext(ctx,
		`UPDATE jobs SET enqueued_at = coalesce(enqueued_at, ?) WHERE id = ?`, at.UnixMilli(), id)
	if err != nil {
		return fmt.Errorf("store: mark job %s enqueued: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: mark job %s enqueued: %w", id, err)
	} else if n == 0 {
		return fmt.Errorf("store: mark job %s enqueued: %w", id, jobs.ErrNotFound)
	}
	return nil
}

// Unenqueued returns the oldest queued jobs never marked enqueued.
func (s *Jobs) Unenqueued(ctx context.Context, createdBefore time.Time, limit int) ([]jobs.Job, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+jobColumns+` FROM jobs
		WHERE enqueued_at IS NULL AND status = 'queued' AND created_at < ?
		ORDER BY created_at, id LIMIT ?`, createdBefore.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: list unenqueued jobs: %w", err)
	}
	defer rows.Close()
	var list []jobs.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list unenqueued jobs: %w", err)
		}
		list = append(list, j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list unenqueued jobs: %w", err)
	}
	return list, nil
}

// Start marks the job running and counts the attempt, unless it is final.
func (s *Jobs) Start(ctx context.Context, id string, at time.Time) (jobs.Job, error) {
	row := s.db.QueryRowContext(ctx, `
		UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = ?
		WHERE id = ? AND status IN ('queued', 'running')
		RETURNING `+jobColumns, at.UnixMilli(), id)
	j, err := scanJob(row)
	if errors.Is(err, jobs.ErrNotFound) {
		// Final already, or absent: Get tells which.
		return s.Get(ctx, id)
	}
	if err != nil {
		return jobs.Job{}, fmt.Errorf("store: start job %s: %w", id, err)
	}
	return j, nil
}

// Finish stores o if the job has no outcome yet.
func (s *Jobs) Finish(ctx context.Context, id string, o jobs.Outcome) (bool, error) {
	if !o.Status.Final() {
		return false, fmt.Errorf("store: finish job %s: status %q is not final", id, o.Status)
	}
	var result sql.NullString
	if o.Result != nil {
		b, err := json.Marshal(o.Result)
		if err != nil {
			return false, fmt.Errorf("store: finish job %s: encode result: %w", id, err)
		}
		result = sql.NullString{String: string(b), Valid: true}
	}
	res, err := s.db.ExecContext(ctx, `
		UPDATE jobs SET status = ?, result = ?, error = ?, finished_at = ?
		WHERE id = ? AND status IN ('queued', 'running')`,
		string(o.Status), result, o.Error, o.At.UnixMilli(), id)
	if err != nil {
		return false, fmt.Errorf("store: finish job %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: finish job %s: %w", id, err)
	}
	return n == 1, nil
}

// Ping checks that the database answers.
func (s *Jobs) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// scanJob reads one row of jobColumns; sql.ErrNoRows becomes
// jobs.ErrNotFound.
func scanJob(row interface{ Scan(dest ...any) error }) (jobs.Job, error) {
	var (
		j                    jobs.Job
		req, status, errText string
		result               sql.NullString
		created              int64
		started, finished    sql.NullInt64
	)
	err := row.Scan(&j.ID, &j.Room, &j.User, &req, &status, &result, &errText, &j.Attempts,
		&created, &started, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return jobs.Job{}, jobs.ErrNotFound
	}
	if err != nil {
		return jobs.Job{}, err
	}
	if err := json.Unmarshal([]byte(req), &j.Request); err != nil {
		return jobs.Job{}, fmt.Errorf("decode request: %w", err)
	}
	if result.Valid {
		j.Result = new(sandbox.Result)
		if err := json.Unmarshal([]byte(result.String), j.Result); err != nil {
			return jobs.Job{}, fmt.Errorf("decode result: %w", err)
		}
	}
	j.Status, j.Error = jobs.Status(status), errText
	j.CreatedAt = time.UnixMilli(created)
	if started.Valid {
		j.StartedAt = time.UnixMilli(started.Int64)
	}
	if finished.Valid {
		j.FinishedAt = time.UnixMilli(finished.Int64)
	}
	return j, nil
}
