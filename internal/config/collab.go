package config

import (
	"fmt"
	"strings"
	"time"
)

// Collab configures the Yjs collaboration server on /ws/{room}.
type Collab struct {
	// Anonymous lets connections without a token in. Default false; the
	// existing frontend sends no token on the Yjs socket, so deployments
	// serving it unchanged set this.
	Anonymous bool
	// MaxMessage caps one incoming WebSocket message, in bytes. Default 1MiB.
	MaxMessage int64
	// MaxDocument caps a room's document, in bytes. Default 16MiB.
	MaxDocument int64
	// PersistDelay bounds how long an accepted update waits before it is
	// written to the store. Default 500ms.
	PersistDelay time.Duration
	// UnloadGrace is how long an empty room stays in memory. Default 30s.
	UnloadGrace time.Duration
	// SendBuffer caps the bytes waiting to be written to one connection;
	// a client that reads slower is dropped. It must be at least
	// MaxDocument, since a joiner receives the whole document at once.
	// Default 32MiB.
	SendBuffer int64
	// AllowedOrigins lists the browser origins allowed to connect
	// (comma-separated host patterns); empty allows any.
	AllowedOrigins string
}

func (c *Collab) settings() []setting {
	return []setting{
		{"collab-anonymous", []string{"KAICODE_COLLAB_ANONYMOUS"}, "false", "let Yjs connections without a token in", boolVar(&c.Anonymous)},
		{"collab-max-message", []string{"KAICODE_COLLAB_MAX_MESSAGE"}, "1MiB", "cap on one incoming Yjs message", bytesVar(&c.MaxMessage)},
		{"collab-max-document", []string{"KAICODE_COLLAB_MAX_DOCUMENT"}, "16MiB", "cap on one room's document", bytesVar(&c.MaxDocument)},
		{"collab-persist-delay", []string{"KAICODE_COLLAB_PERSIST_DELAY"}, "500ms", "longest wait before an update is stored", durationVar(&c.PersistDelay)},
		{"collab-unload-grace", []string{"KAICODE_COLLAB_UNLOAD_GRACE"}, "30s", "how long an empty room stays loaded", durationVar(&c.UnloadGrace)},
		{"collab-send-buffer", []string{"KAICODE_COLLAB_SEND_BUFFER"}, "32MiB", "bytes waiting for a slow connection before it is dropped", bytesVar(&c.SendBuffer)},
		{"allowed-origins", []string{"KAICODE_ALLOWED_ORIGINS"}, "", "browser origins allowed on the sockets, comma-separated (empty: any)", stringVar(&c.AllowedOrigins)},
	}
}

func (c Collab) validate() error {
	if c.MaxMessage < 1<<10 {
		return fmt.Errorf("invalid --collab-max-message %s: must be at least 1KiB", FormatBytes(c.MaxMessage))
	}
	if c.MaxDocument < c.MaxMessage {
		return fmt.Errorf("invalid --collab-max-document %s: must be at least --collab-max-message", FormatBytes(c.MaxDocument))
	}
	if c.SendBuffer < c.MaxDocument {
		return fmt.Errorf("invalid --collab-send-buffer %s: must be at least --collab-max-document", FormatBytes(c.SendBuffer))
	}
	if c.PersistDelay <= 0 {
		return fmt.Errorf("invalid --collab-persist-delay %s: must be positive", c.PersistDelay)
	}
	return nil
}

// Origins splits AllowedOrigins into patterns.
func (c Collab) Origins() []string {
	var out []string
	for _, o := range strings.Split(c.AllowedOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, o)
		}
	}
	return out
}
