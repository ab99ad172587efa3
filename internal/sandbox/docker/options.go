package docker

import (
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/moby/moby/client"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kaicode/kaicode/internal/sandbox"
)

// DefaultImagePrefix prefixes the runtime images' names.
const DefaultImagePrefix = "kaicode-runtime-"

// Options configure a Sandbox. Every field's zero value means its default.
type Options struct {
	// Client talks to the Docker engine. Default: a client configured from
	// the environment (DOCKER_HOST, ...), negotiating the API version; it
	// is closed by Close.
	Client *client.Client
	// Catalogue lists the languages. Default: sandbox.Builtin().
	Catalogue sandbox.Catalogue
	// Languages restricts the served languages to these names. Default:
	// every language of the catalogue. Their images must exist.
	Languages []string
	// PoolSize is the number of started containers kept ready per
	// language. Default 0: every run starts its own container.
	PoolSize int
	// ImagePrefix prefixes the runtime images' names. Default
	// DefaultImagePrefix, giving "kaicode-runtime-python".
	ImagePrefix string
	// MaxRunTime lowers the catalogue's largest run wall-clock and CPU
	// limits. Default: the catalogue's (15s).
	MaxRunTime time.Duration
	// MaxMemory lowers the catalogue's largest memory limits, in bytes.
	// Default: the catalogue's (1GiB).
	MaxMemory int64
	// OutputLimit caps stdout, stderr and the compiler's output, each, in
	// bytes. Default 64KiB.
	OutputLimit int
	// TmpfsSize is the size of the writable /tmp, in bytes. Default 64MiB.
	TmpfsSize int64
	// PidsLimit caps processes and threads per container. Default 128.
	PidsLimit int64
	// CPUs is the CPU quota per container. Default 1.
	CPUs float64
	// OpenFiles is the open file limit per process. Default 1024.
	OpenFiles int64
	// Registerer receives the metrics. Default nil: no metrics registered.
	Registerer prometheus.Registerer
	// Logger receives background failures (pool refills, sweeps).
	// Default: discard.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Catalogue.Len() == 0 {
		o.Catalogue = sandbox.Builtin()
	}
	if o.ImagePrefix == "" {
		o.ImagePrefix = DefaultImagePrefix
	}
	if o.OutputLimit == 0 {
		o.OutputLimit = 64 << 10
	}
	if o.TmpfsSize == 0 {
		o.TmpfsSize = 64 << 20
	}
	if o.PidsLimit == 0 {
		o.PidsLimit = 128
	}
	if o.CPUs == 0 {
		o.CPUs = 1
	}
	if o.OpenFiles == 0 {
		o.OpenFiles = 1024
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o
}

func (o Options) validate() error {
	switch {
	case o.PoolSize < 0:
		return fmt.Errorf("docker sandbox: PoolSize %d is negative", o.PoolSize)
	case o.MaxRunTime < 0:
		return fmt.Errorf("docker sandbox: MaxRunTime %v is negative", o.MaxRunTime)
	case o.MaxMemory < 0:
		return fmt.Errorf("docker sandbox: MaxMemory %d is negative", o.MaxMemory)
	case o.OutputLimit < 1024:
		return fmt.Errorf("docker sandbox: OutputLimit %d is below 1024 bytes", o.OutputLimit)
	case o.TmpfsSize < 1<<20:
		return fmt.Errorf("docker sandbox: TmpfsSize %d is below 1MiB", o.TmpfsSize)
	case o.PidsLimit < 8:
		return fmt.Errorf("docker sandbox: PidsLimit %d is below 8", o.PidsLimit)
	case o.CPUs < 0.01:
		return fmt.Errorf("docker sandbox: CPUs %v is below 0.01", o.CPUs)
	case o.OpenFiles < 16:
		return fmt.Errorf("docker sandbox: OpenFiles %d is below 16", o.OpenFiles)
	}
	return nil
}
