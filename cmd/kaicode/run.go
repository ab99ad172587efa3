package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/kaicode/kaicode/internal/sandbox"
)

// pollInterval is the time between two looks at a job that outlived the
// server's wait.
const pollInterval = 500 * time.Millisecond

// runCommand implements "kaicode run": the client of a kaicode server's job
// API. It sends local files as one job, waits for it and prints what the
// program printed, with the exit status "kaicode exec" would give.
func runCommand(ctx context.Context, env *cliEnv, args []string) error {
	fs := flag.NewFlagSet("kaicode run", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	server := fs.String("server", envOr(env, "KAICODE_SERVER", "http://127.0.0.1:1234"), "base URL of the kaicode server (env KAICODE_SERVER)")
	token := fs.String("token", env.getenv("KAICODE_TOKEN"), "bearer token (env KAICODE_TOKEN; kaicode serve logs a dev token)")
	src := addSourceFlags(fs)
	asJSON := fs.Bool("json", false, "print the whole job as JSON")
	fs.Usage = func() {
		fmt.Fprintln(env.stderr, "Usage: kaicode run [flags] FILE...\n\nRuns the files on a kaicode server; the first is the entry point.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	req, err := src.request(env, fs)
	if err != nil {
		return err
	}
	if *token == "" {
		return errors.New("no token: pass --token or set KAICODE_TOKEN (kaicode serve logs a dev token when it has no secret)")
	}
	c := jobClient{base: strings.TrimSuffix(*server, "/"), token: *token}
	raw, job, err := c.run(ctx, req)
	if err != nil {
		return err
	}
	if *asJSON {
		if _, err := env.stdout.Write(raw); err != nil {
			return err
		}
	} else if job.Result != nil {
		io.WriteString(env.stdout, job.Result.Stdout)
		io.WriteString(env.stderr, job.Result.CompileOutput)
		io.WriteString(env.stderr, job.Result.Stderr)
	}
	if job.Result == nil {
		return fmt.Errorf("job %s %s: %s", job.ID, job.Status, job.Error)
	}
	res := sandbox.Result{Status: job.Result.Status, ExitCode: job.Result.ExitCode}
	if res.Status != sandbox.StatusOK && !*asJSON {
		fmt.Fprintf(env.stderr, "kaicode run: %s: %s\n", res.Status, job.Result.Message)
	}
	return exitStatus(res)
}

// remoteJob is the part of a job of GET /api/v1/jobs/{id} that run uses.
type remoteJob struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Error  string `json:"error"`
	Result *struct {
		Status        sandbox.Status `json:"status"`
		ExitCode      int            `json:"exit_code"`
		Stdout        string         `json:"stdout"`
		Stderr        string         `json:"stderr"`
		CompileOutput string         `json:"compile_output"`
		Message       string         `json:"message"`
	} `json:"result"`
}

// final reports whether j has ended.
func (j remoteJob) final() bool { return j.Status == "finished" || j.Status == "failed" }

// jobClient calls a kaicode server's job API.
type jobClient struct {
	base, token string
}

// run submits req, waiting as long as the server allows, then polls until
// the job has ended. It returns the final job and its JSON.
func (c jobClient) run(ctx context.Context, req sandbox.Request) ([]byte, remoteJob, error) {
	body, err := json.Marshal(map[string]any{"language": req.Language, "files": req.Files, "stdin": req.Stdin})
	if err != nil {
		return nil, remoteJob{}, err
	}
	raw, job, err := c.call(ctx, http.MethodPost, "/api/v1/jobs?wait=true", body)
	for err == nil && !job.final() {
		select {
		case <-ctx.Done():
			return nil, job, fmt.Errorf("job %s: %w", job.ID, context.Cause(ctx))
		case <-time.After(pollInterval):
		}
		raw, job, err = c.call(ctx, http.MethodGet, "/api/v1/jobs/"+job.ID, nil)
	}
	return raw, job, err
}

// call sends one request and decodes the job it answers with, or turns the
// API's error body into an error.
func (c jobClient) call(ctx context.Context, method, path string, body []byte) ([]byte, remoteJob, error) {
	r, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, remoteJob{}, fmt.Errorf("kaicode server: %w", err)
	}
	r.Header.Set("Authorization", "Bearer "+c.token)
	r.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		return nil, remoteJob{}, fmt.Errorf("kaicode server: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, remoteJob{}, fmt.Errorf("kaicode server: %s %s: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusAccepted {
		var e struct{ Code, Message string }
		if json.Unmarshal(raw, &e) != nil || e.Message == "" {
			return nil, remoteJob{}, fmt.Errorf("kaicode server: %s %s: %s", method, path, resp.Status)
		}
		return nil, remoteJob{}, fmt.Errorf("kaicode server: %s: %s", e.Code, e.Message)
	}
	var job remoteJob
	if err := json.Unmarshal(raw, &job); err != nil {
		return nil, remoteJob{}, fmt.Errorf("kaicode server: %s %s: %w", method, path, err)
	}
	return raw, job, nil
}
