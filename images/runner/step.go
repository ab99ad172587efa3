package main

import (
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// runStep runs one command to its end under s's limits and captures its
// output, each stream capped at limit bytes. With combined, stderr goes to
// the same capture as stdout.
func runStep(s step, env []string, stdin *os.File, limit int, combined bool) stepReport {
	var rep stepReport
	if len(s.Argv) == 0 {
		rep.ExitCode, rep.Stderr = 127, []byte("kaicode-runner: empty command\n")
		return rep
	}
	cpuSeconds := (s.CPUMS + 999) / 1000
	args := append([]string{shimFlag, strconv.FormatInt(cpuSeconds, 10), "--"}, s.Argv...)
	cmd := exec.Command("/proc/self/exe", args...)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if stdin != nil {
		cmd.Stdin = stdin
	}

	var exceeded atomic.Bool
	kill := func() { killAll(cmd) }
	outR, outW, err := os.Pipe()
	if err != nil {
		return internalFailure(err)
	}
	var errR, errW *os.File
	if combined {
		errW = outW
	} else if errR, errW, err = os.Pipe(); err != nil {
		return internalFailure(err)
	}
	cmd.Stdout, cmd.Stderr = outW, errW

	oomBefore := oomKills()
	start := time.Now()
	err = cmd.Start()
	outW.Close()
	if !combined {
		errW.Close()
	}
	if err != nil {
		outR.Close()
		if errR != nil {
			errR.Close()
		}
		return internalFailure(err)
	}

	var wg sync.WaitGroup
	stdout, stderr := &capture{limit: limit}, &capture{limit: limit}
	// Unless the streams are already one, output interleaves them in the
	// order their chunks were read, as a terminal would show them.
	var output *sharedCapture
	if !combined {
		output = &sharedCapture{capture: capture{limit: 2 * limit}}
	}
	drain := func(c *capture, r *os.File) {
		defer wg.Done()
		defer r.Close()
		if c.readFrom(r, output) {
			exceeded.Store(true)
			kill()
			io.Copy(io.Discard, r)
		}
	}
	wg.Add(1)
	go drain(stdout, outR)
	if !combined {
		wg.Add(1)
		go drain(stderr, errR)
	}

	var timedOut atomic.Bool
	timer := time.AfterFunc(time.Duration(s.WallMS)*time.Millisecond, func() {
		timedOut.Store(true)
		kill()
	})
	waitErr := cmd.Wait()
	rep.WallNS = int64(time.Since(start))
	timer.Stop()
	// Whatever the program left behind dies with the step, which also
	// closes the pipes it may still hold.
	kill()
	wg.Wait()

	rep.Stdout, rep.StdoutTruncated = stdout.buf, stdout.truncated
	rep.Stderr, rep.StderrTruncated = stderr.buf, stderr.truncated
	if output != nil {
		rep.Output, rep.OutputTruncated = output.buf, output.truncated
	}
	rep.TimedOut, rep.OutputExceeded = timedOut.Load(), exceeded.Load()
	rep.OOMKilled = oomKills() > oomBefore
	if _, ok := waitErr.(*exec.ExitError); waitErr != nil && !ok {
		rep.Stderr = append(rep.Stderr, []byte("kaicode-runner: "+waitErr.Error()+"\n")...)
	}
	if st := cmd.ProcessState; st != nil {
		if ru, ok := st.SysUsage().(*syscall.Rusage); ok {
			rep.CPUNS = syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime)
			rep.MaxRSS = ru.Maxrss * 1024
		}
		ws, _ := st.Sys().(syscall.WaitStatus)
		rep.ExitCode = ws.ExitStatus()
		if ws.Signaled() {
			rep.ExitCode = -1
			rep.Signal = signalName(ws.Signal())
			rep.CPUExceeded = ws.Signal() == syscall.SIGXCPU ||
				(ws.Signal() == syscall.SIGKILL && s.CPUMS > 0 && rep.CPUNS >= s.CPUMS*int64(time.Millisecond))
		}
	}
	return rep
}

func internalFailure(err error) stepReport {
	return stepReport{ExitCode: 127, Stderr: []byte("kaicode-runner: " + err.Error() + "\n")}
}

// killAll kills every process but the runner. As PID 1 of the container,
// kill(-1) reaches every other process, including those that left the
// step's process group; elsewhere (in tests) only the group is killed.
func killAll(cmd *exec.Cmd) {
	if os.Getpid() == 1 {
		syscall.Kill(-1, syscall.SIGKILL)
		return
	}
	if cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// capture keeps the first limit bytes of a stream.
type capture struct {
	limit     int
	buf       []byte
	truncated bool
}

// readFrom reads r until EOF or until more than limit bytes arrived, and
// reports the latter. What it keeps also goes to tee, unless tee is nil.
func (c *capture) readFrom(r io.Reader, tee *sharedCapture) bool {
	chunk := make([]byte, 32<<10)
	for {
		n, err := r.Read(chunk)
		kept, over := n, false
		if room := c.limit - len(c.buf); n > room {
			kept, over = room, true
		}
		c.buf = append(c.buf, chunk[:kept]...)
		tee.add(chunk[:kept])
		if over {
			c.truncated = true
			return true
		}
		if err != nil {
			return false
		}
	}
}

// sharedCapture keeps the first limit bytes of several streams, in the
// order their chunks were read.
type sharedCapture struct {
	mu sync.Mutex
	capture
}

// add appends b, or what fits of it; a nil s keeps nothing.
func (s *sharedCapture) add(b []byte) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if room := s.limit - len(s.buf); len(b) > room {
		b = b[:room]
		s.truncated = true
	}
	s.buf = append(s.buf, b...)
}

var signalNames = map[syscall.Signal]string{
	syscall.SIGABRT: "SIGABRT", syscall.SIGALRM: "SIGALRM", syscall.SIGBUS: "SIGBUS",
	syscall.SIGFPE: "SIGFPE", syscall.SIGHUP: "SIGHUP", syscall.SIGILL: "SIGILL",
	syscall.SIGINT: "SIGINT", syscall.SIGKILL: "SIGKILL", syscall.SIGPIPE: "SIGPIPE",
	syscall.SIGQUIT: "SIGQUIT", syscall.SIGSEGV: "SIGSEGV", syscall.SIGSYS: "SIGSYS",
	syscall.SIGTERM: "SIGTERM", syscall.SIGTRAP: "SIGTRAP", syscall.SIGUSR1: "SIGUSR1",
	syscall.SIGUSR2: "SIGUSR2", syscall.SIGXCPU: "SIGXCPU", syscall.SIGXFSZ: "SIGXFSZ",
}

func signalName(s syscall.Signal) string {
	if n, ok := signalNames[s]; ok {
		return n
	}
	return "SIG" + strconv.Itoa(int(s))
}
