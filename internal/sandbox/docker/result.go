package docker

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kaicode/kaicode/internal/sandbox"
)

// resultOf turns the runner's report into a Result.
func resultOf(p sandbox.Plan, rep report) sandbox.Result {
	res := sandbox.Result{Language: p.Language.Name, Version: p.Language.Version}
	if rep.Error != "" {
		res.Status, res.Message = sandbox.StatusInternalError, "runner: "+rep.Error
		return res
	}
	if c := rep.Compile; c != nil {
		res.CompileOutput = text(c.Stdout, c.StdoutTruncated)
		res.CompileExitCode = c.ExitCode
		res.CompileWallTime = time.Duration(c.WallNS)
		if rep.Run == nil {
			res.ExitCode, res.Signal = c.ExitCode, c.Signal
			res.Memory = c.MaxRSS
			res.CompileFailed = true
			switch {
			case c.TimedOut || c.CPUExceeded:
				res.Status, res.Message = sandbox.StatusTimeout, "compilation exceeded its time limit"
			case c.OOMKilled:
				res.Status, res.Message = sandbox.StatusMemoryLimit, "compilation exceeded its memory limit"
			case c.OutputExceeded:
				res.Status, res.Message = sandbox.StatusOutputLimit, "compilation exceeded the output limit"
			case c.ExitCode == 0 && c.Signal == "":
				res.CompileFailed = false
				res.Status, res.Message = sandbox.StatusInternalError, "runner: no run report after a successful compilation"
			default:
				res.Status, res.Message = sandbox.StatusCompileError, "compilation failed"
			}
			return res
		}
	}
	r := rep.Run
	if r == nil {
		res.Status, res.Message = sandbox.StatusInternalError, "runner: no run report"
		return res
	}
	res.ExitCode, res.Signal = r.ExitCode, r.Signal
	res.Stdout, res.StdoutTruncated = text(r.Stdout, r.StdoutTruncated), r.StdoutTruncated
	res.Stderr, res.StderrTruncated = text(r.Stderr, r.StderrTruncated), r.StderrTruncated
	res.Output = text(r.Output, r.OutputTruncated)
	res.WallTime, res.CPUTime, res.Memory = time.Duration(r.WallNS), time.Duration(r.CPUNS), r.MaxRSS
	switch {
	case r.TimedOut:
		res.Status, res.Message = sandbox.StatusTimeout, "the program exceeded its wall-clock limit"
	case r.OutputExceeded:
		res.Status, res.Message = sandbox.StatusOutputLimit, "the program exceeded the output limit"
	case r.OOMKilled:
		res.Status, res.Message = sandbox.StatusMemoryLimit, "the program exceeded its memory limit"
	case r.CPUExceeded:
		res.Status, res.Message = sandbox.StatusTimeout, "the program exceeded its CPU time limit"
	case r.Signal != "":
		res.Status, res.Message = sandbox.StatusRuntimeError, "the program was killed by "+r.Signal
	case r.ExitCode != 0:
		res.Status, res.Message = sandbox.StatusRuntimeError, "the program exited with a non-zero status"
	default:
		res.Status = sandbox.StatusOK
	}
	return res
}

// text makes output valid UTF-8: a character cut by truncation is dropped,
// every other invalid byte becomes one U+FFFD.
func text(b []byte, truncated bool) string {
	if truncated {
		// Drop a trailing partial rune: at most utf8.UTFMax-1 bytes.
		for i := 1; i < utf8.UTFMax && i <= len(b); i++ {
			if utf8.RuneStart(b[len(b)-i]) {
				if !utf8.FullRune(b[len(b)-i:]) {
					b = b[:len(b)-i]
				}
				break
			}
		}
	}
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + 16)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			sb.WriteRune(utf8.RuneError)
		} else {
			sb.Write(b[:size])
		}
		b = b[size:]
	}
	return sb.String()
}
