package docker

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/sandbox"
)

// adversarial is a hostile program and what the sandbox must make of it.
type adversarial struct {
	name  string
	req   sandbox.Request
	want  sandbox.Status
	check func(t *testing.T, res sandbox.Result) // optional
}

// short gives a request a one-second run limit.
func short(req sandbox.Request) sandbox.Request {
	req.Run = sandbox.Limits{WallTime: time.Second, CPUTime: time.Second}
	return req
}

var adversarials = []adversarial{
	{
		name: "fork bomb",
		req:  short(program("c", "#include <unistd.h>\nint main(void) { for (;;) fork(); }")),
		want: sandbox.StatusTimeout,
	},
	{
		name: "memory bomb",
		req: func() sandbox.Request {
			r := program("python", "a = []\nwhile True: a.append(bytearray(1 << 20))")
			r.Run.Memory = 64 << 20
			return r
		}(),
		want: sandbox.StatusMemoryLimit,
	},
	{
		name: "infinite loop",
		req:  short(program("python", "while True: pass")),
		want: sandbox.StatusTimeout,
		check: func(t *testing.T, res sandbox.Result) {
			if res.WallTime > 2*time.Second || res.Signal != "SIGKILL" {
				t.Errorf("wall time %v, signal %q: want about 1s and SIGKILL", res.WallTime, res.Signal)
			}
		},
	},
	{
		name: "CPU-burning threads",
		req: short(program("c", `#include <pthread.h>
void *burn(void *arg) { for (volatile long i = 0;; i++); return arg; }
int main(void) { pthread_t t[16]; for (int i = 0; i < 16; i++) pthread_create(&t[i], 0, burn, 0); burn(0); }`)),
		want: sandbox.StatusTimeout,
		check: func(t *testing.T, res sandbox.Result) {
			// One CPU of quota: the threads together cannot use much more
			// CPU time than wall time.
			if res.CPUTime > 1500*time.Millisecond {
				t.Errorf("CPU time %v above the one-CPU quota", res.CPUTime)
			}
		},
	},
	{
		name: "output flood",
		req:  program("python", "while True: print('x' * 1000)"),
		want: sandbox.StatusOutputLimit,
		check: func(t *testing.T, res sandbox.Result) {
			if !res.StdoutTruncated || len(res.Stdout) > 64<<10 || len(res.Stdout) < 60<<10 {
				t.Errorf("stdout %d bytes, truncated %v: want capped at 64KiB", len(res.Stdout), res.StdoutTruncated)
			}
		},
	},
	{
		name: "disk fill of /tmp",
		req: program("python", `import os
with open("/tmp/fill", "wb") as f:
    while True:
        f.write(b"x" * (1 << 20))`),
		want: sandbox.StatusRuntimeError,
		check: func(t *testing.T, res sandbox.Result) {
			if !strings.Contains(res.Stderr, "No space left") && !strings.Contains(res.Stderr, "File too large") {
				t.Errorf("stderr %q: want ENOSPC or EFBIG", res.Stderr)
			}
		},
	},
	{
		name: "background process",
		req:  program("bash", "nohup sleep 300 >/dev/null 2>&1 &\n(sleep 300 &)\necho left"),
		want: sandbox.StatusOK,
		check: func(t *testing.T, res sandbox.Result) {
			if res.WallTime > time.Second {
				t.Errorf("the run waited %v for its background processes", res.WallTime)
			}
		},
	},
	{
		name: "host processes",
		req:  program("bash", `for p in /proc/[0-9]*; do tr '\0' ' ' < $p/cmdline; echo; done`),
		want: sandbox.StatusOK,
		check: func(t *testing.T, res sandbox.Result) {
			lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
			if len(lines) > 5 || strings.Contains(res.Stdout, "dockerd") || strings.Contains(res.Stdout, ".test") {
				t.Errorf("the program sees %d processes:\n%s", len(lines), res.Stdout)
			}
		},
	},
	{
		name: "write outside the tmpfs",
		req: program("bash", `for f in /x /etc/x /usr/bin/x /var/tmp/x /home/x /usr/local/bin/kaicode-runner; do
  if (echo hi > $f) 2>/dev/null; then echo "wrote $f"; fi
done
echo done`),
		want: sandbox.StatusOK,
		check: func(t *testing.T, res sandbox.Result) {
			if res.Stdout != "done\n" {
				t.Errorf("stdout %q", res.Stdout)
			}
		},
	},
	{
		name: "stdout and stderr interleaved",
		req:  program("bash", "echo o1; sleep 0.1; echo e1 >&2; sleep 0.1; echo o2; sleep 0.1; echo e2 >&2"),
		want: sandbox.StatusOK,
		check: func(t *testing.T, res sandbox.Result) {
			if res.Output != "o1\ne1\no2\ne2\n" || res.Stdout != "o1\no2\n" || res.Stderr != "e1\ne2\n" {
				t.Errorf("output %q, stdout %q, stderr %q", res.Output, res.Stdout, res.Stderr)
			}
		},
	},
	{
		name: "closes stdout early",
		req:  program("bash", "exec 1>&-\nsleep 0.2\necho still here >&2"),
		want: sandbox.StatusOK,
		check: func(t *testing.T, res sandbox.Result) {
			if res.Stderr != "still here\n" {
				t.Errorf("stderr %q", res.Stderr)
			}
		},
	},
	{
		name: "huge stdin, mostly unread",
		req: func() sandbox.Request {
			r := program("python", "import sys\nprint(len(sys.stdin.readline()))")
			r.Stdin = "first\n" + strings.Repeat("y", sandbox.MaxStdinBytes-6)
			return r
		}(),
		want: sandbox.StatusOK,
		check: func(t *testing.T, res sandbox.Result) {
			if res.Stdout != "6\n" {
				t.Errorf("stdout %q", res.Stdout)
			}
		},
	},
	{
		name: "huge stdin, read whole",
		req: func() sandbox.Request {
			r := program("bash", "wc -c")
			r.Stdin = strings.Repeat("z", sandbox.MaxStdinBytes)
			return r
		}(),
		want: sandbox.StatusOK,
		check: func(t *testing.T, res sandbox.Result) {
			if strings.TrimSpace(res.Stdout) != "8388608" {
				t.Errorf("stdout %q", res.Stdout)
			}
		},
	},
	{
		name: "kills the runner",
		req:  program("bash", "kill -9 1; kill -TERM 1; kill -HUP 1; ls /proc/1/fd 2>&1 | head -1; echo alive"),
		want: sandbox.StatusOK,
		check: func(t *testing.T, res sandbox.Result) {
			if !strings.HasSuffix(res.Stdout, "alive\n") || !strings.Contains(res.Stdout, "Permission denied") {
				t.Errorf("stdout %q", res.Stdout)
			}
		},
	},
	{
		name: "isolation facts",
		req:  program("bash", `ls /sys/class/net; id -u; grep CapEff /proc/self/status; grep NoNewPrivs /proc/self/status`),
		want: sandbox.StatusOK,
		check: func(t *testing.T, res sandbox.Result) {
			want := "lo\n65534\nCapEff:\t0000000000000000\nNoNewPrivs:\t1\n"
			if res.Stdout != want {
				t.Errorf("stdout %q, want %q (only lo, nobody, no capabilities)", res.Stdout, want)
			}
		},
	},
	{
		name: "invalid UTF-8",
		req:  program("python", `import sys; sys.stdout.buffer.write(b"ok \xff\xfe end \xe4\xb8\x96\n")`),
		want: sandbox.StatusOK,
		check: func(t *testing.T, res sandbox.Result) {
			if res.Stdout != "ok \uFFFD\uFFFD end 世\n" {
				t.Errorf("stdout %q", res.Stdout)
			}
		},
	},
}

func TestAdversarial(t *testing.T) {
	t.Parallel()
	sb := sharedSandbox(t)
	for _, tc := range adversarials {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := run(t, sb, tc.req)
			if res.Status != tc.want {
				t.Fatalf("status %s, want %s (%s; exit %d %s; stderr %q)", res.Status, tc.want, res.Message, res.ExitCode, res.Signal, truncate(res.Stderr))
			}
			if tc.check != nil {
				tc.check(t, res)
			}
			assertUnaffected(t, sb, tc.req.Language)
		})
	}
}

// assertUnaffected checks that the next job of lang works, that no process
// of an earlier job is visible to it and that the host can still start
// processes.
func assertUnaffected(t *testing.T, sb *Sandbox, lang string) {
	t.Helper()
	res := run(t, sb, program("bash", `ls /tmp; for p in /proc/[0-9]*; do tr '\0' ' ' < $p/cmdline; echo; done | grep -c ^sleep`))
	if res.Stdout != "main.sh\n0\n" {
		t.Errorf("next job sees leftovers: %q", res.Stdout)
	}
	probe := langCases[0]
	for _, lc := range langCases {
		if lc.lang == lang {
			probe = lc
		}
	}
	if res := run(t, sb, program(probe.lang, probe.hello)); res.Status != sandbox.StatusOK || res.Stdout != "hello\n" {
		t.Errorf("next %s job: %s %q", probe.lang, res.Status, res.Stdout)
	}
	if err := exec.Command("true").Run(); err != nil {
		t.Errorf("the host cannot start a process: %v", err)
	}
}

func truncate(s string) string {
	if len(s) > 500 {
		return s[:500] + "..."
	}
	return s
}

func TestRejectsBadRequests(t *testing.T) {
	t.Parallel()
	sb := sharedSandbox(t)
	for _, tc := range []struct {
		name string
		req  sandbox.Request
		want error
	}{
		{"unknown language", program("cobol", "x"), sandbox.ErrUnknownLanguage},
		{"stdin above the maximum", sandbox.Request{Language: "py", Files: []sandbox.File{{Content: "x"}}, Stdin: strings.Repeat("a", sandbox.MaxStdinBytes+1)}, sandbox.ErrBadRequest},
		{"path traversal", sandbox.Request{Language: "py", Files: []sandbox.File{{Name: "../x.py", Content: "x"}}}, sandbox.ErrBadRequest},
		{"limit above the maximum", sandbox.Request{Language: "py", Files: []sandbox.File{{Content: "x"}}, Run: sandbox.Limits{WallTime: time.Hour}}, sandbox.ErrBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := sb.Run(context.Background(), tc.req); !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
		})
	}
}

// TestColdPathAndCancel runs without a pool, and checks that cancelling a
// run removes its container.
func TestColdPathAndCancel(t *testing.T) {
	t.Parallel()
	sb := newTestSandbox(t, Options{Languages: []string{"python"}})
	expect(t, "cold hello", run(t, sb, program("python", `print("hello")`)), sandbox.StatusOK, "hello\n")

	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err := sb.Run(ctx, program("python", "while True: pass"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want the context's", err)
	}
	// Finished containers remove themselves asynchronously: give them a
	// moment.
	deadline := time.Now().Add(5 * time.Second)
	for len(ownedContainers(t, sb, sb.owner)) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	for _, c := range ownedContainers(t, sb, sb.owner) {
		t.Errorf("container %s (%s) outlived its run", c.ID[:12], c.State)
	}
}
