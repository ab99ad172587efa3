package docker

// The wire types between the host and kaicode-runner, mirroring
// images/runner/protocol.go (the runner is built with Debian's Go and
// cannot import this module). The integration tests keep the two in step.

// request is what the host writes to the runner's stdin, as one JSON object.
type request struct {
	Files []file `json:"files"`
	// Stdin is fed to the run step.
	Stdin []byte `json:"stdin"`
	// Env is the environment of both steps, as KEY=value.
	Env     []string `json:"env"`
	Compile *step    `json:"compile,omitempty"`
	Run     step     `json:"run"`
	// OutputLimit caps each captured stream in bytes.
	OutputLimit int `json:"output_limit"`
}

type file struct {
	Name    string `json:"name"`
	Content []byte `json:"content"`
}

// step is one command with its limits.
type step struct {
	Argv   []string `json:"argv"`
	WallMS int64    `json:"wall_ms"`
	CPUMS  int64    `json:"cpu_ms"`
}

// report is what the runner writes to its stdout when it is done.
type report struct {
	Compile *stepReport `json:"compile,omitempty"`
	// Run is nil when the compile step failed.
	Run *stepReport `json:"run,omitempty"`
	// Error is the runner's own failure, not the program's.
	Error string `json:"error,omitempty"`
}

// stepReport says how one step ended. For the compile step stdout and
// stderr are combined in Stdout.
type stepReport struct {
	ExitCode        int    `json:"exit_code"`
	Signal          string `json:"signal,omitempty"`
	Stdout          []byte `json:"stdout"`
	Stderr          []byte `json:"stderr"`
	StdoutTruncated bool   `json:"stdout_truncated,omitempty"`
	StderrTruncated bool   `json:"stderr_truncated,omitempty"`
	// Output is stdout and stderr interleaved in the order they were read,
	// cut at twice the stream limit; the compile step has none.
	Output          []byte `json:"output,omitempty"`
	OutputTruncated bool   `json:"output_truncated,omitempty"`
	// TimedOut: killed at the wall-clock limit. CPUExceeded: killed by
	// RLIMIT_CPU. OutputExceeded: killed for writing past OutputLimit.
	// OOMKilled: the kernel's OOM killer acted during the step.
	TimedOut       bool  `json:"timed_out,omitempty"`
	CPUExceeded    bool  `json:"cpu_exceeded,omitempty"`
	OutputExceeded bool  `json:"output_exceeded,omitempty"`
	OOMKilled      bool  `json:"oom_killed,omitempty"`
	WallNS         int64 `json:"wall_ns"`
	CPUNS          int64 `json:"cpu_ns"`
	MaxRSS         int64 `json:"max_rss"`
}
