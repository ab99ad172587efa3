package docker

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"

	"github.com/moby/moby/client"
)

// ownerLabel identifies one Sandbox: host name, PID, the PID's start time
// (so a reused PID is not mistaken for a live owner) and a random part
// that tells apart the Sandboxes of one process.
func ownerLabel() string {
	host, _ := os.Hostname()
	pid := os.Getpid()
	return fmt.Sprintf("%s/%d/%s/%016x", host, pid, procStart(pid), rand.Uint64())
}

// procStart returns the start time of process pid (field 22 of
// /proc/PID/stat) or "" when there is no such process.
func procStart(pid int) string {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	// The command name (field 2) may hold spaces; fields after it may not.
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 20 {
		return ""
	}
	return fields[19]
}

// ownerGone reports whether the process named by an owner label ran on
// this host and no longer exists.
func ownerGone(owner string) bool {
	host, _ := os.Hostname()
	parts := strings.Split(owner, "/")
	if len(parts) != 4 || parts[0] != host {
		return false
	}
	pid, err := strconv.Atoi(parts[1])
	if err != nil {
		return false
	}
	return procStart(pid) != parts[2]
}

// sweep removes the sandbox containers whose owning process on this host
// has gone: those a crashed or killed process left behind. Containers of
// live processes and of other hosts sharing the engine are left alone.
func (s *Sandbox) sweep(ctx context.Context) error {
	list, err := s.cli.ContainerList(ctx, client.ContainerListOptions{
		All:     true,
		Filters: make(client.Filters).Add("label", labelSandbox),
	})
	if err != nil {
		return err
	}
	for _, c := range list.Items {
		if ownerGone(c.Labels[labelOwner]) {
			s.removeBox(ctx, &box{id: c.ID})
		}
	}
	return nil
}
