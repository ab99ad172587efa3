package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/kaicode/kaicode/internal/auth"

	"github.com/kaicode/kaicode/internal/testenv"
)

// BenchmarkSyncThousandRooms runs "kaicode serve" (no worker) as its own
// process, opens 1,000 rooms with 2 /sync connections each, sends "sync"
// from every connection every second (the text changes every 10 s, as
// while someone types now and then) and reports the server's CPU use and
// resident memory over a 30 s window. Run it with -benchtime=1x.
func BenchmarkSyncThousandRooms(b *testing.B) {
	const rooms, perRoom, window = 1000, 2, 30 * time.Second
	// Built without -race (buildBinary's race build costs several times
	// the CPU and memory being measured).
	bin := testenv.BuildKaicode(b, b.TempDir(), false)
	const secret = "sync-load-secret-0123456789"
	addr := testenv.FreeAddr(b)
	cmd := exec.Command(bin, "serve", "--addr", addr, "--data-dir", b.TempDir(), "--worker=false", "--log-level", "warn")
	cmd.Env = append(os.Environ(), "KAICODE_JWT_SECRET="+secret)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if res, err := http.Get("http://" + addr + "/healthz"); err == nil {
			res.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("server not healthy in 60s")
		}
	}

	tok, err := auth.Issue([]byte(secret), auth.User{ID: "7"}, time.Hour, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	text := strings.Repeat("print('hello, world')\n", 50) // about 1.1 KB
	var wg sync.WaitGroup
	errs := make(chan error, rooms*perRoom)
	for r := range rooms {
		for range perRoom {
			ws, _, err := websocket.Dial(ctx, "ws://"+addr+"/sync", nil)
			if err != nil {
				b.Fatal(err)
			}
			defer ws.CloseNow()
			room := fmt.Sprintf("load-%04d", r)
			auth, _ := json.Marshal(map[string]string{"event": "auth", "token": tok, "room_name": room})
			if err := ws.Write(ctx, websocket.MessageText, auth); err != nil {
				b.Fatal(err)
			}
			wg.Go(func() { // discard what the server sends
				for {
					if _, _, err := ws.Read(ctx); err != nil {
						return
					}
				}
			})
			wg.Go(func() {
				tick := time.NewTicker(time.Second)
				defer tick.Stop()
				for n := 0; ; n++ {
					select {
					case <-ctx.Done():
						return
					case <-tick.C:
					}
					msg, _ := json.Marshal(map[string]string{"event": "sync", "room_name": room,
						"content": text + strconv.Itoa(n/10)})
					if err := ws.Write(ctx, websocket.MessageText, msg); err != nil && ctx.Err() == nil {
						errs <- err
						return
					}
				}
			})
		}
	}
	time.Sleep(5 * time.Second) // settle
	cpu0, wall0 := procCPU(b, cmd.Process.Pid), time.Now()
	time.Sleep(window)
	cpu1, wall1 := procCPU(b, cmd.Process.Pid), time.Now()
	rss := procRSS(b, cmd.Process.Pid)
	cancel()
	wg.Wait()
	select {
	case err := <-errs:
		b.Fatalf("a client failed: %v", err)
	default:
	}
	b.ReportMetric(100*(cpu1-cpu0).Seconds()/wall1.Sub(wall0).Seconds(), "server-cpu-%")
	b.ReportMetric(float64(rss)/(1<<20), "server-rss-MiB")
}

// procCPU is the user plus system CPU time of process pid.
func procCPU(b *testing.B, pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ
}

// procRSS is the resident memory of process pid, in bytes.
func procRSS(b *testing.B, pid int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	b.Fatal("no VmRSS")
	return 0
}
