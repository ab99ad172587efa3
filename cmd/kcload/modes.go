package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// idleResult is what idle measures.
type idleResult struct {
	Server        string  `json:"server"`
	Conns         int     `json:"conns"`
	RSSBeforeKiB  int64   `json:"rss_before_kib"`
	RSSAfterKiB   int64   `json:"rss_after_kib"`
	KiBPerConn    float64 `json:"kib_per_conn"`
	ConnectMillis int64   `json:"connect_ms"`
}

// idle opens -conns synced connections in rooms of 10 and reports the
// server's resident memory per connection.
func idle(ctx context.Context, s settings, args []string) (any, error) {
	fs := flag.NewFlagSet("idle", flag.ContinueOnError)
	conns := fs.Int("conns", 1000, "connections")
	settle := fs.Duration("settle", 3*time.Second, "wait before measuring")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	before, err := rssKiB(s.pid)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	clients := make([]*client, 0, *conns)
	defer func() {
		for _, c := range clients {
			c.ws.CloseNow()
		}
	}()
	for i := range *conns {
		f := framing{hocuspocus: s.hocuspocus, room: roomName("idle", i/10)}
		c, err := dial(ctx, s.url, f, uint64(1000+i))
		if err != nil {
			return nil, err
		}
		clients = append(clients, c)
		if err := c.waitSynced(ctx, 10*time.Second); err != nil {
			return nil, err
		}
		go c.drain()
	}
	connect := time.Since(start)
	time.Sleep(*settle)
	after, err := rssKiB(s.pid)
	if err != nil {
		return nil, err
	}
	return idleResult{Server: s.label, Conns: *conns, RSSBeforeKiB: before, RSSAfterKiB: after,
		KiBPerConn: float64(after-before) / float64(*conns), ConnectMillis: connect.Milliseconds()}, nil
}

// waitSynced reads until a sync step 2 arrives.
func (c *client) waitSynced(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		_, msg, err := c.ws.Read(ctx)
		if err != nil {
			return fmt.Errorf("wait for sync: %w", err)
		}
		if m, ok := c.f.unwrap(msg); ok && isStep2(m) {
			return nil
		}
	}
}

// drain reads and drops messages until the connection closes.
func (c *client) drain() {
	for {
		if _, _, err := c.ws.Read(context.Background()); err != nil {
			return
		}
	}
}

// fanoutResult is what fanout measures.
type fanoutResult struct {
	Server      string  `json:"server"`
	RoomSize    int     `json:"room_size"`
	Clients     int     `json:"clients"`
	Sent        int64   `json:"sent"`
	Received    int64   `json:"received"`
	Expected    int64   `json:"expected"`
	P50Millis   float64 `json:"p50_ms"`
	P99Millis   float64 `json:"p99_ms"`
	CPUPercent  float64 `json:"server_cpu_percent"`
	DurationSec float64 `json:"duration_s"`
}

// fanout runs -clients clients in rooms of -room-size, each sending a
// small update every -interval, and reports the latency from send to
// receipt at every other member and the server's CPU use.
func fanout(ctx context.Context, s settings, args []string) (any, error) {
	fs := flag.NewFlagSet("fanout", flag.ContinueOnError)
	size := fs.Int("room-size", 10, "clients per room")
	total := fs.Int("clients", 100, "clients in all")
	interval := fs.Duration("interval", 100*time.Millisecond, "time between one client's updates")
	duration := fs.Duration("duration", 10*time.Second, "measured time")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	clients := make([]*client, 0, *total)
	defer func() {
		for _, c := range clients {
			c.ws.CloseNow()
		}
	}()
	for i := range *total {
		f := framing{hocuspocus: s.hocuspocus, room: roomName(fmt.Sprintf("fan%d", *size), i / *size)}
		c, err := dial(ctx, s.url, f, uint64(5000+i))
		if err != nil {
			return nil, err
		}
		if err := c.waitSynced(ctx, 10*time.Second); err != nil {
			return nil, err
		}
		clients = append(clients, c)
	}

	var mu sync.Mutex
	var lat []time.Duration
	var received int64
	var readers sync.WaitGroup
	for _, c := range clients {
		readers.Go(func() {
			for {
				_, msg, err := c.ws.Read(context.Background())
				if err != nil {
					return
				}
				if t, ok := stampOf(msg); ok {
					d := time.Since(t)
					mu.Lock()
					lat = append(lat, d)
					received++
					mu.Unlock()
				}
			}
		})
	}
	cpuBefore, err := cpuTicks(s.pid)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	runCtx, cancel := context.WithTimeout(ctx, *duration)
	var senders sync.WaitGroup
	var sent int64
	var sentMu sync.Mutex
	for i, c := range clients {
		senders.Go(func() {
			// Spread the clients over the interval.
			time.Sleep(*interval * time.Duration(i) / time.Duration(len(clients)))
			tick := time.NewTicker(*interval)
			defer tick.Stop()
			for {
				select {
				case <-runCtx.Done():
					return
				case <-tick.C:
					if err := c.insert(runCtx, stamp(time.Now())); err != nil {
						return
					}
					sentMu.Lock()
					sent++
					sentMu.Unlock()
				}
			}
		})
	}
	senders.Wait()
	cancel()
	elapsed := time.Since(start)
	cpuAfter, err := cpuTicks(s.pid)
	if err != nil {
		return nil, err
	}
	time.Sleep(time.Second) // let the last messages arrive
	for _, c := range clients {
		c.ws.CloseNow()
	}
	readers.Wait()
	clients = nil

	mu.Lock()
	defer mu.Unlock()
	slices.Sort(lat)
	res := fanoutResult{Server: s.label, RoomSize: *size, Clients: *total, Sent: sent, Received: received,
		Expected: sent * int64(*size-1), DurationSec: elapsed.Seconds(),
		CPUPercent: float64(cpuAfter-cpuBefore) / clockTicks / elapsed.Seconds() * 100}
	if len(lat) > 0 {
		res.P50Millis = millis(lat[len(lat)/2])
		res.P99Millis = millis(lat[len(lat)*99/100])
	}
	return res, nil
}

// lateJoinResult is what latejoin measures.
type lateJoinResult struct {
	Server    string  `json:"server"`
	DocBytes  int     `json:"doc_bytes"`
	Runs      int     `json:"runs"`
	P50Millis float64 `json:"p50_ms"`
	P90Millis float64 `json:"p90_ms"`
	MaxMillis float64 `json:"max_ms"`
}

// lateJoin writes a document of -doc bytes in 1 KiB updates, then times
// fresh clients from dial to sync step 2.
func lateJoin(ctx context.Context, s settings, args []string) (any, error) {
	fs := flag.NewFlagSet("latejoin", flag.ContinueOnError)
	docSize := fs.Int("doc", 1<<20, "document size in bytes")
	runs := fs.Int("runs", 21, "late joiners, one after another")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	f := framing{hocuspocus: s.hocuspocus, room: roomName("late", int(time.Now().Unix()%10000))}
	w, err := dial(ctx, s.url, f, 9000)
	if err != nil {
		return nil, err
	}
	defer w.ws.CloseNow()
	if err := w.waitSynced(ctx, 10*time.Second); err != nil {
		return nil, err
	}
	go w.drain()
	chunk := strings.Repeat("abcdefghijklmnopqrstuvwxyz0123456789\n", 28)[:1024]
	for written := 0; written < *docSize; written += len(chunk) {
		if err := w.insert(ctx, chunk); err != nil {
			return nil, err
		}
	}
	// Wait until a joiner sees the whole document.
	deadline := time.Now().Add(60 * time.Second)
	for {
		n, _, err := joinOnce(ctx, s, f)
		if err != nil {
			return nil, err
		}
		if n >= *docSize {
			break
		}
		if time.Now().After(deadline) {
			return nil, errors.New("the document never reached its size")
		}
		time.Sleep(200 * time.Millisecond)
	}
	var times []time.Duration
	for range *runs {
		_, d, err := joinOnce(ctx, s, f)
		if err != nil {
			return nil, err
		}
		times = append(times, d)
	}
	slices.Sort(times)
	return lateJoinResult{Server: s.label, DocBytes: *docSize, Runs: *runs,
		P50Millis: millis(times[len(times)/2]),
		P90Millis: millis(times[len(times)*9/10]),
		MaxMillis: millis(times[len(times)-1])}, nil
}

// millis is d in milliseconds, to the microsecond.
func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// joinOnce connects a fresh client and returns the size of the step 2 it
// received and the time from dial to its arrival.
func joinOnce(ctx context.Context, s settings, f framing) (int, time.Duration, error) {
	start := time.Now()
	c, err := dial(ctx, s.url, f, uint64(time.Now().UnixNano()&0xffffff))
	if err != nil {
		return 0, 0, err
	}
	defer c.ws.CloseNow()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		_, msg, err := c.ws.Read(ctx)
		if err != nil {
			return 0, 0, fmt.Errorf("late joiner: %w", err)
		}
		if m, ok := c.f.unwrap(msg); ok && isStep2(m) {
			return len(m), time.Since(start), nil
		}
	}
}

// clockTicks is USER_HZ, the unit of /proc/pid/stat times on Linux.
const clockTicks = 100

// rssKiB reads the resident set size of process pid.
func rssKiB(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("server memory: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.ParseInt(strings.Fields(rest)[0], 10, 64)
		}
	}
	return 0, errors.New("server memory: no VmRSS")
}

// cpuTicks reads the user plus system CPU time of process pid.
func cpuTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("server CPU: %w", err)
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("server CPU: %w", err)
	}
	return utime + stime, nil
}
