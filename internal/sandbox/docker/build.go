package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/kaicode/kaicode/images"
)

// labelVersion carries an image's definition version (images.Version).
const labelVersion = "io.kaicode.image.version"

// upstreamBase is the base image used when it can be pulled; otherwise a
// local one is made with debootstrap.
const upstreamBase = "debian:bookworm-slim"

// BuildOptions configure BuildImages. Every field's zero value means its
// default.
type BuildOptions struct {
	// Client talks to the Docker engine. Default: from the environment.
	Client *client.Client
	// ImagePrefix prefixes the images' names. Default DefaultImagePrefix.
	ImagePrefix string
	// Names are the images to build (see images.Names). Default: all.
	Names []string
	// Force rebuilds images that are current.
	Force bool
	// Parallel is how many images build at once. Default 2.
	Parallel int
	// Progress receives one line per build step. Default: discard.
	Progress io.Writer
}

// BuildImages builds the runtime images that are missing or stale (their
// version label differs from images.Version), from debian:bookworm-slim
// when it can be pulled and otherwise from a local debootstrap base. It is
// fast when everything is current.
func BuildImages(ctx context.Context, opts BuildOptions) error {
	b, err := newBuilder(opts)
	if err != nil {
		return err
	}
	defer b.close()
	return b.buildAll(ctx)
}

type builder struct {
	BuildOptions
	ownClient bool
	mu        sync.Mutex // serialises Progress
}

func newBuilder(opts BuildOptions) (*builder, error) {
	b := &builder{BuildOptions: opts}
	if b.ImagePrefix == "" {
		b.ImagePrefix = DefaultImagePrefix
	}
	if b.Names == nil {
		b.Names = images.Names()
	}
	for _, n := range b.Names {
		if !slices.Contains(images.Names(), n) {
			return nil, fmt.Errorf("no image definition %q (have %v)", n, images.Names())
		}
	}
	if b.Parallel <= 0 {
		b.Parallel = 2
	}
	if b.Progress == nil {
		b.Progress = io.Discard
	}
	if b.Client == nil {
		cli, err := client.New(client.FromEnv)
		if err != nil {
			return nil, fmt.Errorf("docker client: %w", err)
		}
		b.Client, b.ownClient = cli, true
	}
	return b, nil
}

func (b *builder) close() {
	if b.ownClient {
		b.Client.Close()
	}
}

func (b *builder) logf(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	fmt.Fprintf(b.Progress, format+"\n", args...)
}

func (b *builder) buildAll(ctx context.Context) error {
	var todo []string
	for _, n := range b.Names {
		err := imageCurrent(ctx, b.Client, b.ImagePrefix+n, images.Version(n))
		switch {
		case err == nil && !b.Force:
			b.logf("%s%s is current", b.ImagePrefix, n)
		case err == nil || errors.Is(err, errStale):
			todo = append(todo, n)
		default:
			return err
		}
	}
	if len(todo) == 0 {
		return nil
	}
	start := time.Now()
	base, err := b.base(ctx)
	if err != nil {
		return err
	}
	runner, err := b.runner(ctx, base)
	if err != nil {
		return err
	}
	sem := make(chan struct{}, b.Parallel)
	errs := make([]error, len(todo))
	var wg sync.WaitGroup
	for i, n := range todo {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = b.buildRuntime(ctx, n, base, runner)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	b.logf("built %d images in %v", len(todo), time.Since(start).Round(time.Second))
	return nil
}

// errStale means an image is missing or was built from another definition.
var errStale = errors.New("image is missing or stale")

// imageCurrent checks that image name exists with the version label.
func imageCurrent(ctx context.Context, cli *client.Client, name, version string) error {
	img, err := cli.ImageInspect(ctx, name)
	if cerrdefs.IsNotFound(err) {
		return fmt.Errorf("%w: %s does not exist", errStale, name)
	}
	if err != nil {
		return fmt.Errorf("inspecting image %s: %w", name, err)
	}
	if img.Config == nil || img.Config.Labels[labelVersion] != version {
		return fmt.Errorf("%w: %s was built from another definition (want version %s)", errStale, name, version)
	}
	return nil
}

// base returns the base image: upstreamBase if present or pullable, else
// the local debootstrap image.
func (b *builder) base(ctx context.Context) (string, error) {
	if _, err := b.Client.ImageInspect(ctx, upstreamBase); err == nil {
		return upstreamBase, nil
	}
	pullCtx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	resp, err := b.Client.ImagePull(pullCtx, upstreamBase, client.ImagePullOptions{})
	if err == nil {
		err = resp.Wait(pullCtx)
		resp.Close()
	}
	if err == nil {
		b.logf("pulled %s", upstreamBase)
		return upstreamBase, nil
	}
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	b.logf("cannot pull %s (%v); using a local debootstrap base", upstreamBase, firstLine(err.Error()))
	return b.localBase(ctx)
}

// runner builds the runner image if needed and returns the runner binary.
func (b *builder) runner(ctx context.Context, base string) ([]byte, error) {
	name := b.ImagePrefix + images.Runner
	version := images.Version(images.Runner)
	if err := imageCurrent(ctx, b.Client, name, version); err != nil || b.Force {
		files := map[string][]byte{"go.mod": []byte("module kaicode-runner\n\ngo 1.19\n")}
		for n, data := range images.RunnerSources() {
			files[n] = data
		}
		if err := b.build(ctx, images.Runner, base, version, files); err != nil {
			return nil, err
		}
	}
	return b.extract(ctx, name, "/kaicode-runner")
}

// extract copies one file out of an image, through a container that is
// created but never started.
func (b *builder) extract(ctx context.Context, image, file string) ([]byte, error) {
	c, err := b.Client.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config:     &container.Config{Image: image, Entrypoint: []string{file}},
		HostConfig: &container.HostConfig{NetworkMode: "none"},
	})
	if err != nil {
		return nil, fmt.Errorf("extracting %s from %s: %w", file, image, err)
	}
	defer b.Client.ContainerRemove(context.WithoutCancel(ctx), c.ID, client.ContainerRemoveOptions{Force: true})
	cp, err := b.Client.CopyFromContainer(ctx, c.ID, client.CopyFromContainerOptions{SourcePath: file})
	if err != nil {
		return nil, fmt.Errorf("extracting %s from %s: %w", file, image, err)
	}
	defer cp.Content.Close()
	tr := tar.NewReader(cp.Content)
	if _, err := tr.Next(); err != nil {
		return nil, fmt.Errorf("extracting %s from %s: %w", file, image, err)
	}
	data, err := io.ReadAll(io.LimitReader(tr, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("extracting %s from %s: %w", file, image, err)
	}
	return data, nil
}

// buildRuntime builds the runtime image n with the runner binary in its
// context.
func (b *builder) buildRuntime(ctx context.Context, n, base string, runner []byte) error {
	return b.build(ctx, n, base, images.Version(n), map[string][]byte{"kaicode-runner": runner})
}

// build builds images/<n>/Dockerfile with extra context files, tagged
// <prefix><n> and labelled with version.
func (b *builder) build(ctx context.Context, n, base, version string, extra map[string][]byte) error {
	start := time.Now()
	dockerfile, err := fs.ReadFile(images.FS(), path.Join(n, "Dockerfile"))
	if err != nil {
		return fmt.Errorf("image %s: %w", n, err)
	}
	files := map[string][]byte{"Dockerfile": dockerfile}
	for k, v := range extra {
		files[k] = v
	}
	tarball, err := tarOf(files)
	if err != nil {
		return fmt.Errorf("image %s: build context: %w", n, err)
	}
	name := b.ImagePrefix + n
	b.logf("[%s] building from %s", name, base)
	resp, err := b.Client.ImageBuild(ctx, bytes.NewReader(tarball), client.ImageBuildOptions{
		Tags:        []string{name},
		BuildArgs:   map[string]*string{"BASE": &base},
		Labels:      map[string]string{labelVersion: version},
		Remove:      true,
		ForceRemove: true,
		Version:     build.BuilderV1,
	})
	if err != nil {
		return fmt.Errorf("image %s: %w", name, err)
	}
	defer resp.Body.Close()
	if err := b.follow(name, resp.Body); err != nil {
		return fmt.Errorf("image %s: %w", name, err)
	}
	b.logf("[%s] built in %v", name, time.Since(start).Round(100*time.Millisecond))
	return nil
}

// follow reads the build's JSON message stream, reports each step and
// returns the build's error with the last lines of its output.
func (b *builder) follow(name string, body io.Reader) error {
	dec := json.NewDecoder(body)
	var tail []string
	for {
		var msg struct {
			Stream      string `json:"stream"`
			Error       string `json:"error"`
			ErrorDetail struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		if err := dec.Decode(&msg); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("reading build output: %w", err)
		}
		if msg.Error != "" {
			return fmt.Errorf("%s\n%s", msg.Error, strings.Join(tail, "\n"))
		}
		for _, line := range strings.Split(strings.TrimRight(msg.Stream, "\n"), "\n") {
			if line == "" {
				continue
			}
			tail = append(tail, line)
			if len(tail) > 20 {
				tail = tail[1:]
			}
			if strings.HasPrefix(line, "Step ") {
				b.logf("[%s] %s", name, line)
			}
		}
	}
}

// tarOf packs files into a tar archive; executables are recognised by
// name.
func tarOf(files map[string][]byte) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		mode := int64(0o644)
		if n == "kaicode-runner" {
			mode = 0o755
		}
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: mode, Size: int64(len(files[n])), ModTime: time.Unix(0, 0)}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(files[n]); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
