// Package docker implements sandbox.Sandbox on a Docker engine.
//
// Every run gets a container no other run used: the container's main
// process is kaicode-runner (see images/runner), which waits on its attached
// stdin for one request, compiles and runs the program, writes a report and
// exits; the container then removes itself. Containers have no network, a
// read-only root, a small tmpfs at /tmp, an unprivileged user, no
// capabilities, no-new-privileges and limits on memory (no swap), CPU,
// processes, open files and file size. A pool can keep containers started
// ahead per language, so a run only pays for attaching and the program.
//
// A Sandbox is safe for concurrent use. Its pool refills in background
// goroutines that stop on Close.
package docker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"

	"github.com/kaicode/kaicode/images"
	"github.com/kaicode/kaicode/internal/sandbox"
)

var _ sandbox.Sandbox = (*Sandbox)(nil)

// stepSlack is added to a run's step limits to get the deadline after which
// the host gives up on the runner and kills the container.
const stepSlack = 5 * time.Second

// Sandbox runs programs in Docker containers.
type Sandbox struct {
	cli       *client.Client
	ownClient bool
	opts      Options
	cat       sandbox.Catalogue
	owner     string
	metrics   *metrics
	pools     map[string]*pool

	stop context.CancelFunc // stops the pools' refills
	wg   sync.WaitGroup     // the refill goroutines
	once sync.Once
}

// New connects to the engine, checks that every served language's image
// is present and current, removes containers left by a crashed process,
// and starts the pools. It returns an error wrapping sandbox.ErrUnavailable
// when the engine cannot be reached.
func New(ctx context.Context, opts Options) (*Sandbox, error) {
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	s := &Sandbox{cli: opts.Client, opts: opts, owner: ownerLabel(), pools: make(map[string]*pool)}
	if s.cli == nil {
		cli, err := client.New(client.FromEnv)
		if err != nil {
			return nil, fmt.Errorf("%w: docker client: %v", sandbox.ErrUnavailable, err)
		}
		s.cli, s.ownClient = cli, true
	}
	s.cat = served(opts.Catalogue.Capped(opts.MaxRunTime, opts.MaxMemory), opts.Languages)
	if s.cat.Len() == 0 {
		s.closeClient()
		return nil, fmt.Errorf("docker sandbox: none of the languages %v is in the catalogue", opts.Languages)
	}
	if err := s.init(ctx); err != nil {
		s.closeClient()
		return nil, err
	}
	s.metrics = newMetrics(opts.Registerer)
	refillCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	s.stop = stop
	if opts.PoolSize > 0 {
		for _, l := range s.cat.Languages() {
			p := newPool(l, opts.PoolSize)
			s.pools[l.Name] = p
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.refill(refillCtx, p)
			}()
		}
	}
	return s, nil
}

func (s *Sandbox) init(ctx context.Context) error {
	if err := s.Ping(ctx); err != nil {
		return err
	}
	if err := s.checkImages(ctx); err != nil {
		return err
	}
	if err := s.sweep(ctx); err != nil {
		return fmt.Errorf("%w: removing stale containers: %v", sandbox.ErrUnavailable, err)
	}
	return nil
}

// served keeps the languages named in names (all when names is empty).
func served(c sandbox.Catalogue, names []string) sandbox.Catalogue {
	if len(names) == 0 {
		return c
	}
	var keep []sandbox.Language
	for _, n := range names {
		if l, ok := c.Lookup(n); ok && !slices.ContainsFunc(keep, func(k sandbox.Language) bool { return k.Name == l.Name }) {
			keep = append(keep, l)
		}
	}
	return sandbox.NewCatalogue(keep...)
}

// Catalogue returns the served languages with their effective limits.
func (s *Sandbox) Catalogue() sandbox.Catalogue { return s.cat }

// Ping checks that the engine answers; its error wraps
// sandbox.ErrUnavailable.
func (s *Sandbox) Ping(ctx context.Context) error {
	if _, err := s.cli.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		return fmt.Errorf("%w: docker engine: %v", sandbox.ErrUnavailable, err)
	}
	return nil
}

// checkImages makes sure each served language's image exists and was
// built from the current definition.
func (s *Sandbox) checkImages(ctx context.Context) error {
	for _, l := range s.cat.Languages() {
		name := s.opts.ImagePrefix + l.Image
		if err := imageCurrent(ctx, s.cli, name, images.Version(l.Image)); err != nil {
			return fmt.Errorf("%w: %v (run `kaicode images build`)", sandbox.ErrUnavailable, err)
		}
	}
	return nil
}

// Close stops the pools' refills and removes their containers. Runs in
// progress finish normally; Run must not be called after Close.
func (s *Sandbox) Close(ctx context.Context) error {
	s.once.Do(func() {
		s.stop()
		s.wg.Wait()
		var wg sync.WaitGroup
		for _, p := range s.pools {
			for _, b := range p.drain() {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s.removeBox(ctx, b)
				}()
			}
		}
		wg.Wait()
		s.metrics.unregister()
		s.closeClient()
	})
	return nil
}

func (s *Sandbox) closeClient() {
	if s.ownClient {
		s.cli.Close()
	}
}

// Run executes req in a fresh container. See sandbox.Sandbox.
func (s *Sandbox) Run(ctx context.Context, req sandbox.Request) (sandbox.Result, error) {
	start := time.Now()
	p, err := s.cat.Plan(req)
	if err != nil {
		return sandbox.Result{}, err
	}
	res, err := s.run(ctx, p)
	if err == nil {
		s.metrics.observe(p.Language.Name, res.Status, time.Since(start))
	}
	return res, err
}

func (s *Sandbox) run(ctx context.Context, p sandbox.Plan) (sandbox.Result, error) {
	memory := max(p.Compile.Memory, p.Run.Memory)
	if pl := s.pools[p.Language.Name]; pl != nil && pl.memory == memory {
		if b, ok := pl.take(); ok {
			res, err := s.runIn(ctx, b, p)
			if !errors.Is(err, errStaleBox) {
				return res, err
			}
		}
	}
	b, err := s.startBox(ctx, p.Language, memory)
	if err != nil {
		if ctx.Err() != nil {
			return sandbox.Result{}, fmt.Errorf("sandbox run: %w", context.Cause(ctx))
		}
		return sandbox.Result{}, fmt.Errorf("%w: %v", sandbox.ErrUnavailable, err)
	}
	return s.runIn(ctx, b, p)
}

// errStaleBox means a pooled container could not be attached to (it died
// while waiting); the run is retried on a fresh one.
var errStaleBox = errors.New("pooled container is gone")

// runIn feeds p to b's runner and reads the report. b is used once: it
// removes itself when the runner exits, and is removed here on every other
// path.
func (s *Sandbox) runIn(ctx context.Context, b *box, p sandbox.Plan) (res sandbox.Result, err error) {
	done := false
	defer func() {
		if !done {
			s.removeBox(ctx, b)
		}
	}()
	deadline := p.Run.WallTime + stepSlack
	if p.Language.Compiled() {
		deadline += p.Compile.WallTime
	}
	runCtx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()

	att, err := s.cli.ContainerAttach(runCtx, b.id, client.ContainerAttachOptions{
		Stream: true, Stdin: true, Stdout: true, Stderr: true,
	})
	if err != nil {
		if cerrdefs.IsNotFound(err) || cerrdefs.IsConflict(err) {
			return sandbox.Result{}, errStaleBox
		}
		return sandbox.Result{}, fmt.Errorf("%w: attaching to container: %v", sandbox.ErrUnavailable, err)
	}
	defer att.Close()
	stopWatch := context.AfterFunc(runCtx, func() { att.Conn.SetDeadline(time.Now()) })
	defer stopWatch()

	rep, err := s.exchange(att.HijackedResponse, s.request(p))
	switch {
	case err == nil:
		done = true
		return resultOf(p, rep), nil
	case ctx.Err() != nil:
		return sandbox.Result{}, fmt.Errorf("sandbox run: %w", context.Cause(ctx))
	case runCtx.Err() != nil:
		return sandbox.Result{
			Status: sandbox.StatusTimeout, Language: p.Language.Name, Version: p.Language.Version,
			ExitCode: -1, Signal: "SIGKILL", WallTime: deadline,
			Message: "the sandbox did not finish within its limits",
		}, nil
	default:
		return sandbox.Result{
			Status: sandbox.StatusInternalError, Language: p.Language.Name, Version: p.Language.Version,
			ExitCode: -1, Message: err.Error(),
		}, nil
	}
}

// exchange writes the request to the runner and reads its report. It
// returns as soon as the report's line is complete rather than when the
// stream ends: the engine closes an attach stream only tens of
// milliseconds after the container exits.
func (s *Sandbox) exchange(att client.HijackedResponse, req request) (report, error) {
	writeErr := make(chan error, 1)
	go func() {
		err := json.NewEncoder(att.Conn).Encode(req)
		if err == nil {
			err = att.CloseWrite()
		}
		writeErr <- err
	}()
	// The report holds at most three capped streams, base64-encoded.
	stdout := &lineBuffer{limitedBuffer: limitedBuffer{limit: int64(s.opts.OutputLimit)*6 + 1<<20}, done: make(chan struct{})}
	stderr := &limitedBuffer{limit: 64 << 10}
	copied := make(chan error, 1)
	go func() {
		_, err := stdcopy.StdCopy(stdout, stderr, att.Reader)
		copied <- err
	}()
	var readErr error
	select {
	case <-stdout.done:
		att.Close() // ends StdCopy; the runner exits on its own
		<-copied
	case readErr = <-copied:
	}
	if err := <-writeErr; err != nil && readErr == nil {
		readErr = fmt.Errorf("writing the request: %w", err)
	}
	if readErr != nil && !stdout.complete() {
		return report{}, fmt.Errorf("reading the report: %w", readErr)
	}
	var rep report
	if err := json.Unmarshal(stdout.buf, &rep); err != nil {
		return report{}, fmt.Errorf("the runner ended without a valid report (%v); its stderr: %q", err, stderr.buf)
	}
	return rep, nil
}

// request builds the runner's request for p.
func (s *Sandbox) request(p sandbox.Plan) request {
	lang := p.Language
	req := request{
		Stdin:       []byte(p.Stdin),
		Env:         append([]string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/tmp", "TMPDIR=/tmp", "LANG=C.UTF-8"}, lang.Env...),
		OutputLimit: s.opts.OutputLimit,
		Run:         step{Argv: append(p.Command(lang.Run), p.Args...), WallMS: p.Run.WallTime.Milliseconds(), CPUMS: p.Run.CPUTime.Milliseconds()},
	}
	for _, f := range p.Files {
		req.Files = append(req.Files, file{Name: f.Name, Content: []byte(f.Content)})
	}
	if lang.Compiled() {
		req.Compile = &step{Argv: p.Command(lang.Compile), WallMS: p.Compile.WallTime.Milliseconds(), CPUMS: p.Compile.CPUTime.Milliseconds()}
	}
	return req
}

// limitedBuffer keeps the first limit bytes written to it and fails the
// write after that, which stops a flooding stream.
type limitedBuffer struct {
	buf   []byte
	limit int64
}

var errTooLarge = errors.New("runner output exceeds its bound")

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if int64(len(b.buf)+len(p)) > b.limit {
		return 0, errTooLarge
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// lineBuffer is a limitedBuffer that closes done when its first line is
// complete (the runner's report is one line of JSON). Read buf only after
// the writer has stopped.
type lineBuffer struct {
	limitedBuffer
	done chan struct{}
}

func (b *lineBuffer) Write(p []byte) (int, error) {
	n, err := b.limitedBuffer.Write(p)
	if err == nil && bytes.IndexByte(p, '\n') >= 0 && !b.complete() {
		close(b.done)
	}
	return n, err
}

func (b *lineBuffer) complete() bool {
	select {
	case <-b.done:
		return true
	default:
		return false
	}
}

var (
	_ io.Writer = (*limitedBuffer)(nil)
	_ io.Writer = (*lineBuffer)(nil)
)
