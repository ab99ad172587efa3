package sandbox

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestLookupNamesAndAliases(t *testing.T) {
	t.Parallel()
	cat := Builtin()
	for alias, want := range map[string]string{
		// The names the existing frontend sends.
		"cpp": "cpp", "python": "python", "go": "go", "java": "java", "javascript": "javascript",
		// Common aliases.
		"py": "python", "js": "javascript", "c++": "cpp", "golang": "go", "C++": "cpp", " Python ": "python",
		"c": "c", "rust": "rust", "ruby": "ruby", "bash": "bash",
	} {
		l, ok := cat.Lookup(alias)
		if !ok || l.Name != want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", alias, l.Name, ok, want)
		}
	}
	if _, ok := cat.Lookup("cobol"); ok {
		t.Error("Lookup(cobol) found a language")
	}
}

func TestBuiltinIsComplete(t *testing.T) {
	t.Parallel()
	for _, l := range Builtin().Languages() {
		if l.Version == "" || l.Image == "" || l.FileName == "" || len(l.Run) == 0 || len(l.Extensions) == 0 {
			t.Errorf("%s: incomplete entry %+v", l.Name, l)
		}
		if l.DefaultRun.WallTime <= 0 || l.DefaultRun.Memory <= 0 || l.DefaultRun.WallTime > l.MaxRun.WallTime || l.DefaultRun.Memory > l.MaxRun.Memory {
			t.Errorf("%s: run limits: default %+v, max %+v", l.Name, l.DefaultRun, l.MaxRun)
		}
		if l.Compiled() && (l.DefaultCompile.WallTime <= 0 || l.DefaultCompile.WallTime > l.MaxCompile.WallTime) {
			t.Errorf("%s: compile limits: default %+v, max %+v", l.Name, l.DefaultCompile, l.MaxCompile)
		}
		if got, ok := Builtin().ByExtension(l.Extensions[0]); !ok || got.Name != l.Name {
			t.Errorf("ByExtension(%s) = %s", l.Extensions[0], got.Name)
		}
	}
}

func TestPlan(t *testing.T) {
	t.Parallel()
	cat := Builtin()
	one := func(name string) []File { return []File{{Name: name, Content: "x"}} }
	for _, tc := range []struct {
		name string
		req  Request
		want error
	}{
		{"default file name", Request{Language: "py", Files: []File{{Content: "x"}}}, nil},
		{"nested file", Request{Language: "c", Files: []File{{Content: "x"}, {Name: "lib/a.h", Content: "x"}}}, nil},
		{"unknown language", Request{Language: "cobol", Files: one("a")}, ErrUnknownLanguage},
		{"no files", Request{Language: "py"}, ErrBadRequest},
		{"absolute name", Request{Language: "py", Files: one("/etc/passwd")}, ErrBadRequest},
		{"parent directory", Request{Language: "py", Files: one("../a.py")}, ErrBadRequest},
		{"unclean name", Request{Language: "py", Files: one("a//b.py")}, ErrBadRequest},
		{"hidden name", Request{Language: "py", Files: one(".kaicode-stdin")}, ErrBadRequest},
		{"duplicate names", Request{Language: "py", Files: []File{{Name: "a.py"}, {Name: "a.py"}}}, ErrBadRequest},
		{"negative limit", Request{Language: "py", Files: one("a.py"), Run: Limits{WallTime: -1}}, ErrBadRequest},
		{"run limit above max", Request{Language: "py", Files: one("a.py"), Run: Limits{WallTime: time.Minute}}, ErrBadRequest},
		{"memory above max", Request{Language: "go", Files: one("a.go"), Compile: Limits{Memory: 1 << 40}}, ErrBadRequest},
		{"NUL in an argument", Request{Language: "py", Files: one("a.py"), Args: []string{"a\x00b"}}, ErrBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cat.Plan(tc.req)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Errorf("Plan: %v, want %v", err, tc.want)
			}
		})
	}
}

func TestPlanFillsDefaultsAndExpandsCommands(t *testing.T) {
	t.Parallel()
	p, err := Builtin().Plan(Request{Language: "c++", Files: []File{
		{Content: "int main() {}"}, {Name: "util.hpp"}, {Name: "util.cc"},
	}, Run: Limits{WallTime: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Files[0].Name != "main.cpp" || p.Run.WallTime != time.Second || p.Run.CPUTime != 3*time.Second || p.Compile.WallTime != 10*time.Second {
		t.Errorf("plan %+v", p)
	}
	got := p.Command([]string{"g++", "-o", "main", "{sources}"})
	if want := []string{"g++", "-o", "main", "main.cpp", "util.cc"}; !slices.Equal(got, want) {
		t.Errorf("Command = %q, want %q", got, want)
	}
}

func TestCapped(t *testing.T) {
	t.Parallel()
	py, _ := Builtin().Capped(2*time.Second, 128<<20).Lookup("python")
	if py.MaxRun.WallTime != 2*time.Second || py.DefaultRun.WallTime != 2*time.Second || py.MaxRun.Memory != 128<<20 || py.DefaultRun.Memory != 128<<20 {
		t.Errorf("capped python: %+v / %+v", py.DefaultRun, py.MaxRun)
	}
	if orig, _ := Builtin().Lookup("python"); orig.MaxRun.WallTime != 15*time.Second {
		t.Errorf("Capped changed the original: %+v", orig.MaxRun)
	}
}
