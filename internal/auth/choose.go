package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Mode names the access policy a server runs with.
type Mode string

// The policies ChoosePolicy picks from.
const (
	// ModeAllowList: any valid token enters any room, except rooms with an
	// allow-list in the store (see AllowList).
	ModeAllowList Mode = "allow-list"
	// ModeFrontendDB: access follows the existing frontend's PostgreSQL
	// database (see FrontendDB).
	ModeFrontendDB Mode = "frontend-database"
)

// Choice is the policy ChoosePolicy picked.
type Choice struct {
	Mode   Mode
	Policy Policy
	// Frontend is the frontend database's pool in ModeFrontendDB, nil
	// otherwise; the caller closes it (Close does).
	Frontend *pgxpool.Pool
}

// Close releases the frontend database's pool, if any.
func (c Choice) Close() {
	if c.Frontend != nil {
		c.Frontend.Close()
	}
}

// ChoosePolicy picks the frontend database policy when databaseURL is set
// and its database has the frontend's schema, and the allow-list policy
// over allowList otherwise. A databaseURL that cannot be reached is an
// error, not a silent fallback.
func ChoosePolicy(ctx context.Context, databaseURL string, allowList AllowListStore) (Choice, error) {
	fallback := Choice{Mode: ModeAllowList, Policy: NewAllowList(allowList)}
	if databaseURL == "" {
		return fallback, nil
	}
	pool, err := pgxpool.New(ctx, databaseURL)
	if err != nil {
		return Choice{}, fmt.Errorf("auth: open DATABASE_URL: %w", err)
	}
	p, err := NewFrontendDB(ctx, pool)
	switch {
	case errors.Is(err, ErrNotFrontendSchema):
		pool.Close()
		return fallback, nil
	case err != nil:
		pool.Close()
		return Choice{}, err
	}
	return Choice{Mode: ModeFrontendDB, Policy: p, Frontend: pool}, nil
}
