package docker

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/prometheus/client_golang/prometheus"
)

// ownedContainers lists the containers labelled with owner.
func ownedContainers(t *testing.T, sb *Sandbox, owner string) []container.Summary {
	t.Helper()
	list, err := sb.cli.ContainerList(context.Background(), client.ContainerListOptions{
		All: true, Filters: make(client.Filters).Add("label", labelOwner+"="+owner),
	})
	if err != nil {
		t.Fatal(err)
	}
	return list.Items
}

func TestCloseRemovesThePool(t *testing.T) {
	t.Parallel()
	sb := newTestSandbox(t, Options{PoolSize: 2, Languages: []string{"bash"}})
	deadline := time.Now().Add(30 * time.Second)
	for len(ownedContainers(t, sb, sb.owner)) < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if err := sb.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	// A killed container may still be in the engine's own removal.
	deadline = time.Now().Add(5 * time.Second)
	for len(ownedContainers(t, sb, sb.owner)) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if left := ownedContainers(t, sb, sb.owner); len(left) != 0 {
		t.Errorf("%d pooled containers left after Close", len(left))
	}
}

func TestNewSweepsContainersOfDeadOwners(t *testing.T) {
	t.Parallel()
	sb := newTestSandbox(t, Options{Languages: []string{"bash"}})
	host, _ := os.Hostname()
	dead := host + "/999999999/1/0"
	ctx := context.Background()
	c, err := sb.cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config: &container.Config{Image: sb.opts.ImagePrefix + "bash", Labels: map[string]string{
			labelSandbox: "1", labelOwner: dead,
		}},
		HostConfig: &container.HostConfig{NetworkMode: "none"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true}) })
	newTestSandbox(t, Options{Languages: []string{"bash"}})
	if left := ownedContainers(t, sb, dead); len(left) != 0 {
		t.Errorf("the container of a dead owner survived New")
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	sb := newTestSandbox(t, Options{PoolSize: 1, Languages: []string{"bash"}, Registerer: reg})
	run(t, sb, program("bash", "echo hi"))
	run(t, sb, program("bash", "exit 1"))
	for name, want := range map[string]float64{
		`kaicode_sandbox_runs_total{language="bash",status="ok"}`:            1,
		`kaicode_sandbox_runs_total{language="bash",status="runtime_error"}`: 1,
	} {
		if got := gathered(t, reg, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, f := range families {
		have[f.GetName()] = true
	}
	if !have["kaicode_sandbox_run_duration_seconds"] || !have["kaicode_sandbox_pool_ready"] {
		t.Errorf("metric families %v lack the latency histogram or the pool gauge", have)
	}
}

// gathered returns the value of one counter series, such as
// `name{label="v"}`.
func gathered(t *testing.T, reg *prometheus.Registry, series string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			s := f.GetName() + "{"
			for i, l := range m.GetLabel() {
				if i > 0 {
					s += ","
				}
				s += l.GetName() + `="` + l.GetValue() + `"`
			}
			if s+"}" == series {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}
