// Package sandbox runs untrusted programs and reports what they did.
//
// A Sandbox takes a Request (language, files, stdin, limits) and returns a
// Result. A user's program failing, timing out or exceeding a limit is a
// Result with a Status, not an error; Run returns an error only when the
// sandbox itself could not do its job (bad request, engine unreachable).
// Implementations are safe for concurrent use.
package sandbox

import (
	"context"
	"errors"
	"time"
)

// Sandbox runs one program in isolation.
type Sandbox interface {
	// Run executes req and blocks until the program has finished or ctx is
	// done. Cancelling ctx stops the program and frees its resources.
	Run(ctx context.Context, req Request) (Result, error)
}

// File is one source file handed to the program.
type File struct {
	// Name is a relative path inside the work directory. Empty means the
	// language's default file name.
	Name    string `json:"name"`
	Content string `json:"content"`
}

// Limits bounds one step (compile or run) of a program. A zero field means
// the language's default; no field may disable a limit.
type Limits struct {
	// WallTime is the wall-clock limit of the step.
	WallTime time.Duration `json:"wall_time"`
	// CPUTime is the CPU time limit of the step.
	CPUTime time.Duration `json:"cpu_time"`
	// Memory is the memory limit in bytes, swap excluded.
	Memory int64 `json:"memory"`
}

// Request is one program to run.
type Request struct {
	// Language is a catalogue name or alias, such as "python" or "c++".
	Language string `json:"language"`
	// Files are the program's sources; the first is the entry point.
	Files []File `json:"files"`
	// Stdin is fed to the run step.
	Stdin string `json:"stdin"`
	// Args are passed to the program.
	Args    []string `json:"args,omitempty"`
	Compile Limits   `json:"compile"`
	Run     Limits   `json:"run"`
}

// Status says how a program ended.
type Status string

// The statuses a Result can carry.
const (
	StatusOK            Status = "ok"
	StatusCompileError  Status = "compile_error"
	StatusRuntimeError  Status = "runtime_error"
	StatusTimeout       Status = "timeout"
	StatusMemoryLimit   Status = "memory_limit"
	StatusOutputLimit   Status = "output_limit"
	StatusInternalError Status = "internal_error"
)

// Result is what a program did.
type Result struct {
	Status Status `json:"status"`
	// Language is the catalogue name the request resolved to.
	Language string `json:"language"`
	// Version is the language runtime's version.
	Version string `json:"version"`
	// ExitCode is the run step's exit code; -1 when it was killed by a signal.
	ExitCode int `json:"exit_code"`
	// Signal names the signal that ended the program, such as "SIGKILL".
	Signal string `json:"signal,omitempty"`
	// Stdout and Stderr are the run step's output as UTF-8 text.
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
	// StdoutTruncated and StderrTruncated say the output was cut at the cap.
	StdoutTruncated bool `json:"stdout_truncated"`
	StderrTruncated bool `json:"stderr_truncated"`
	// Output is stdout and stderr interleaved as the program wrote them
	// (in the order the sandbox read them), as a terminal shows them; cut
	// at twice the cap.
	Output string `json:"output,omitempty"`
	// CompileOutput is the compiler's combined output, empty for interpreted
	// languages.
	CompileOutput string `json:"compile_output,omitempty"`
	// CompileFailed says the job ended in its compile step and nothing ran:
	// a compile error, or a limit the compiler hit (Status says which).
	CompileFailed bool `json:"compile_failed,omitempty"`
	// CompileExitCode is the compiler's exit code.
	CompileExitCode int `json:"compile_exit_code,omitempty"`
	// WallTime, CPUTime are the run step's times; CompileWallTime the
	// compile step's.
	WallTime        time.Duration `json:"wall_time_ns"`
	CPUTime         time.Duration `json:"cpu_time_ns"`
	CompileWallTime time.Duration `json:"compile_wall_time_ns,omitempty"`
	// Memory is the peak memory use in bytes.
	Memory int64 `json:"memory"`
	// Message explains a non-ok status in a short sentence.
	Message string `json:"message,omitempty"`
}

// Errors a Sandbox returns for requests it refuses.
var (
	// ErrUnknownLanguage means the language is not in the catalogue.
	ErrUnknownLanguage = errors.New("unknown language")
	// ErrBadRequest means the request is malformed (no files, bad file name,
	// a limit above the maximum).
	ErrBadRequest = errors.New("bad request")
	// ErrUnavailable means the execution engine cannot be reached.
	ErrUnavailable = errors.New("sandbox unavailable")
)
