package collab

import "sync"

// sendQueue is a connection's bounded queue of encoded messages. It grows
// only as far as it is used, so an idle connection holds no buffer. Push
// never blocks: it reports false when the queue is full, and the caller drops
// the connection.
type sendQueue struct {
	mu    sync.Mutex
	items [][]byte
	limit int
	// ready has room for one token: it holds one whenever items is not
	// empty, so the writer sleeps on it without polling.
	ready chan struct{}
}

func newSendQueue(limit int) *sendQueue {
	return &sendQueue{limit: limit, ready: make(chan struct{}, 1)}
}

// push appends msg, or reports false when limit messages are waiting.
func (q *sendQueue) push(msg []byte) bool {
	q.mu.Lock()
	if len(q.items) >= q.limit {
		q.mu.Unlock()
		return false
	}
	q.items = append(q.items, msg)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
	return true
}

// take removes and returns every waiting message, appending them to buf.
func (q *sendQueue) take(buf [][]byte) [][]byte {
	q.mu.Lock()
	defer q.mu.Unlock()
	buf = append(buf, q.items...)
	clear(q.items)
	if cap(q.items) > 64 {
		q.items = nil
	} else {
		q.items = q.items[:0]
	}
	return buf
}
