package config

import (
	"fmt"
	"time"
)

// Sync configures the /sync room protocol server.
type Sync struct {
	// AuthTimeout is how long a new connection has to send "auth".
	// Default 10s.
	AuthTimeout time.Duration
	// MaxMessage caps one incoming /sync message, in bytes. Default 512KiB.
	MaxMessage int64
	// RoomQueue bounds the unfinished runs of one room. Default 4.
	RoomQueue int
	// TextDebounce is how long a room's text must stay unchanged before it
	// is stored. Default 2s.
	TextDebounce time.Duration
}

func (s *Sync) settings() []setting {
	return []setting{
		{"sync-auth-timeout", []string{"KAICODE_SYNC_AUTH_TIMEOUT"}, "10s", "time a /sync connection has to authenticate", durationVar(&s.AuthTimeout)},
		{"sync-max-message", []string{"KAICODE_SYNC_MAX_MESSAGE"}, "512KiB", "cap on one incoming /sync message", bytesVar(&s.MaxMessage)},
		{"room-queue", []string{"KAICODE_ROOM_QUEUE"}, "4", "unfinished runs one room may have", intVar(&s.RoomQueue, 1, 1000)},
		{"text-debounce", []string{"KAICODE_TEXT_DEBOUNCE"}, "2s", "quiet time before a room's text is stored", durationVar(&s.TextDebounce)},
	}
}

func (s Sync) validate() error {
	if s.AuthTimeout < 100*time.Millisecond {
		return fmt.Errorf("invalid --sync-auth-timeout %s: must be at least 100ms", s.AuthTimeout)
	}
	if s.MaxMessage < 1<<10 {
		return fmt.Errorf("invalid --sync-max-message %s: must be at least 1KiB", FormatBytes(s.MaxMessage))
	}
	return nil
}
