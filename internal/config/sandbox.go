package config

import (
	"fmt"
	"time"
)

// Sandbox configures code execution in Docker.
type Sandbox struct {
	// PoolSize is the number of warm containers kept per language.
	// Default 1; 0 starts a fresh container for every job.
	PoolSize int
	// ImagePrefix names the runtime images, "<prefix><language>".
	// Default "kaicode-runtime-".
	ImagePrefix string
	// MaxRunTime is the largest run wall-clock limit a request may ask for.
	// Default 15s.
	MaxRunTime time.Duration
	// MaxMemory is the largest memory limit a request may ask for, in
	// bytes. Default 512MiB.
	MaxMemory int64
	// OutputLimit caps stdout and stderr each, in bytes. Default 64KiB.
	OutputLimit int64
}

func (s *Sandbox) settings() []setting {
	return []setting{
		{"pool-size", []string{"KAICODE_POOL_SIZE"}, "1", "warm containers kept per language (0: cold start every job)", intVar(&s.PoolSize, 0, 64)},
		{"image-prefix", []string{"KAICODE_IMAGE_PREFIX"}, "kaicode-runtime-", "name prefix of the runtime images", stringVar(&s.ImagePrefix)},
		{"max-run-time", []string{"KAICODE_MAX_RUN_TIME"}, "15s", "largest run wall-clock limit a request may ask for", durationVar(&s.MaxRunTime)},
		{"max-memory", []string{"KAICODE_MAX_MEMORY"}, "512MiB", "largest memory limit a request may ask for", bytesVar(&s.MaxMemory)},
		{"output-limit", []string{"KAICODE_OUTPUT_LIMIT"}, "64KiB", "cap on stdout and on stderr of one run", bytesVar(&s.OutputLimit)},
	}
}

func (s Sandbox) validate() error {
	if s.ImagePrefix == "" {
		return fmt.Errorf("invalid --image-prefix: must not be empty")
	}
	if s.MaxRunTime < 100*time.Millisecond {
		return fmt.Errorf("invalid --max-run-time %s: must be at least 100ms", s.MaxRunTime)
	}
	if s.MaxMemory < 16<<20 {
		return fmt.Errorf("invalid --max-memory %s: must be at least 16MiB", FormatBytes(s.MaxMemory))
	}
	if s.OutputLimit < 1<<10 {
		return fmt.Errorf("invalid --output-limit %s: must be at least 1KiB", FormatBytes(s.OutputLimit))
	}
	return nil
}
