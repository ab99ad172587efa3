package docker

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"github.com/moby/moby/client"
)

// localBaseVersion identifies how the local base is made; changing the
// recipe below must change it.
const localBaseVersion = "debootstrap-minbase-bookworm-1"

// debianMirror is where debootstrap downloads packages from.
const debianMirror = "http://deb.debian.org/debian"

// localBase returns the local base image, making it first if needed: a
// minimal Debian 12 from the host's debootstrap, imported as an image.
func (b *builder) localBase(ctx context.Context) (string, error) {
	name := b.ImagePrefix + "base"
	if err := imageCurrent(ctx, b.Client, name, localBaseVersion); err == nil {
		return name, nil
	}
	if _, err := exec.LookPath("debootstrap"); err != nil {
		return "", fmt.Errorf("no base image: %s cannot be pulled and debootstrap is not installed (apt-get install debootstrap)", upstreamBase)
	}
	dir, err := os.MkdirTemp("", "kaicode-base-")
	if err != nil {
		return "", fmt.Errorf("local base: %w", err)
	}
	defer os.RemoveAll(dir)

	start := time.Now()
	b.logf("[%s] running debootstrap --variant=minbase bookworm (about half a minute)", name)
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "debootstrap", "--variant=minbase", "bookworm", dir, debianMirror)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("local base: debootstrap: %w\n%s", err, tailOf(out.Bytes(), 2000))
	}

	b.logf("[%s] importing the root file system", name)
	tarCmd := exec.CommandContext(ctx, "tar", "--numeric-owner", "-C", dir, "-c", ".")
	pipe, err := tarCmd.StdoutPipe()
	if err != nil {
		return "", fmt.Errorf("local base: %w", err)
	}
	var tarErr bytes.Buffer
	tarCmd.Stderr = &tarErr
	if err := tarCmd.Start(); err != nil {
		return "", fmt.Errorf("local base: tar: %w", err)
	}
	resp, err := b.Client.ImageImport(ctx, client.ImageImportSource{Source: pipe, SourceName: "-"}, name,
		client.ImageImportOptions{Changes: []string{
			`CMD ["/bin/bash"]`,
			"LABEL " + labelVersion + "=" + localBaseVersion,
		}})
	if err == nil {
		_, err = io.Copy(io.Discard, resp)
		resp.Close()
	}
	if werr := tarCmd.Wait(); werr != nil && err == nil {
		err = fmt.Errorf("tar: %w: %s", werr, tailOf(tarErr.Bytes(), 500))
	}
	if err != nil {
		return "", fmt.Errorf("local base: importing: %w", err)
	}
	b.logf("[%s] made in %v", name, time.Since(start).Round(time.Second))
	return name, nil
}

func tailOf(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
