package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/sandbox"
)

// Jobs stores code-execution jobs in PostgreSQL, in the table kaicode.jobs.
type Jobs struct {
	pool *pgxpool.Pool
}

var _ jobs.Store = (*Jobs)(nil)

// jobsSchema keeps request and result as JSON text, not jsonb: jsonb
// refuses the \u0000 escape that a program's output may need.
const jobsSchema = `
CREATE TABLE IF NOT EXISTS kaicode.jobs (
	id          text PRIMARY KEY,
	room        text NOT NULL,
	user_id     text NOT NULL,
	language    text NOT NULL,
	request     text NOT NULL,
	status      text NOT NULL,
	result      text,
	error       text NOT NULL DEFAULT '',
	attempts    integer NOT NULL DEFAULT 0,
	created_at  timestamptz NOT NULL,
	started_at  timestamptz,
	finished_at timestamptz,
	enqueued_at timestamptz -- null until the queue accepted its message
);
CREATE INDEX IF NOT EXISTS jobs_unfinished_by_user
	ON kaicode.jobs (user_id) WHERE status IN ('queued', 'running');
` + jobsAddEnqueuedAt + `
CREATE INDEX IF NOT EXISTS jobs_unenqueued
	ON kaicode.jobs (created_at) WHERE enqueued_at IS NULL AND status = 'queued';
`

// jobsAddEnqueuedAt adds the column enqueued_at to a jobs table of a
// version before it, counting every existing job as enqueued (they were, or
// their Submit failed). migrate runs it under its lock, so only once.
const jobsAddEnqueuedAt = `
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_attribute
	               WHERE attrelid = 'kaicode.jobs'::regclass AND attname = 'enqueued_at' AND NOT attisdropped) THEN
		ALTER TABLE kaicode.jobs ADD COLUMN enqueued_at timestamptz;
		UPDATE kaicode.jobs SET enqueued_at = created_at;
	END IF;
END $$;`

// NewJobs creates the jobs table when missing, brings a table of an older
// version up to date and returns the store.
func NewJobs(ctx context.Context, pool *pgxpool.Pool) (*Jobs, error) {
	if err := migrate(ctx, pool, "jobs", jobsSchema); err != nil {
		return nil, err
	}
	return &Jobs{pool: pool}, nil
}

// Insert stores job unless its user has maxUnfinished unfinished jobs.
// Under READ COMMITTED a count and an insert are not atomic on their own,
// so the insert first takes the user's advisory lock: its count then sees
// every insert of that user committed before. The two statements go in one
// batch, which PostgreSQL runs as one implicit transaction (the lock is
// held until it commits), in one round trip.
func (s *Jobs) Insert(ctx context.Context, job jobs.Job, maxUnfinished int) error {
	req, err := json.Marshal(job.Request)
	if err != nil {
		return fmt.Errorf("pgstore: insert job %s: encode request: %w", job.ID, err)
	}
	b := &pgx.Batch{}
	b.Queue(lockKey, lockJobsUser, job.User)
	insert := b.Queue(`
		INSERT INTO kaicode.jobs (id, room, user_id, language, request, status, created_at)
		SELECT $1, $2, $3, $4, $5, $6, $7
		WHERE (SELECT count(*) FROM kaicode.jobs
		       WHERE user_id = $3 AND status IN ('queued', 'running')) < $8`,
		job.ID, job.Room, job.User, job.Request.Language, string(req), string(job.Status),
		millis(job.CreatedAt), maxUnfinished)
	var inserted bool
	insert.Exec(func(tag pgconn.CommandTag) error {
		inserted = tag.RowsAffected() == 1
		return nil
	})
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("pgstore: insert job %s: %w", job.ID, err)
	}
	if !inserted {
		return fmt.Errorf("pgstore: insert job %s for user %s: %w", job.ID, job.User, jobs.ErrUserBusy)
	}
	return nil
}

const jobColumns = `id, room, user_id, request, status, result, error, attempts,
	created_at, started_at, finished_at`

// Get returns the job with id.
func (s *Jobs) Get(ctx context.Context, id string) (jobs.Job, error) {
	j, err := scanJob(s.pool.QueryRow(ctx, `SELECT `+jobColumns+` FROM kaicode.jobs WHERE id = $1`, id))
	if err != nil {
		return jobs.Job{}, fmt.Errorf("pgstore: get job %s: %w", id, err)
	}
	return j, nil
}

// MarkEnqueued records at as the time the job's message was enqueued,
// unless a time is recorded already.
func (s *Jobs) MarkEnqueued(ctx context.Context, id string, at time.Time) error {
	tag, err := s.pool.Exec(ctx,
		`UPDATE kaicode.jobs SET enqueued_at = coalesce(enqueued_at, $1) WHERE id = $2`, millis(at), id)
	if err != nil {
		return fmt.Errorf("pgstore: mark job %s enqueued: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("pgstore: mark job %s enqueued: %w", id, jobs.ErrNotFound)
	}
	return nil
}

// Unenqueued returns the oldest queued jobs never marked enqueued.
func (s *Jobs) Unenqueued(ctx context.Context, createdBefore time.Time, limit int) ([]jobs.Job, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+jobColumns+` FROM kaicode.jobs
		WHERE enqueued_at IS NULL AND status = 'queued' AND created_at < $1
		ORDER BY created_at, id LIMIT $2`, millis(createdBefore), limit)
	if err != nil {
		return nil, fmt.Errorf("pgstore: list unenqueued jobs: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (jobs.Job, error) { return scanJob(row) })
	if err != nil {
		return nil, fmt.Errorf("pgstore: list unenqueued jobs: %w", err)
	}
	return list, nil
}

// Start marks the job running and counts the attempt, unless it is final.
func (s *Jobs) Start(ctx context.Context, id string, at time.Time) (jobs.Job, error) {
	j, err := scanJob(s.pool.QueryRow(ctx, `
		UPDATE kaicode.jobs SET status = 'running', attempts = attempts + 1, started_at = $1
		WHERE id = $2 AND status IN ('queued', 'running')
		RETURNING `+jobColumns, millis(at), id))
	if errors.Is(err, jobs.ErrNotFound) {
		// Final already, or absent: Get tells which.
		return s.Get(ctx, id)
	}
	if err != nil {
		return jobs.Job{}, fmt.Errorf("pgstore: start job %s: %w", id, err)
	}
	return j, nil
}

// Finish stores o if the job has no outcome yet. A concurrent Finish of the
// same job waits for the row lock and then re-checks the status, so only
// one of them writes.
func (s *Jobs) Finish(ctx context.Context, id string, o jobs.Outcome) (bool, error) {
	if !o.Status.Final() {
		return false, fmt.Errorf("pgstore: finish job %s: status %q is not final", id, o.Status)
	}
	var result *string
	if o.Result != nil {
		b, err := json.Marshal(o.Result)
		if err != nil {
			return false, fmt.Errorf("pgstore: finish job %s: encode result: %w", id, err)
		}
		r := string(b)
		result = &r
	}
	tag, err := s.pool.Exec(ctx, `
		UPDATE kaicode.jobs SET status = $1, result = $2, error = $3, finished_at = $4
		WHERE id = $5 AND status IN ('queued', 'running')`,
		string(o.Status), result, o.Error, millis(o.At), id)
	if err != nil {
		return false, fmt.Errorf("pgstore: finish job %s: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}

// Ping checks that the database answers.
func (s *Jobs) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("pgstore: ping: %w", err)
	}
	return nil
}

// scanJob reads one row of jobColumns; pgx.ErrNoRows becomes
// jobs.ErrNotFound.
func scanJob(row pgx.Row) (jobs.Job, error) {
	var (
		j                    jobs.Job
		req, status, errText string
		result               *string
		started, finished    *time.Time
	)
	err := row.Scan(&j.ID, &j.Room, &j.User, &req, &status, &result, &errText, &j.Attempts,
		&j.CreatedAt, &started, &finished)
	if errors.Is(err, pgx.ErrNoRows) {
		return jobs.Job{}, jobs.ErrNotFound
	}
	if err != nil {
		return jobs.Job{}, err
	}
	if err := json.Unmarshal([]byte(req), &j.Request); err != nil {
		return jobs.Job{}, fmt.Errorf("decode request: %w", err)
	}
	if result != nil {
		j.Result = new(sandbox.Result)
		if err := json.Unmarshal([]byte(*result), j.Result); err != nil {
			return jobs.Job{}, fmt.Errorf("decode result: %w", err)
		}
	}
	j.Status, j.Error = jobs.Status(status), errText
	if started != nil {
		j.StartedAt = *started
	}
	if finished != nil {
		j.FinishedAt = *finished
	}
	return j, nil
}
