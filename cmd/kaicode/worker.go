package main

import (
	"context"

	"github.com/kaicode/kaicode/internal/config"
)

// workerCommand runs only the job worker, for scale-out: it takes jobs from
// the queue (SQS, or the embedded queue in --data-dir shared with a
// server) and serves /healthz, /readyz and /metrics on --addr.
func workerCommand(ctx context.Context, env *cliEnv, args []string) error {
	n, err := openNode(ctx, "kaicode worker", env, args, func(*config.Config) bool { return true })
	if err != nil {
		return err
	}
	defer n.close()
	return n.run(ctx)
}
