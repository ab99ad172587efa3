package roomsync

import (
	"fmt"
	"strings"
	"time"

	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/sandbox"
)

// outputOf turns a final job update into the room's output message.
func outputOf(room string, u jobs.Update) outputMessage {
	m := outputMessage{Event: eventOutput, RoomName: room, JobID: u.ID, User: u.User, Language: u.Language}
	if u.Result == nil {
		m.Error = "failed"
		reason := u.Error
		if reason == "" {
			reason = "no result"
		}
		m.Content = "[run failed: " + reason + "]"
		return m
	}
	r := u.Result
	m.Content = terminalText(*r)
	m.TimeTaken = (r.WallTime + r.CompileWallTime).Milliseconds()
	m.Result = jobs.WireResult(*r)
	return m
}

// refusedOutput is the output a requester gets when its run could not be
// queued, so its spinner stops.
func refusedOutput(room, code, reason string) outputMessage {
	return outputMessage{Event: eventOutput, RoomName: room, Error: code, Content: "[not run: " + reason + "]"}
}

// terminalText is what a terminal would have shown for r: the compiler's
// output when compilation failed, else the program's stdout and stderr as
// it wrote them (stdout then stderr when their order is unknown),
// then a short bracketed line when the program did not end normally.
func terminalText(r sandbox.Result) string {
	var b strings.Builder
	switch {
	case r.Status == sandbox.StatusCompileError || r.CompileFailed:
		b.WriteString(r.CompileOutput)
	case r.Output != "":
		b.WriteString(r.Output)
	default:
		b.WriteString(r.Stdout)
		if r.Stderr != "" {
			newline(&b)
			b.WriteString(r.Stderr)
		}
	}
	if line := statusLine(r); line != "" {
		newline(&b)
		b.WriteString(line)
	}
	return b.String()
}

// newline ends b's last line unless b is empty or already ends one.
func newline(b *strings.Builder) {
	if s := b.String(); s != "" && !strings.HasSuffix(s, "\n") {
		b.WriteByte('\n')
	}
}

// statusLine is the bracketed line that says how r ended; "" for a clean
// exit with complete output.
func statusLine(r sandbox.Result) string {
	var parts []string
	switch r.Status {
	case sandbox.StatusCompileError:
		parts = append(parts, fmt.Sprintf("compilation failed with exit code %d", r.CompileExitCode))
	case sandbox.StatusTimeout:
		took := r.WallTime
		if r.CompileFailed {
			took = r.CompileWallTime
		}
		parts = append(parts, "time limit exceeded after "+took.Round(time.Millisecond).String())
	case sandbox.StatusMemoryLimit:
		parts = append(parts, "memory limit exceeded")
	case sandbox.StatusOutputLimit:
		parts = append(parts, "output limit exceeded")
	case sandbox.StatusInternalError:
		parts = append(parts, "internal error")
	case sandbox.StatusRuntimeError:
		if r.Signal != "" {
			parts = append(parts, "killed by "+r.Signal)
		} else {
			parts = append(parts, fmt.Sprintf("exited with code %d", r.ExitCode))
		}
	}
	if r.Status != sandbox.StatusOutputLimit && (r.StdoutTruncated || r.StderrTruncated) {
		parts = append(parts, "output truncated")
	}
	if r.Message != "" && r.Status != sandbox.StatusOK && r.Status != sandbox.StatusRuntimeError {
		parts = append(parts, r.Message)
	}
	if len(parts) == 0 {
		return ""
	}
	return "[" + strings.Join(parts, "; ") + "]"
}
