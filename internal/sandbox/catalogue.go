package sandbox

import (
	"sort"
	"strings"
	"time"
)

// Language describes how one programming language is compiled and run.
// Languages are data: adding one means adding a value to the catalogue and a
// Dockerfile under images/, not new code paths.
type Language struct {
	// Name is the canonical name, such as "python" or "cpp".
	Name string `json:"language"`
	// Version is the runtime's version as installed in the image.
	Version string `json:"version"`
	// Aliases are other names the language is known by, such as "py".
	Aliases []string `json:"aliases"`
	// Image is the runtime image's short name, without the configured
	// prefix; two languages may share an image (c and cpp do).
	Image string `json:"-"`
	// FileName is the entry point's name when a request leaves it empty.
	FileName string `json:"-"`
	// Extensions are the source file suffixes passed to the compiler as
	// {sources}, such as ".c".
	Extensions []string `json:"-"`
	// Compile is the compile command, nil for interpreted languages. The
	// placeholders {main} (entry file) and {sources} (all source files)
	// are expanded.
	Compile []string `json:"-"`
	// Run is the run command; the request's Args are appended.
	Run []string `json:"-"`
	// Env is extra environment for both steps, as KEY=value.
	Env []string `json:"-"`
	// DefaultCompile and DefaultRun fill the zero fields of a request's
	// limits; MaxCompile and MaxRun bound them.
	DefaultCompile Limits `json:"-"`
	DefaultRun     Limits `json:"-"`
	MaxCompile     Limits `json:"-"`
	MaxRun         Limits `json:"-"`
}

// Compiled reports whether the language has a compile step.
func (l Language) Compiled() bool { return len(l.Compile) > 0 }

// Catalogue is an immutable set of languages, looked up by name or alias
// (case-insensitive). The zero value is empty.
type Catalogue struct {
	langs  []Language
	byName map[string]int
}

// NewCatalogue builds a catalogue from langs; later entries lose name and
// alias clashes to earlier ones.
func NewCatalogue(langs ...Language) Catalogue {
	c := Catalogue{langs: append([]Language(nil), langs...), byName: make(map[string]int)}
	sort.SliceStable(c.langs, func(i, j int) bool { return c.langs[i].Name < c.langs[j].Name })
	for i, l := range c.langs {
		for _, n := range append([]string{l.Name}, l.Aliases...) {
			key := strings.ToLower(n)
			if _, taken := c.byName[key]; !taken {
				c.byName[key] = i
			}
		}
	}
	return c
}

// Lookup finds a language by name or alias.
func (c Catalogue) Lookup(nameOrAlias string) (Language, bool) {
	i, ok := c.byName[strings.ToLower(strings.TrimSpace(nameOrAlias))]
	if !ok {
		return Language{}, false
	}
	return c.langs[i], true
}

// Languages returns the languages sorted by name.
func (c Catalogue) Languages() []Language {
	return append([]Language(nil), c.langs...)
}

// ByExtension finds the language whose sources end in ext (such as ".py").
func (c Catalogue) ByExtension(ext string) (Language, bool) {
	ext = strings.ToLower(ext)
	for _, l := range c.langs {
		for _, e := range l.Extensions {
			if e == ext {
				return l, true
			}
		}
	}
	return Language{}, false
}

const (
	mib = 1 << 20

	defaultRunWall     = 3 * time.Second
	defaultCompileWall = 10 * time.Second
	maxRunWall         = 15 * time.Second
	maxCompileWall     = 30 * time.Second
)

// limits is shorthand for Limits with CPU time equal to wall time.
func limits(wall time.Duration, memMiB int64) Limits {
	return Limits{WallTime: wall, CPUTime: wall, Memory: memMiB * mib}
}

// Builtin returns the catalogue of the runtime images under images/. The
// versions are those of Debian 12 (bookworm).
func Builtin() Catalogue {
	interp := func(name, version, image, file string, aliases, exts, run []string, mem int64) Language {
		return Language{
			Name: name, Version: version, Aliases: aliases, Image: image,
			FileName: file, Extensions: exts, Run: run,
			DefaultRun: limits(defaultRunWall, mem), MaxRun: limits(maxRunWall, 1024),
		}
	}
	compiled := func(l Language, compile []string, compileMem int64) Language {
		l.Compile = compile
		l.DefaultCompile = limits(defaultCompileWall, compileMem)
		l.MaxCompile = limits(maxCompileWall, 1024)
		return l
	}
	python := interp("python", "3.11.2", "python", "main.py",
		[]string{"py", "python3"}, []string{".py"}, []string{"python3", "{main}"}, 256)
	python.Env = []string{"PYTHONDONTWRITEBYTECODE=1", "PYTHONIOENCODING=utf-8"}
	golang := compiled(interp("go", "1.19.8", "go", "main.go",
		[]string{"golang"}, []string{".go"}, []string{"./main"}, 256),
		[]string{"go", "build", "-o", "main", "{sources}"}, 512)
	// go build needs a writable cache and home; GOPATH mode builds loose files.
	golang.Env = []string{"GOCACHE=/tmp/.cache/go-build", "GOPATH=/tmp/.go", "CGO_ENABLED=0", "GO111MODULE=off"}
	return NewCatalogue(
		python,
		interp("javascript", "18.20.4", "javascript", "main.js",
			[]string{"js", "node", "nodejs"}, []string{".js", ".mjs", ".cjs"},
			[]string{"node", "{main}"}, 256),
		interp("ruby", "3.1.2", "ruby", "main.rb",
			[]string{"rb"}, []string{".rb"}, []string{"ruby", "{main}"}, 256),
		interp("bash", "5.2.15", "bash", "main.sh",
			[]string{"sh", "shell"}, []string{".sh", ".bash"}, []string{"bash", "{main}"}, 256),
		compiled(interp("c", "12.2.0", "gcc", "main.c",
			[]string{"gcc"}, []string{".c"}, []string{"./main"}, 256),
			[]string{"gcc", "-std=gnu17", "-O2", "-pipe", "-o", "main", "{sources}", "-lm"}, 512),
		compiled(interp("cpp", "12.2.0", "gcc", "main.cpp",
			[]string{"c++", "g++", "cxx"}, []string{".cpp", ".cc", ".cxx", ".c++"}, []string{"./main"}, 256),
			[]string{"g++", "-std=gnu++17", "-O2", "-pipe", "-o", "main", "{sources}"}, 512),
		golang,
		compiled(interp("rust", "1.63.0", "rust", "main.rs",
			[]string{"rs", "rustc"}, []string{".rs"}, []string{"./main"}, 256),
			[]string{"rustc", "--edition=2021", "-O", "-o", "main", "{main}"}, 512),
		compiled(interp("java", "17.0.19", "java", "Main.java",
			nil, []string{".java"},
			[]string{"java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xss64m", "-cp", ".", "Main"}, 512),
			[]string{"javac", "-J-XX:+UseSerialGC", "-J-XX:TieredStopAtLevel=1", "-J-XX:-UsePerfData", "-encoding", "UTF-8", "-d", ".", "{sources}"}, 512),
	)
}

// Len returns the number of languages.
func (c Catalogue) Len() int { return len(c.langs) }

// Capped returns a copy of c whose largest limits are at most maxRunTime
// (run wall-clock and CPU time) and maxMemory (both steps); defaults above
// a new maximum are lowered to it. A zero argument leaves that bound alone.
func (c Catalogue) Capped(maxRunTime time.Duration, maxMemory int64) Catalogue {
	langs := c.Languages()
	for i := range langs {
		l := &langs[i]
		if maxRunTime > 0 {
			l.MaxRun.WallTime = min(l.MaxRun.WallTime, maxRunTime)
			l.MaxRun.CPUTime = min(l.MaxRun.CPUTime, maxRunTime)
			l.DefaultRun.WallTime = min(l.DefaultRun.WallTime, maxRunTime)
			l.DefaultRun.CPUTime = min(l.DefaultRun.CPUTime, maxRunTime)
		}
		if maxMemory > 0 {
			l.MaxRun.Memory = min(l.MaxRun.Memory, maxMemory)
			l.DefaultRun.Memory = min(l.DefaultRun.Memory, maxMemory)
			if l.Compiled() {
				l.MaxCompile.Memory = min(l.MaxCompile.Memory, maxMemory)
				l.DefaultCompile.Memory = min(l.DefaultCompile.Memory, maxMemory)
			}
		}
	}
	return NewCatalogue(langs...)
}
