package collab_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/testenv"
)

// TestSIGKILLLosesNothingOlderThanThePersistDelay runs the real binary, has
// a real client write a line every 20 ms, kills the server with SIGKILL,
// restarts it on the same data file, and checks that every line written
// more than the persist delay before the kill survived.
func TestSIGKILLLosesNothingOlderThanThePersistDelay(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the kaicode binary")
	}
	t.Parallel()
	nodeDir(t)
	const persistDelay = 200 * time.Millisecond
	bin := testenv.BuildKaicode(t, t.TempDir(), false)
	dataDir := t.TempDir()
	addr := testenv.FreeAddr(t)
	base := "http://" + addr + "/"

	srv := startKaicode(t, bin, addr, dataDir, persistDelay)
	writer := exec.Command("node", filepath.Join("collab", "writer.mjs"), base, "killed", "20")
	writer.Dir = nodeDir(t)
	out, err := writer.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	writer.Stderr = os.Stderr
	if err := writer.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { writer.Process.Kill(); writer.Wait() })

	written := make(map[int]time.Time)
	lines := make(chan int)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var l struct{ Line int }
			if json.Unmarshal(sc.Bytes(), &l) == nil {
				lines <- l.Line
			}
		}
	}()
	// Kill once 20 lines are older than the persist delay, however slow
	// the machine is: the check below then always has 20 lines to hold
	// the server to.
	var killAt <-chan time.Time
	giveUp := time.After(2 * time.Minute)
	var killed time.Time
collect:
	for {
		select {
		case n, ok := <-lines:
			if !ok {
				break collect
			}
			written[n] = time.Now()
			if len(written) == 20 {
				killAt = time.After(3 * persistDelay)
			}
		case <-giveUp:
			t.Fatalf("only %d lines were written in 2 minutes", len(written))
		case <-killAt:
			if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = time.Now()
			srv.Wait()
			writer.Process.Kill()
		}
	}
	if killed.IsZero() {
		t.Fatal("the writer stopped before the kill")
	}

	startKaicode(t, bin, addr, dataDir, persistDelay)
	text := roomText(t, base, "killed")
	must, lost := 0, 0
	for n, at := range written {
		if killed.Sub(at) <= persistDelay {
			continue
		}
		must++
		if !strings.Contains(text, fmt.Sprintf("line %d\n", n)) {
			lost++
			t.Errorf("line %d, written %v before the kill, was lost", n, killed.Sub(at))
		}
	}
	if must < 20 {
		t.Fatalf("only %d lines were written before the kill window; want a real test", must)
	}
	t.Logf("%d lines written, %d older than %v at the kill, %d lost", len(written), must, persistDelay, lost)
}

// startKaicode runs "kaicode serve" and waits until it answers /healthz.
func startKaicode(t *testing.T, bin, addr, dataDir string, persistDelay time.Duration) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", addr, "--data-dir", dataDir,
		"--collab-anonymous", "--collab-persist-delay", persistDelay.String(), "--worker=false", "--log-level", "warn")
	cmd.Dir = dataDir
	cmd.Env = append(os.Environ(), "KAICODE_JWT_SECRET=sigkill-test-secret-0123456789")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			return cmd
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("kaicode serve did not answer on %s", addr)
	return nil
}
