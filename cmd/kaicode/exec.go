package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kaicode/kaicode/internal/sandbox"
	"github.com/kaicode/kaicode/internal/sandbox/docker"
)

// execCommand implements "kaicode exec": it runs local files through the
// sandbox once and prints what the program printed (or the whole result
// with --json). The exit status is the program's on a runtime error, 0 on
// success and 1 for every other status.
func execCommand(ctx context.Context, env *cliEnv, args []string) error {
	fs := flag.NewFlagSet("kaicode exec", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	src := addSourceFlags(fs)
	timeLimit := fs.Duration("time-limit", 0, "run wall-clock and CPU time limit (default: the language's)")
	memLimit := fs.String("memory-limit", "", "memory limit such as 256MiB (default: the language's)")
	asJSON := fs.Bool("json", false, "print the whole result as JSON")
	prefix := fs.String("image-prefix", envOr(env, "KAICODE_IMAGE_PREFIX", docker.DefaultImagePrefix), "name prefix of the runtime images (env KAICODE_IMAGE_PREFIX)")
	fs.Usage = func() {
		fmt.Fprintln(env.stderr, "Usage: kaicode exec [flags] FILE...\n\nRuns the files in the sandbox; the first is the entry point.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	req, err := src.request(env, fs)
	if err != nil {
		return err
	}
	req.Run.WallTime, req.Run.CPUTime = *timeLimit, *timeLimit
	if *memLimit != "" {
		if req.Run.Memory, err = parseBytes(*memLimit); err != nil {
			return fmt.Errorf("--memory-limit: %w", err)
		}
	}

	sb, err := docker.New(ctx, docker.Options{Languages: []string{req.Language}, ImagePrefix: *prefix})
	if err != nil {
		return err
	}
	defer sb.Close(context.WithoutCancel(ctx))
	res, err := sb.Run(ctx, req)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		io.WriteString(env.stdout, res.Stdout)
		io.WriteString(env.stderr, res.CompileOutput)
		io.WriteString(env.stderr, res.Stderr)
		if res.Status != sandbox.StatusOK {
			fmt.Fprintf(env.stderr, "kaicode exec: %s: %s\n", res.Status, res.Message)
		}
	}
	return exitStatus(res)
}

// sourceFlags name a program's language and stdin; its files are the
// command's arguments. "kaicode exec" and "kaicode run" share them.
type sourceFlags struct {
	lang, stdin *string
}

// addSourceFlags defines the source flags on fs.
func addSourceFlags(fs *flag.FlagSet) sourceFlags {
	return sourceFlags{
		lang:  fs.String("lang", "", "language name or alias (default: guessed from the first file's extension)"),
		stdin: fs.String("stdin", "", "file fed to the program's stdin (\"-\": this process's stdin)"),
	}
}

// request reads the files named by fs's arguments, after fs was parsed,
// and the stdin; with no file it prints the usage and fails with status 2.
func (f sourceFlags) request(env *cliEnv, fs *flag.FlagSet) (sandbox.Request, error) {
	if fs.NArg() == 0 {
		fs.Usage()
		return sandbox.Request{}, exitError{2}
	}
	return execRequest(env, fs.Args(), *f.lang, *f.stdin)
}

// execRequest reads the files and stdin and settles the language.
func execRequest(env *cliEnv, paths []string, lang, stdinFile string) (sandbox.Request, error) {
	req := sandbox.Request{Language: lang}
	if req.Language == "" {
		l, ok := sandbox.Builtin().ByExtension(strings.ToLower(filepath.Ext(paths[0])))
		if !ok {
			return req, fmt.Errorf("cannot tell the language of %s: use --lang", paths[0])
		}
		req.Language = l.Name
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return req, err
		}
		req.Files = append(req.Files, sandbox.File{Name: filepath.Base(p), Content: string(data)})
	}
	switch stdinFile {
	case "":
	case "-":
		data, err := io.ReadAll(io.LimitReader(env.stdin, sandbox.MaxStdinBytes+1))
		if err != nil {
			return req, fmt.Errorf("reading stdin: %w", err)
		}
		req.Stdin = string(data)
	default:
		data, err := os.ReadFile(stdinFile)
		if err != nil {
			return req, err
		}
		req.Stdin = string(data)
	}
	return req, nil
}

// exitStatus maps a result to the command's exit status.
func exitStatus(res sandbox.Result) error {
	switch {
	case res.Status == sandbox.StatusOK:
		return nil
	case res.Status == sandbox.StatusRuntimeError && res.ExitCode > 0 && res.ExitCode < 256:
		return exitError{res.ExitCode}
	}
	return exitError{1}
}

// parseBytes reads sizes such as "1048576", "512k", "256MiB" or "1G"
// (binary units).
func parseBytes(s string) (int64, error) {
	num := strings.TrimRight(s, "kKmMgGiIbB")
	unit := strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(s[len(num):], "B"), "b"))
	shift, ok := map[string]uint{"": 0, "k": 10, "ki": 10, "m": 20, "mi": 20, "g": 30, "gi": 30}[unit]
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if !ok || err != nil || n < 0 || n > (1<<62)>>shift {
		return 0, fmt.Errorf("bad size %q (want such as 256MiB)", s)
	}
	return n << shift, nil
}
