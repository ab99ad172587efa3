package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/auth"
	"github.com/kaicode/kaicode/internal/bus"
	"github.com/kaicode/kaicode/internal/jobs"
	"github.com/kaicode/kaicode/internal/queue"
	"github.com/kaicode/kaicode/internal/sandbox"
	"github.com/kaicode/kaicode/internal/sandbox/docker"
	"github.com/kaicode/kaicode/internal/store"
	"github.com/kaicode/kaicode/internal/testenv"
)

// requireSandbox skips (or, with KAICODE_REQUIRE_ALL=1, fails) t when the
// Docker engine or the runtime images are missing.
func requireSandbox(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sb, err := docker.New(ctx, docker.Options{})
	if err != nil {
		testenv.Missing(t, "needs the Docker engine and the runtime images (start dockerd, run 'kaicode images build'): %v", err)
	}
	sb.Close(ctx)
}

// proc is a kaicode subprocess whose log lines are kept.
type proc struct {
	cmd  *exec.Cmd
	done chan error
	mu   sync.Mutex
	logs strings.Builder
}

func startProc(t *testing.T, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), done: make(chan error, 1)}
	p.cmd.Dir = t.TempDir()
	p.cmd.Env = testEnv("KAICODE_JWT_SECRET=" + testSecret)
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.logs.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
		}
		p.done <- p.cmd.Wait()
	}()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

func (p *proc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// stop sends sig and waits for the exit.
func (p *proc) stop(t *testing.T, sig syscall.Signal) error {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatalf("no exit 30s after %v\n%s", sig, p.log())
	}
	return nil
}

// jobsDone counts the "job done" log lines of job id.
func (p *proc) jobsDone(id string) int {
	n := 0
	for _, line := range strings.Split(p.log(), "\n") {
		if strings.Contains(line, `"msg":"job done"`) && strings.Contains(line, id) {
			n++
		}
	}
	return n
}

const testSecret = "crash-test-secret-0123456789"

// pipelineFixture submits jobs into a data dir as a server would.
type pipelineFixture struct {
	dir   string
	store *store.Jobs
	queue *queue.SQLite
	svc   *jobs.Service
}

func newPipelineFixture(t *testing.T) *pipelineFixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db := testenv.OpenSQLite(t, filepath.Join(dir, "kaicode.db"))
	st, err := store.NewJobs(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	q, err := queue.NewSQLite(ctx, db, queue.SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	svc, err := jobs.NewService(jobs.Options{
		Store: st, Queue: q, Bus: bus.NewMemory(0), Catalogue: sandbox.Builtin(), PollInterval: 100 * time.Millisecond,
		Limits: jobs.Limits{MaxSource: 1 << 16, RatePerMinute: 100, MaxQueuedPerUser: 100,
			MaxRunTime: 10 * time.Second, MaxMemory: 256 << 20, MaxWait: time.Minute},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &pipelineFixture{dir: dir, store: st, queue: q, svc: svc}
}

func (f *pipelineFixture) submit(t *testing.T, source string) string {
	t.Helper()
	j, err := f.svc.Submit(context.Background(), jobs.Submission{User: "1", Request: sandbox.Request{
		Language: "python", Files: []sandbox.File{{Content: source}}}})
	if err != nil {
		t.Fatal(err)
	}
	return j.ID
}

func (f *pipelineFixture) waitStatus(t *testing.T, id string, want jobs.Status, within time.Duration) jobs.Job {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		j, err := f.store.Get(context.Background(), id)
		if err == nil && (j.Status == want || want != jobs.StatusRunning && j.Status.Final()) {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s is %s after %s, want %s (%v)", id, j.Status, within, want, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func workerArgs(dir string, addr string) []string {
	return []string{"worker", "--data-dir", dir, "--addr", addr, "--visibility-timeout", "2s",
		"--max-receives", "3", "--workers", "2", "--pool-size", "0", "--log-format", "json", "--shutdown-timeout", "5s"}
}

func TestWorkerKilledMidJobIsRedeliveredAndFinishedOnce(t *testing.T) {
	bin := kaicodeBinary(t)
	requireSandbox(t)
	f := newPipelineFixture(t)
	slow := f.submit(t, "import time\nprint('start', flush=True)\ntime.sleep(2)\nprint('done')\n")

	first := startProc(t, bin, workerArgs(f.dir, testenv.FreeAddr(t))...)
	f.waitStatus(t, slow, jobs.StatusRunning, 60*time.Second)
	time.Sleep(500 * time.Millisecond) // the program is sleeping in its container
	_ = first.stop(t, syscall.SIGKILL)
	if j, _ := f.store.Get(context.Background(), slow); j.Status != jobs.StatusRunning || j.Attempts != 1 {
		t.Fatalf("after SIGKILL the job is %s after %d attempts, want running after 1", j.Status, j.Attempts)
	}
	others := []string{f.submit(t, "print('b')"), f.submit(t, "print('c')")}

	second := startProc(t, bin, workerArgs(f.dir, testenv.FreeAddr(t))...)
	j := f.waitStatus(t, slow, jobs.StatusFinished, 60*time.Second)
	if j.Status != jobs.StatusFinished || j.Result == nil || j.Result.Stdout != "start\ndone\n" || j.Attempts != 2 {
		t.Fatalf("redelivered job = %s, attempts %d, result %+v\nsecond worker:\n%s", j.Status, j.Attempts, j.Result, second.log())
	}
	for i, id := range others {
		o := f.waitStatus(t, id, jobs.StatusFinished, 30*time.Second)
		if want := string(rune('b'+i)) + "\n"; o.Status != jobs.StatusFinished || o.Result.Stdout != want || o.Attempts != 1 {
			t.Errorf("job submitted while no worker ran = %s, attempts %d, %+v", o.Status, o.Attempts, o.Result)
		}
	}
	if err := second.stop(t, syscall.SIGTERM); err != nil {
		t.Errorf("second worker exit: %v", err)
	}
	if a, b := first.jobsDone(slow), second.jobsDone(slow); a != 0 || b != 1 {
		t.Errorf("the killed job was finished %d times by the first worker and %d by the second, want 0 and 1", a, b)
	}
	if n, err := f.queue.Depth(context.Background()); n != 0 || err != nil {
		t.Errorf("queue depth %d, %v; want 0", n, err)
	}
	if dead, err := f.queue.DeadLetters(context.Background(), 10); len(dead) != 0 || err != nil {
		t.Errorf("dead letters %v, %v; want none", dead, err)
	}
}

func TestQueuedJobSurvivesServerRestart(t *testing.T) {
	bin := kaicodeBinary(t)
	requireSandbox(t)
	dir := t.TempDir()
	token, err := auth.Issue([]byte(testSecret), auth.User{ID: "1"}, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	call := func(method, url, body string) map[string]any {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatalf("%s %s: %d, %v", method, url, resp.StatusCode, err)
		}
		return m
	}
	serve := func(worker bool) (*proc, string) {
		addr := testenv.FreeAddr(t)
		p := startProc(t, bin, "serve", "--addr", addr, "--data-dir", dir, fmt.Sprintf("--worker=%v", worker),
			"--pool-size", "0", "--log-format", "json")
		waitHealthy(ctx, t, "http://"+addr)
		return p, "http://" + addr
	}

	apiOnly, base := serve(false)
	job := call("POST", base+"/api/v1/jobs", `{"language":"python","source":"print(6*7)"}`)
	id, _ := job["id"].(string)
	if id == "" || job["status"] != "queued" {
		t.Fatalf("submit: %v", job)
	}
	if err := apiOnly.stop(t, syscall.SIGTERM); err != nil {
		t.Fatalf("API-only server exit: %v\n%s", err, apiOnly.log())
	}

	full, base := serve(true)
	for {
		job = call("GET", base+"/api/v1/jobs/"+id, "")
		if job["status"] == "finished" || ctx.Err() != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	result, _ := job["result"].(map[string]any)
	if job["status"] != "finished" || result == nil || result["stdout"] != "42\n" || job["attempts"] != 1.0 {
		t.Fatalf("job after restart = %v\n%s", job, full.log())
	}
	if err := full.stop(t, syscall.SIGTERM); err != nil {
		t.Errorf("server exit: %v", err)
	}
}
