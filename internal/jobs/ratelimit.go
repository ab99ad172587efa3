package jobs

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// userLimiter is a token bucket per user: perMinute tokens a minute, and a
// burst of the same size. Buckets that have refilled completely are
// forgotten, since a new bucket is identical; the sweep runs inline at most
// once a minute, so no goroutine is needed.
type userLimiter struct {
	limit rate.Limit
	burst int

	mu        sync.Mutex
	buckets   map[string]*rate.Limiter
	lastSweep time.Time
}

func newUserLimiter(perMinute int) *userLimiter {
	return &userLimiter{
		limit:   rate.Limit(float64(perMinute) / 60),
		burst:   perMinute,
		buckets: make(map[string]*rate.Limiter),
	}
}

// reserve takes a token for user at now. When none is available it takes
// nothing and returns how long until one is; otherwise it returns 0 and a
// function that gives the token back.
func (l *userLimiter) reserve(user string, now time.Time) (wait time.Duration, undo func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweepLocked(now)
	b := l.buckets[user]
	if b == nil {
		b = rate.NewLimiter(l.limit, l.burst)
		l.buckets[user] = b
	}
	r := b.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d, nil
	}
	return 0, func() { r.CancelAt(now) }
}

func (l *userLimiter) sweepLocked(now time.Time) {
	if now.Sub(l.lastSweep) < time.Minute {
		return
	}
	l.lastSweep = now
	for user, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.burst) {
			delete(l.buckets, user)
		}
	}
}
