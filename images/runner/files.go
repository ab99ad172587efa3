package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// writeFiles writes the program's files below dir. Names were validated by
// the host; they are checked again because the runner trusts nothing.
func writeFiles(dir string, files []file) error {
	for _, f := range files {
		clean := filepath.Clean(f.Name)
		if f.Name == "" || filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			return fmt.Errorf("bad file name %q", f.Name)
		}
		p := filepath.Join(dir, clean)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("creating directory for %q: %v", f.Name, err)
		}
		if err := os.WriteFile(p, f.Content, 0o644); err != nil {
			return fmt.Errorf("writing %q: %v", f.Name, err)
		}
	}
	return nil
}

// stdinFile stores data in a file that is unlinked once open: the program
// reads it as a regular file (no pipe to keep full, closing it early is
// harmless) and cannot find it by name.
func stdinFile(dir string, data []byte) (*os.File, error) {
	p := filepath.Join(dir, ".kaicode-stdin")
	if err := os.WriteFile(p, data, 0o400); err != nil {
		return nil, fmt.Errorf("writing stdin: %v", err)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("opening stdin: %v", err)
	}
	if err := os.Remove(p); err != nil {
		f.Close()
		return nil, fmt.Errorf("unlinking stdin: %v", err)
	}
	return f, nil
}
