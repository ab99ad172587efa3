package roomsync

import (
	"time"

	"golang.org/x/time/rate"
)

// floodLimiter bounds the messages of one connection: rate a second with
// bursts of twice that. A connection that keeps sending after it was told
// to slow down (a further burst of refused messages) is flooding.
type floodLimiter struct {
	limiter *rate.Limiter
	now     func() time.Time
	refused int
	burst   int
}

func newFloodLimiter(perSecond int, now func() time.Time) *floodLimiter {
	return &floodLimiter{limiter: rate.NewLimiter(rate.Limit(perSecond), 2*perSecond), now: now, burst: 2 * perSecond}
}

// allow takes a token for one message.
func (f *floodLimiter) allow() bool {
	if f.limiter.AllowN(f.now(), 1) {
		f.refused = 0
		return true
	}
	f.refused++
	return false
}

// flooding reports whether a full burst was refused in a row.
func (f *floodLimiter) flooding() bool { return f.refused > f.burst }
