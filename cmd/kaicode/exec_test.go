package main

import (
	"errors"
	"testing"

	"github.com/kaicode/kaicode/internal/sandbox"
)

func TestParseBytes(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{
		"1048576": 1 << 20, "512k": 512 << 10, "256MiB": 256 << 20, "256m": 256 << 20, "1G": 1 << 30, "64MB": 64 << 20,
	} {
		if got, err := parseBytes(in); err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "abc", "-1", "12T", "1.5G"} {
		if _, err := parseBytes(bad); err == nil {
			t.Errorf("parseBytes(%q) accepted", bad)
		}
	}
}

func TestExitStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		res  sandbox.Result
		want int
	}{
		{sandbox.Result{Status: sandbox.StatusOK}, 0},
		{sandbox.Result{Status: sandbox.StatusRuntimeError, ExitCode: 3}, 3},
		{sandbox.Result{Status: sandbox.StatusRuntimeError, ExitCode: -1, Signal: "SIGSEGV"}, 1},
		{sandbox.Result{Status: sandbox.StatusCompileError, ExitCode: 1}, 1},
		{sandbox.Result{Status: sandbox.StatusTimeout, ExitCode: -1}, 1},
	} {
		err := exitStatus(tc.res)
		var exit exitError
		got := 0
		if errors.As(err, &exit) {
			got = exit.code
		}
		if got != tc.want {
			t.Errorf("exitStatus(%s, %d) = %d, want %d", tc.res.Status, tc.res.ExitCode, got, tc.want)
		}
	}
}

func TestImageNames(t *testing.T) {
	t.Parallel()
	got, err := imageNames(sandbox.Builtin(), []string{"c++", "c", "py"})
	if err != nil || len(got) != 2 || got[0] != "gcc" || got[1] != "python" {
		t.Errorf("imageNames = %v, %v", got, err)
	}
	if _, err := imageNames(sandbox.Builtin(), []string{"cobol"}); err == nil {
		t.Error("imageNames accepted cobol")
	}
}
