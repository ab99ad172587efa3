package main

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// oomFiles hold the container's OOM-kill counter, under cgroup v1 and v2.
var oomFiles = []string{
	"/sys/fs/cgroup/memory/memory.oom_control",
	"/sys/fs/cgroup/memory.events",
}

// oomKills returns how many processes the OOM killer has killed in this
// container's memory cgroup, or 0 when the counter cannot be read.
func oomKills() int64 {
	for _, name := range oomFiles {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest := strings.TrimPrefix(sc.Text(), "oom_kill "); rest != sc.Text() {
				n, _ := strconv.ParseInt(strings.TrimSpace(rest), 10, 64)
				return n
			}
		}
	}
	return 0
}
