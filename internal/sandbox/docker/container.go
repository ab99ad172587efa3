package docker

import (
	"context"
	"fmt"
	"strconv"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/kaicode/kaicode/internal/sandbox"
)

// Labels on every sandbox container; the owner label lets a later process
// find the containers a crashed one left behind.
const (
	labelSandbox  = "io.kaicode.sandbox"
	labelOwner    = "io.kaicode.sandbox.owner"
	labelLanguage = "io.kaicode.sandbox.language"
)

// unprivileged is the user programs run as ("nobody").
const unprivileged = "65534:65534"

// box is one started, unused container whose runner waits for a request.
type box struct {
	id     string
	lang   string
	memory int64
}

// startBox creates and starts a container for lang with the given memory
// limit. The container removes itself when its runner exits. The engine
// calls are not cut short by ctx, so that a container created just as ctx
// ends is still known, and removed.
func (s *Sandbox) startBox(ctx context.Context, lang sandbox.Language, memory int64) (*box, error) {
	pids := s.opts.PidsLimit
	apiCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	created, err := s.cli.ContainerCreate(apiCtx, client.ContainerCreateOptions{
		Config: &container.Config{
			Image:       s.opts.ImagePrefix + lang.Image,
			User:        unprivileged,
			WorkingDir:  "/tmp",
			AttachStdin: true, AttachStdout: true, AttachStderr: true,
			OpenStdin: true, StdinOnce: true,
			NetworkDisabled: true,
			Labels: map[string]string{
				labelSandbox:  "1",
				labelOwner:    s.owner,
				labelLanguage: lang.Name,
			},
		},
		HostConfig: &container.HostConfig{
			AutoRemove:     true,
			NetworkMode:    "none",
			ReadonlyRootfs: true,
			CapDrop:        []string{"ALL"},
			SecurityOpt:    []string{"no-new-privileges"},
			Tmpfs: map[string]string{
				"/tmp": "rw,exec,nosuid,nodev,mode=1777,size=" + strconv.FormatInt(s.opts.TmpfsSize, 10),
			},
			ShmSize: 1 << 20,
			Resources: container.Resources{
				Memory:     memory,
				MemorySwap: memory, // equal to Memory: no swap
				NanoCPUs:   int64(s.opts.CPUs * 1e9),
				PidsLimit:  &pids,
				Ulimits: []*container.Ulimit{
					{Name: "nofile", Soft: s.opts.OpenFiles, Hard: s.opts.OpenFiles},
					{Name: "fsize", Soft: s.opts.TmpfsSize, Hard: s.opts.TmpfsSize},
					{Name: "core", Soft: 0, Hard: 0},
				},
			},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("creating a %s container: %w", lang.Name, err)
	}
	b := &box{id: created.ID, lang: lang.Name, memory: memory}
	if ctx.Err() != nil {
		s.removeBox(ctx, b)
		return nil, context.Cause(ctx)
	}
	if _, err := s.cli.ContainerStart(apiCtx, b.id, client.ContainerStartOptions{}); err != nil {
		s.removeBox(ctx, b)
		return nil, fmt.Errorf("starting a %s container: %w", lang.Name, err)
	}
	if ctx.Err() != nil {
		s.removeBox(ctx, b)
		return nil, context.Cause(ctx)
	}
	return b, nil
}

// removeBox kills and removes b. It runs even when ctx is already done, so
// that a cancelled run never leaves its container behind.
func (s *Sandbox) removeBox(ctx context.Context, b *box) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	_, err := s.cli.ContainerRemove(ctx, b.id, client.ContainerRemoveOptions{Force: true})
	if err != nil && !cerrdefs.IsNotFound(err) && !cerrdefs.IsConflict(err) {
		s.opts.Logger.Warn("sandbox: removing container", "id", b.id, "err", err)
	}
}
