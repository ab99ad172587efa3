package wspoll

import (
	"fmt"
	"log/slog"
	"sync"

	"github.com/lesismal/nbio/logging"
)

var loggerOnce sync.Once

// antsLogger sends the handler pool's messages to slog's default logger.
type antsLogger struct{}

func (antsLogger) Printf(format string, v ...any) {
	slog.Error("websocket handler pool: " + fmt.Sprintf(format, v...))
}

// useLogger sends nbio's warnings and errors to slog's default logger and
// drops its informational lines.
func useLogger() {
	loggerOnce.Do(func() { logging.SetLogger(nbioLogger{}) })
}

// nbioLogger adapts nbio's printf-style logger to slog.
type nbioLogger struct{}

func (nbioLogger) Debug(string, ...any) {}

func (nbioLogger) Info(string, ...any) {}

func (nbioLogger) Warn(format string, v ...any) {
	slog.Warn("websocket poller: " + fmt.Sprintf(format, v...))
}

func (nbioLogger) Error(format string, v ...any) {
	slog.Error("websocket poller: " + fmt.Sprintf(format, v...))
}
