// Command kaicode is the backend of a collaborative coding platform: a Yjs
// collaboration server, a room sync server and a sandboxed job worker in
// one binary.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// cliEnv is what a subcommand may touch of the outside world.
type cliEnv struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, env *cliEnv, args []string) error
}

// commands lists the subcommands by name.
var commands = map[string]command{
	"serve":   {"run the server: collaboration, sync, API and (by default) the job worker", serveCommand},
	"version": {"print the version", versionCommand},
	"worker":  {"run only the job worker (for scale-out), taking jobs from the queue", workerCommand},
	"images":  {"build or list the sandbox's runtime images", imagesCommand},
	"exec":    {"run local files in the sandbox and print their output", execCommand},
	"run":     {"run local files on a kaicode server (its job API) and print their output", runCommand},
}

// exitError carries a specific exit status out of a subcommand.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := &cliEnv{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	code := run(ctx, env, os.Args[1:])
	stop()
	os.Exit(code)
}

// run dispatches args to a subcommand and turns its error into an exit
// status: 0 success, 2 usage, 1 anything else.
func run(ctx context.Context, env *cliEnv, args []string) int {
	name := "serve"
	if len(args) > 0 && (len(args[0]) == 0 || args[0][0] != '-') {
		name, args = args[0], args[1:]
	}
	if name == "help" {
		usage(env.stdout)
		return 0
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(env.stderr, "kaicode: unknown command %q\n", name)
		usage(env.stderr)
		return 2
	}
	err := cmd.run(ctx, env, args)
	var exit exitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &exit):
		return exit.code
	}
	fmt.Fprintf(env.stderr, "kaicode %s: %v\n", name, err)
	return 1
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: kaicode <command> [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'kaicode <command> --help' for its flags.")
}
