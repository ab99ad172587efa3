package docker

import (
	"testing"

	"github.com/kaicode/kaicode/internal/sandbox"
)

func TestText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		in        string
		truncated bool
		want      string
	}{
		{"ascii", "hello", false, "hello"},
		{"non-ASCII survives", "héllo 世界 🌍", false, "héllo 世界 🌍"},
		{"each invalid byte replaced", "a\xff\xfeb", false, "a\uFFFD\uFFFDb"},
		{"cut rune dropped when truncated", "ab\xe4\xb8", true, "ab"},
		{"cut rune replaced when not truncated", "ab\xe4\xb8", false, "ab\uFFFD\uFFFD"},
		{"whole rune kept when truncated", "ab世", true, "ab世"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := text([]byte(tc.in), tc.truncated); got != tc.want {
				t.Errorf("text(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestResultOf(t *testing.T) {
	t.Parallel()
	plan, err := sandbox.Builtin().Plan(program("c", "int main(){}"))
	if err != nil {
		t.Fatal(err)
	}
	ok := &stepReport{}
	for _, tc := range []struct {
		name string
		rep  report
		want sandbox.Status
	}{
		{"ok", report{Compile: ok, Run: &stepReport{}}, sandbox.StatusOK},
		{"runner failure", report{Error: "disk full"}, sandbox.StatusInternalError},
		{"compile error", report{Compile: &stepReport{ExitCode: 1}}, sandbox.StatusCompileError},
		{"compile timeout", report{Compile: &stepReport{TimedOut: true, Signal: "SIGKILL"}}, sandbox.StatusTimeout},
		{"compile out of memory", report{Compile: &stepReport{OOMKilled: true}}, sandbox.StatusMemoryLimit},
		{"exit code", report{Compile: ok, Run: &stepReport{ExitCode: 3}}, sandbox.StatusRuntimeError},
		{"signal", report{Compile: ok, Run: &stepReport{ExitCode: -1, Signal: "SIGSEGV"}}, sandbox.StatusRuntimeError},
		{"wall clock", report{Compile: ok, Run: &stepReport{TimedOut: true, Signal: "SIGKILL"}}, sandbox.StatusTimeout},
		{"CPU time", report{Compile: ok, Run: &stepReport{CPUExceeded: true, Signal: "SIGXCPU"}}, sandbox.StatusTimeout},
		{"memory", report{Compile: ok, Run: &stepReport{OOMKilled: true, Signal: "SIGKILL"}}, sandbox.StatusMemoryLimit},
		{"output", report{Compile: ok, Run: &stepReport{OutputExceeded: true, Signal: "SIGKILL"}}, sandbox.StatusOutputLimit},
		{"no run report", report{Compile: ok}, sandbox.StatusInternalError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := resultOf(plan, tc.rep)
			if got.Status != tc.want {
				t.Errorf("status %s, want %s (%s)", got.Status, tc.want, got.Message)
			}
			// The job ended in its compile step when that step failed.
			endedCompiling := tc.rep.Compile != nil && tc.rep.Run == nil && tc.want != sandbox.StatusInternalError
			if got.CompileFailed != endedCompiling {
				t.Errorf("CompileFailed = %v, want %v", got.CompileFailed, endedCompiling)
			}
		})
	}
}
