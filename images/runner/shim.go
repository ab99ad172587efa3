package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

const shimFlag = "-exec"

// shim sets the step's CPU limit, offers itself first to the OOM killer (so
// the runner survives to report), and replaces itself with the command.
// args are CPU_SECONDS -- ARGV...
func shim(args []string) {
	if len(args) < 3 || args[1] != "--" {
		fail(2, "usage: kaicode-runner -exec CPU_SECONDS -- ARGV...")
	}
	if cpu, err := strconv.ParseUint(args[0], 10, 64); err == nil && cpu > 0 {
		lim := syscall.Rlimit{Cur: cpu, Max: cpu + 1}
		if err := syscall.Setrlimit(syscall.RLIMIT_CPU, &lim); err != nil {
			fail(126, "setting the CPU limit: "+err.Error())
		}
	}
	// Best effort: raising one's own OOM score needs no privilege.
	_ = os.WriteFile("/proc/self/oom_score_adj", []byte("1000"), 0)
	argv := args[2:]
	path, err := exec.LookPath(argv[0])
	if err != nil {
		fail(127, err.Error())
	}
	err = syscall.Exec(path, argv, os.Environ())
	fail(126, fmt.Sprintf("exec %s: %v", argv[0], err))
}

func fail(code int, msg string) {
	os.Stderr.Write(append(bytes.TrimSpace([]byte(msg)), '\n'))
	os.Exit(code)
}
