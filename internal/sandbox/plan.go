package sandbox

import (
	"fmt"
	"path"
	"strings"
	"unicode/utf8"
)

// Bounds on a request's size, enforced by Catalogue.Plan.
const (
	MaxFiles       = 64
	MaxFileName    = 255
	MaxSourceBytes = 1 << 20 // all files together
	MaxStdinBytes  = 8 << 20
	MaxArgs        = 64
	MaxArgBytes    = 4096 // each argument
)

// Plan is a validated Request with the language resolved and every default
// filled in: what a Sandbox implementation executes.
type Plan struct {
	Language Language
	// Files have non-empty, clean, relative names; Files[0] is the entry
	// point.
	Files   []File
	Stdin   string
	Args    []string
	Compile Limits
	Run     Limits
}

// Plan validates req against the catalogue. It returns ErrUnknownLanguage or
// ErrBadRequest (wrapped, with a reason a user can act on).
func (c Catalogue) Plan(req Request) (Plan, error) {
	lang, ok := c.Lookup(req.Language)
	if !ok {
		return Plan{}, fmt.Errorf("%w: %q", ErrUnknownLanguage, req.Language)
	}
	p := Plan{Language: lang, Stdin: req.Stdin, Args: req.Args}
	if err := p.setFiles(req.Files); err != nil {
		return Plan{}, err
	}
	if len(req.Stdin) > MaxStdinBytes {
		return Plan{}, fmt.Errorf("%w: stdin is %d bytes, more than %d", ErrBadRequest, len(req.Stdin), MaxStdinBytes)
	}
	if len(req.Args) > MaxArgs {
		return Plan{}, fmt.Errorf("%w: %d args, more than %d", ErrBadRequest, len(req.Args), MaxArgs)
	}
	for _, a := range req.Args {
		if len(a) > MaxArgBytes || strings.ContainsRune(a, 0) {
			return Plan{}, fmt.Errorf("%w: an argument is longer than %d bytes or contains NUL", ErrBadRequest, MaxArgBytes)
		}
	}
	var err error
	if p.Run, err = resolveLimits("run", req.Run, lang.DefaultRun, lang.MaxRun); err != nil {
		return Plan{}, err
	}
	if lang.Compiled() {
		if p.Compile, err = resolveLimits("compile", req.Compile, lang.DefaultCompile, lang.MaxCompile); err != nil {
			return Plan{}, err
		}
	}
	return p, nil
}

func (p *Plan) setFiles(files []File) error {
	if len(files) == 0 {
		return fmt.Errorf("%w: no files", ErrBadRequest)
	}
	if len(files) > MaxFiles {
		return fmt.Errorf("%w: %d files, more than %d", ErrBadRequest, len(files), MaxFiles)
	}
	total := 0
	seen := make(map[string]bool, len(files))
	p.Files = make([]File, len(files))
	for i, f := range files {
		if f.Name == "" && i == 0 {
			f.Name = p.Language.FileName
		}
		if err := checkFileName(f.Name); err != nil {
			return err
		}
		if seen[f.Name] {
			return fmt.Errorf("%w: file %q given twice", ErrBadRequest, f.Name)
		}
		seen[f.Name] = true
		total += len(f.Content)
		p.Files[i] = f
	}
	if total > MaxSourceBytes {
		return fmt.Errorf("%w: files total %d bytes, more than %d", ErrBadRequest, total, MaxSourceBytes)
	}
	return nil
}

// checkFileName accepts clean relative paths that stay inside the work
// directory and are not hidden (the runner keeps its own files there).
func checkFileName(name string) error {
	bad := func(why string) error {
		return fmt.Errorf("%w: file name %q %s", ErrBadRequest, name, why)
	}
	switch {
	case name == "":
		return bad("is empty")
	case len(name) > MaxFileName:
		return bad("is too long")
	case !utf8.ValidString(name) || strings.ContainsAny(name, "\x00\\"):
		return bad("contains invalid characters")
	case path.IsAbs(name) || path.Clean(name) != name || name == "." || strings.HasPrefix(name, "../") || name == "..":
		return bad("must be a clean relative path")
	}
	for _, part := range strings.Split(name, "/") {
		if strings.HasPrefix(part, ".") {
			return bad("must not contain hidden parts")
		}
	}
	return nil
}

// resolveLimits fills zero fields from def and rejects negative values and
// values above max.
func resolveLimits(step string, l, def, max Limits) (Limits, error) {
	if l.WallTime < 0 || l.CPUTime < 0 || l.Memory < 0 {
		return Limits{}, fmt.Errorf("%w: %s limits must not be negative", ErrBadRequest, step)
	}
	if l.WallTime == 0 {
		l.WallTime = def.WallTime
	}
	if l.CPUTime == 0 {
		l.CPUTime = def.CPUTime
	}
	if l.Memory == 0 {
		l.Memory = def.Memory
	}
	switch {
	case l.WallTime > max.WallTime:
		return Limits{}, fmt.Errorf("%w: %s wall time %v exceeds the maximum %v", ErrBadRequest, step, l.WallTime, max.WallTime)
	case l.CPUTime > max.CPUTime:
		return Limits{}, fmt.Errorf("%w: %s CPU time %v exceeds the maximum %v", ErrBadRequest, step, l.CPUTime, max.CPUTime)
	case l.Memory > max.Memory:
		return Limits{}, fmt.Errorf("%w: %s memory %d bytes exceeds the maximum %d", ErrBadRequest, step, l.Memory, max.Memory)
	}
	return l, nil
}

// Sources returns the names of the files the compiler is given: the entry
// point and every file with one of the language's extensions.
func (p Plan) Sources() []string {
	var out []string
	for i, f := range p.Files {
		if i == 0 || hasExtension(f.Name, p.Language.Extensions) {
			out = append(out, f.Name)
		}
	}
	return out
}

func hasExtension(name string, exts []string) bool {
	for _, e := range exts {
		if strings.HasSuffix(strings.ToLower(name), e) {
			return true
		}
	}
	return false
}

// Command expands a command template: {main} becomes the entry file and
// {sources} every source file.
func (p Plan) Command(template []string) []string {
	var out []string
	for _, arg := range template {
		switch arg {
		case "{main}":
			out = append(out, p.Files[0].Name)
		case "{sources}":
			out = append(out, p.Sources()...)
		default:
			out = append(out, arg)
		}
	}
	return out
}
