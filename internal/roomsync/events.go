package roomsync

import (
	"context"

	"github.com/kaicode/kaicode/internal/bus"
)

// The bus event types the sync server publishes on a room's topic, so the
// room's connections on every node receive them. Data is the client
// message, sent on as it is.
const (
	busLanguage = "sync.language"
	busStatus   = "sync.status"
)

// publish sends msg, a server message of event kind, to room on every node.
func (s *Server) publish(ctx context.Context, room, kind string, msg any) {
	typ := busStatus
	if kind == eventLanguage {
		typ = busLanguage
	}
	if err := s.opts.Bus.Publish(ctx, room, bus.Event{Type: typ, Data: encode(msg)}); err != nil {
		s.log.Error("sync: publish to room", "room", room, "event", kind, "error", err)
	}
}
