// Package images holds the definitions of the sandbox's runtime images: one
// Dockerfile per image (images/<name>/Dockerfile) and the source of
// kaicode-runner, the main process every image runs (images/runner).
//
// The files are embedded so the kaicode binary can build the images
// anywhere; internal/sandbox/docker does the building.
package images

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Runner is the directory of the runner's source and builder Dockerfile.
const Runner = "runner"

//go:embed */Dockerfile runner/*.go
var files embed.FS

// FS returns the image definitions, rooted at this directory.
func FS() fs.FS { return files }

// Names returns the runtime images, sorted; the runner is not one of them.
func Names() []string {
	entries, _ := fs.ReadDir(files, ".")
	var names []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != Runner {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}

// RunnerSources returns the runner's Go files (tests excluded) by name.
func RunnerSources() map[string][]byte {
	entries, _ := fs.ReadDir(files, Runner)
	out := make(map[string][]byte)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".go") && !strings.HasSuffix(e.Name(), "_test.go") {
			data, _ := fs.ReadFile(files, path.Join(Runner, e.Name()))
			out[e.Name()] = data
		}
	}
	return out
}

// Version identifies the definition of image name (or of the runner): a
// digest of its Dockerfile and of the runner's source, which every image
// contains. Images carry it as a label so a stale image is rebuilt.
func Version(name string) string {
	h := sha256.New()
	write := func(p string) {
		data, _ := fs.ReadFile(files, p)
		h.Write([]byte(p + "\x00"))
		h.Write(data)
	}
	write(path.Join(Runner, "Dockerfile"))
	srcs := RunnerSources()
	names := make([]string, 0, len(srcs))
	for n := range srcs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		write(path.Join(Runner, n))
	}
	write(path.Join(name, "Dockerfile"))
	return hex.EncodeToString(h.Sum(nil))[:16]
}
