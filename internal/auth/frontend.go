package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrNotFrontendSchema means a PostgreSQL database lacks the existing
// frontend's tables (sessions, session_to_user_mapping, users).
var ErrNotFrontendSchema = errors.New("not the frontend's schema")

// frontendColumns are the columns the frontend database policy and its
// text writer rely on.
var frontendColumns = map[string][]string{
	"sessions":                {"id", "content", "is_anyone_allowed"},
	"session_to_user_mapping": {"session_id", "user_email"},
	"users":                   {"id", "email"},
}

// FrontendDB is the policy of the existing frontend's PostgreSQL database:
// a user may enter a session (room) when its is_anyone_allowed is true, or
// when session_to_user_mapping joins the user's email to it. The user is
// found by the token's userId (users.id) or its email claim. Anonymous
// users enter only sessions open to anyone; a room that is not a session's
// UUID is refused.
type FrontendDB struct {
	pool *pgxpool.Pool
}

var _ Policy = (*FrontendDB)(nil)

// NewFrontendDB checks that pool's database has the frontend's schema and
// returns its policy; ErrNotFrontendSchema when it has not.
func NewFrontendDB(ctx context.Context, pool *pgxpool.Pool) (*FrontendDB, error) {
	if err := checkFrontendSchema(ctx, pool); err != nil {
		return nil, err
	}
	return &FrontendDB{pool: pool}, nil
}

// checkFrontendSchema finds every column of frontendColumns in the
// current schema.
func checkFrontendSchema(ctx context.Context, pool *pgxpool.Pool) error {
	rows, err := pool.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = ANY($1)`,
		[]string{"sessions", "session_to_user_mapping", "users"})
	if err != nil {
		return fmt.Errorf("auth: read the database's schema: %w", err)
	}
	found := map[string]bool{}
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			return fmt.Errorf("auth: read the database's schema: %w", err)
		}
		found[table+"."+column] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("auth: read the database's schema: %w", err)
	}
	for table, columns := range frontendColumns {
		for _, c := range columns {
			if !found[table+"."+c] {
				return fmt.Errorf("auth: %w: no column %s.%s", ErrNotFrontendSchema, table, c)
			}
		}
	}
	return nil
}

// Access answers from sessions and session_to_user_mapping.
func (p *FrontendDB) Access(ctx context.Context, user User, room string) (Access, error) {
	id, err := uuid.Parse(room)
	if err != nil {
		return AccessNone, nil
	}
	var anyone, mapped bool
	err = p.pool.QueryRow(ctx, `
		SELECT coalesce(s.is_anyone_allowed, false),
		       EXISTS (SELECT 1 FROM session_to_user_mapping m
		               LEFT JOIN users u ON u.email = m.user_email
		               WHERE m.session_id = s.id
		                 AND (($2 <> '' AND u.id::text = $2) OR ($3 <> '' AND m.user_email = $3)))
		FROM sessions s WHERE s.id = $1`, id, user.ID, user.Email).Scan(&anyone, &mapped)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return AccessNone, nil
	case err != nil:
		return AccessNone, fmt.Errorf("auth: access of user %q to session %s: %w", user.ID, id, err)
	case anyone || mapped:
		return AccessWrite, nil
	}
	return AccessNone, nil
}
