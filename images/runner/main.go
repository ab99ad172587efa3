// Command kaicode-runner is the main process of every sandbox container.
//
// It waits on stdin for one JSON request (files, stdin, commands, limits),
// writes the files into its working directory, compiles and runs the
// program under the limits, and writes one JSON report to stdout, then
// exits, which ends the container. A container therefore serves exactly one
// job. As PID 1 of the container it cannot be killed by the program, it
// makes itself non-dumpable so the program cannot reach its file
// descriptors, and it kills every other process when a step ends, so nothing
// the program started outlives the step.
//
// It is built inside the image build with Debian's Go (1.19): it uses the
// standard library only and no newer language features.
//
// Invoked as "kaicode-runner -exec CPU_SECONDS -- ARGV...", it is the small
// shim each step starts: it lowers its own limits and execs ARGV.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// maxRequest bounds the request read from stdin.
const maxRequest = 64 << 20

func main() {
	if len(os.Args) > 1 && os.Args[1] == shimFlag {
		shim(os.Args[2:])
		return
	}
	protect()
	rep := serve(os.Stdin)
	if err := json.NewEncoder(os.Stdout).Encode(rep); err != nil {
		fmt.Fprintln(os.Stderr, "kaicode-runner: writing report:", err)
		os.Exit(1)
	}
}

// protect shields the runner from the program it starts: signals a
// program can send to PID 1 are ignored, and a non-dumpable process's
// /proc entries (fds, memory) and ptrace are closed to the same user.
func protect() {
	signal.Ignore(syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM,
		syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGPIPE, syscall.SIGALRM, syscall.SIGTSTP,
		syscall.SIGTTIN, syscall.SIGTTOU, syscall.SIGXCPU, syscall.SIGXFSZ)
	const prSetDumpable = 4
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetDumpable, 0, 0); errno != 0 {
		fmt.Fprintln(os.Stderr, "kaicode-runner: prctl:", errno)
	}
}

// serve reads one request and carries it out.
func serve(in io.Reader) report {
	data, err := io.ReadAll(io.LimitReader(in, maxRequest))
	if err != nil {
		return report{Error: "reading request: " + err.Error()}
	}
	var req request
	if err := json.Unmarshal(data, &req); err != nil {
		return report{Error: "decoding request: " + err.Error()}
	}
	wd, err := os.Getwd()
	if err != nil {
		return report{Error: err.Error()}
	}
	if err := writeFiles(wd, req.Files); err != nil {
		return report{Error: err.Error()}
	}
	var rep report
	if req.Compile != nil {
		r := runStep(*req.Compile, req.Env, nil, req.OutputLimit, true)
		rep.Compile = &r
		if r.failed() {
			return rep
		}
	}
	stdin, err := stdinFile(wd, req.Stdin)
	if err != nil {
		return report{Error: err.Error()}
	}
	defer stdin.Close()
	r := runStep(req.Run, req.Env, stdin, req.OutputLimit, false)
	rep.Run = &r
	return rep
}

// failed reports whether the step did not end with exit code 0.
func (r stepReport) failed() bool {
	return r.ExitCode != 0 || r.Signal != "" || r.TimedOut || r.CPUExceeded || r.OutputExceeded || r.OOMKilled
}
