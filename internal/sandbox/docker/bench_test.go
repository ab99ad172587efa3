package docker

import (
	"context"
	"io"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/kaicode/kaicode/internal/sandbox"
)

// The benchmarks compare, for a trivial Python program, Sandbox.Run (warm
// pool and no pool) with `docker run --rm` and `docker exec` of the same
// image, in one run:
//
//	go test -run '^$' -bench . -benchtime 100x ./internal/sandbox/docker/
//
// Each reports p50-ms and p95-ms besides the mean (ns/op).

const benchProgram = `print("hello")`

// latencies records per-iteration durations and reports percentiles.
type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	slices.Sort(l)
	pct := func(p float64) float64 {
		return float64(l[int(p*float64(len(l)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
}

func benchSandbox(b *testing.B, pool int) *Sandbox {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sb, err := New(ctx, Options{PoolSize: pool, Languages: []string{"python"}})
	if err != nil {
		b.Skipf("needs the Docker engine and images (scripts/setup): %v", err)
	}
	b.Cleanup(func() { sb.Close(context.Background()) })
	return sb
}

// waitFull blocks until the pool of lang is full again, so that each
// iteration of a warm benchmark measures a warm run.
func waitFull(b *testing.B, sb *Sandbox, lang string) {
	p := sb.pools[lang]
	for len(p.ready) < cap(p.ready) {
		time.Sleep(time.Millisecond)
	}
}

func benchRun(b *testing.B, pool int) {
	sb := benchSandbox(b, pool)
	req := program("python", benchProgram)
	var lat latencies
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if pool > 0 {
			b.StopTimer()
			waitFull(b, sb, "python")
			b.StartTimer()
		}
		start := time.Now()
		res, err := sb.Run(context.Background(), req)
		lat = append(lat, time.Since(start))
		if err != nil || res.Status != sandbox.StatusOK {
			b.Fatalf("Run: %v %+v", err, res)
		}
	}
	lat.report(b)
}

func BenchmarkRunWarmPool(b *testing.B) { benchRun(b, 1) }
func BenchmarkRunNoPool(b *testing.B)   { benchRun(b, 0) }

// BenchmarkRunSustained measures throughput with a pool of 4 and as many
// concurrent runs as CPUs (see runs/s).
func BenchmarkRunSustained(b *testing.B) {
	sb := benchSandbox(b, 4)
	waitFull(b, sb, "python")
	req := program("python", benchProgram)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if res, err := sb.Run(context.Background(), req); err != nil || res.Status != sandbox.StatusOK {
				b.Errorf("Run: %v %+v", err, res)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "runs/s")
}

// BenchmarkDockerRunCLI runs `docker run --rm` of the same image.
func BenchmarkDockerRunCLI(b *testing.B) {
	sb := benchSandbox(b, 0)
	image := sb.opts.ImagePrefix + "python"
	var lat latencies
	for range b.N {
		start := time.Now()
		out, err := exec.Command("docker", "run", "--rm", "--network", "none", "--entrypoint", "python3", image, "-c", benchProgram).CombinedOutput()
		lat = append(lat, time.Since(start))
		if err != nil || string(out) != "hello\n" {
			b.Fatalf("docker run: %v %q", err, out)
		}
	}
	lat.report(b)
}

// runningContainer starts a long-lived container of the python image.
func runningContainer(b *testing.B, sb *Sandbox) string {
	ctx := context.Background()
	c, err := sb.cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config:     &container.Config{Image: sb.opts.ImagePrefix + "python", Entrypoint: []string{"sleep", "infinity"}},
		HostConfig: &container.HostConfig{NetworkMode: "none", AutoRemove: true},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		sb.cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true})
	})
	if _, err := sb.cli.ContainerStart(ctx, c.ID, client.ContainerStartOptions{}); err != nil {
		b.Fatal(err)
	}
	return c.ID
}

// BenchmarkDockerExecCLI runs `docker exec` into a running container.
func BenchmarkDockerExecCLI(b *testing.B) {
	sb := benchSandbox(b, 0)
	id := runningContainer(b, sb)
	var lat latencies
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		out, err := exec.Command("docker", "exec", id, "python3", "-c", benchProgram).CombinedOutput()
		lat = append(lat, time.Since(start))
		if err != nil || string(out) != "hello\n" {
			b.Fatalf("docker exec: %v %q", err, out)
		}
	}
	lat.report(b)
}

// BenchmarkDockerExecAPI does what `docker exec` does through the Engine
// API, without the CLI's own start-up.
func BenchmarkDockerExecAPI(b *testing.B) {
	sb := benchSandbox(b, 0)
	id := runningContainer(b, sb)
	ctx := context.Background()
	var lat latencies
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		ex, err := sb.cli.ExecCreate(ctx, id, client.ExecCreateOptions{
			AttachStdout: true, AttachStderr: true, Cmd: []string{"python3", "-c", benchProgram},
		})
		if err != nil {
			b.Fatal(err)
		}
		att, err := sb.cli.ExecAttach(ctx, ex.ID, client.ExecAttachOptions{})
		if err != nil {
			b.Fatal(err)
		}
		var out limitedBuffer
		out.limit = 1 << 20
		_, err = stdcopy.StdCopy(&out, io.Discard, att.Reader)
		att.Close()
		if err != nil {
			b.Fatal(err)
		}
		insp, err := sb.cli.ExecInspect(ctx, ex.ID, client.ExecInspectOptions{})
		lat = append(lat, time.Since(start))
		if err != nil || insp.ExitCode != 0 || string(out.buf) != "hello\n" {
			b.Fatalf("exec: %v %d %q", err, insp.ExitCode, out.buf)
		}
	}
	lat.report(b)
}
