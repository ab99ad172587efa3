package docker

import (
	"context"
	"time"

	"github.com/kaicode/kaicode/internal/sandbox"
)

// pool holds started containers of one language, with the language's
// default memory limit, each waiting for its one request.
type pool struct {
	lang   sandbox.Language
	memory int64
	ready  chan *box     // capacity: the pool's size
	wake   chan struct{} // capacity 1: a container was taken
}

func newPool(lang sandbox.Language, size int) *pool {
	return &pool{
		lang:   lang,
		memory: max(lang.DefaultCompile.Memory, lang.DefaultRun.Memory),
		ready:  make(chan *box, size),
		wake:   make(chan struct{}, 1),
	}
}

// take returns a ready container, if there is one, and asks for a
// replacement.
func (p *pool) take() (*box, bool) {
	select {
	case b := <-p.ready:
		select {
		case p.wake <- struct{}{}:
		default:
		}
		return b, true
	default:
		return nil, false
	}
}

// drain empties the pool.
func (p *pool) drain() []*box {
	var out []*box
	for {
		select {
		case b := <-p.ready:
			out = append(out, b)
		default:
			return out
		}
	}
}

// refill keeps p full until ctx is done. Only refill adds to p.ready, so
// a send never blocks. Failures are logged and retried with backoff.
// Containers start one at a time: on a small machine the engine, not the
// number of requests in flight, bounds how fast they start.
func (s *Sandbox) refill(ctx context.Context, p *pool) {
	const minBackoff, maxBackoff = 100 * time.Millisecond, 10 * time.Second
	backoff := minBackoff
	for {
		for len(p.ready) < cap(p.ready) && ctx.Err() == nil {
			b, err := s.startBox(ctx, p.lang, p.memory)
			if err != nil {
				if ctx.Err() == nil {
					s.opts.Logger.Warn("sandbox: refilling the pool", "language", p.lang.Name, "err", err, "retry_in", backoff)
				}
				select {
				case <-ctx.Done():
				case <-time.After(backoff):
				}
				backoff = min(2*backoff, maxBackoff)
				continue
			}
			backoff = minBackoff
			p.ready <- b
			s.metrics.poolReady(p.lang.Name, len(p.ready))
		}
		select {
		case <-ctx.Done():
			return
		case <-p.wake:
			s.metrics.poolReady(p.lang.Name, len(p.ready))
		}
	}
}
