// Package config loads Kaicode's settings.
//
// Every setting has a flag and one or more environment names. A value is
// taken from the first of: the command line, the process environment, the
// optional .env file, the default. Load validates the result and names the
// setting in every error, so a bad value stops the server with one clear
// line.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/joho/godotenv"
)

// Config is the whole configuration of one kaicode process. The comment of
// each field says its default and unit.
type Config struct {
	// Addr is the HTTP listen address. Default ":1234".
	Addr string
	// DataDir holds the embedded SQLite data file. Default "./data".
	DataDir string
	// EnvFile is an optional dotenv file. Default ".env"; a missing default
	// file is ignored, a missing named file is an error.
	EnvFile string
	// LogLevel is the minimum level logged. Default info.
	LogLevel slog.Level
	// LogFormat is "text", "json" or "auto" (text on a terminal). Default auto.
	LogFormat string
	// ShutdownTimeout bounds the graceful shutdown. Default 20s.
	ShutdownTimeout time.Duration
	// PublicURL is the URL users reach the server at, used in logged links.
	// Default derived from Addr.
	PublicURL string

	// JWTSecret verifies HS256 tokens (KAICODE_JWT_SECRET or NEXTAUTH_SECRET).
	// Empty: a random secret is generated at start and a development token
	// is logged.
	JWTSecret string

	// DatabaseURL selects PostgreSQL storage when set. Default empty (SQLite).
	DatabaseURL string
	// RedisURL selects Redis fan-out between nodes when set. Default empty.
	RedisURL string
	// RedisPassword is the Redis password when not in RedisURL.
	RedisPassword string

	// AWS configures the SQS queue.
	AWS AWS

	// Worker runs the job worker inside "serve". Default true.
	Worker bool
	// Workers is the number of concurrent job runners. Default 0 = derived
	// from the CPU count.
	Workers int

	// Sandbox configures code execution.
	Sandbox Sandbox
	// Jobs configures job submission limits.
	Jobs Jobs
	// Collab configures the Yjs collaboration server.
	Collab Collab
	// Sync configures the /sync room protocol server.
	Sync Sync
}

// AWS holds the SQS settings; the original deployment's names are honoured.
type AWS struct {
	// QueueURL selects SQS when set (SQS_QUEUE_URL). Default empty.
	QueueURL string
	// Endpoint overrides the SQS endpoint (AWS_ENDPOINT_URL_SQS).
	Endpoint string
	// Region is the AWS region. Default "ap-south-1".
	Region string
	// AccessKeyID and SecretAccessKey are static credentials
	// (AWS_ACCESS_KEY / AWS_ACCESS_KEY_ID); empty: the standard chain.
	AccessKeyID     string
	SecretAccessKey string
}

// Secret-bearing settings, never logged.
var secretSettings = map[string]bool{
	"jwt-secret":            true,
	"redis-password":        true,
	"aws-secret-access-key": true,
	"database-url":          true,
	"redis-url":             true,
}

// setting binds one flag to its environment names.
type setting struct {
	name  string
	env   []string
	def   string
	usage string
	value flag.Value
}

// settings lists every setting of c, in the order --help prints them.
func (c *Config) settings() []setting {
	s := []setting{
		{"addr", []string{"KAICODE_ADDR"}, ":1234", "HTTP listen address", stringVar(&c.Addr)},
		{"data-dir", []string{"KAICODE_DATA_DIR"}, "./data", "directory of the embedded SQLite data file", stringVar(&c.DataDir)},
		{"env-file", []string{"KAICODE_ENV_FILE"}, ".env", "optional dotenv file", stringVar(&c.EnvFile)},
		{"log-level", []string{"KAICODE_LOG_LEVEL"}, "info", "minimum log level: debug, info, warn, error", levelVar(&c.LogLevel)},
		{"log-format", []string{"KAICODE_LOG_FORMAT"}, "auto", "log format: auto, text, json", enumVar(&c.LogFormat, "auto", "text", "json")},
		{"shutdown-timeout", []string{"KAICODE_SHUTDOWN_TIMEOUT"}, "20s", "bound on graceful shutdown", durationVar(&c.ShutdownTimeout)},
		{"public-url", []string{"KAICODE_PUBLIC_URL"}, "", "URL users reach the server at (default derived from --addr)", urlVar(&c.PublicURL, "http", "https")},
		{"jwt-secret", []string{"KAICODE_JWT_SECRET", "NEXTAUTH_SECRET"}, "", "HS256 secret of client tokens (default: generated at start)", stringVar(&c.JWTSecret)},
		{"database-url", []string{"DATABASE_URL"}, "", "PostgreSQL URL; empty uses the embedded SQLite file", urlVar(&c.DatabaseURL, "postgres", "postgresql")},
		{"redis-url", []string{"REDIS_URL"}, "", "Redis URL for fan-out between nodes; empty is in-process", urlVar(&c.RedisURL, "redis", "rediss", "unix")},
		{"redis-password", []string{"REDIS_PASSWORD"}, "", "Redis password", stringVar(&c.RedisPassword)},
		{"sqs-queue-url", []string{"SQS_QUEUE_URL"}, "", "SQS queue URL; empty uses the embedded SQLite queue", urlVar(&c.AWS.QueueURL, "http", "https")},
		{"sqs-endpoint", []string{"AWS_ENDPOINT_URL_SQS"}, "", "SQS endpoint override", urlVar(&c.AWS.Endpoint, "http", "https")},
		{"aws-region", []string{"AWS_REGION", "AWS_DEFAULT_REGION"}, "ap-south-1", "AWS region", stringVar(&c.AWS.Region)},
		{"aws-access-key", []string{"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID"}, "", "AWS access key id; empty uses the standard credential chain", stringVar(&c.AWS.AccessKeyID)},
		{"aws-secret-access-key", []string{"AWS_SECRET_ACCESS_KEY"}, "", "AWS secret access key", stringVar(&c.AWS.SecretAccessKey)},
		{"worker", []string{"KAICODE_WORKER"}, "true", "run the job worker in this process", boolVar(&c.Worker)},
		{"workers", []string{"KAICODE_WORKERS"}, "0", "concurrent job runners (0: from the CPU count)", intVar(&c.Workers, 0, 1024)},
	}
	s = append(s, c.Sandbox.settings()...)
	s = append(s, c.Jobs.settings()...)
	s = append(s, c.Collab.settings()...)
	s = append(s, c.Sync.settings()...)
	return s
}

// Load parses args (without the program and subcommand names) and the
// environment, as read by getenv, into a validated Config. The returned
// error names the bad setting; flag.ErrHelp means --help was asked for and
// the usage was written to out.
func Load(name string, args []string, getenv func(string) string, out io.Writer) (*Config, error) {
	c := &Config{}
	all := c.settings()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// Parse errors are returned as one line; usage is printed only for -help.
	fs.SetOutput(io.Discard)
	for _, s := range all {
		if err := s.value.Set(s.def); err != nil {
			return nil, fmt.Errorf("default of --%s: %w", s.name, err)
		}
		fs.Var(s.value, s.name, fmt.Sprintf("%s (env %s)", s.usage, strings.Join(s.env, ", ")))
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(out, "Usage of %s:\n", name)
			fs.SetOutput(out)
			fs.PrintDefaults()
		}
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	fromFlags := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { fromFlags[f.Name] = true })

	if !fromFlags["env-file"] {
		if v := getenv("KAICODE_ENV_FILE"); v != "" {
			c.EnvFile = v
		}
	}
	dotenv, err := readDotenv(c.EnvFile, fromFlags["env-file"] || getenv("KAICODE_ENV_FILE") != "")
	if err != nil {
		return nil, err
	}
	for _, s := range all {
		if fromFlags[s.name] || s.name == "env-file" {
			continue
		}
		if err := applyEnv(s, getenv, dotenv); err != nil {
			return nil, err
		}
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// applyEnv sets s from the first of its environment names found in the
// process environment, then in the dotenv file.
func applyEnv(s setting, getenv func(string) string, dotenv map[string]string) error {
	for _, source := range []func(string) string{getenv, func(k string) string { return dotenv[k] }} {
		for _, name := range s.env {
			v := source(name)
			if v == "" {
				continue
			}
			if err := s.value.Set(v); err != nil {
				return fmt.Errorf("invalid %s (--%s): %w", name, s.name, err)
			}
			return nil
		}
	}
	return nil
}

// readDotenv reads a dotenv file; a missing file is an error only when it
// was named explicitly.
func readDotenv(path string, explicit bool) (map[string]string, error) {
	if path == "" {
		return nil, nil
	}
	m, err := godotenv.Read(path)
	if errors.Is(err, os.ErrNotExist) && !explicit {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("invalid --env-file %s: %w", path, err)
	}
	return m, nil
}

// validate checks what single settings cannot check alone.
func (c *Config) validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("invalid --addr %q: %w", c.Addr, err)
	}
	if c.DataDir == "" {
		return errors.New("invalid --data-dir: must not be empty")
	}
	if c.JWTSecret != "" && len(c.JWTSecret) < 16 {
		return errors.New("invalid --jwt-secret: must be at least 16 bytes")
	}
	if c.ShutdownTimeout <= 0 {
		return fmt.Errorf("invalid --shutdown-timeout %s: must be positive", c.ShutdownTimeout)
	}
	if (c.AWS.AccessKeyID == "") != (c.AWS.SecretAccessKey == "") {
		return errors.New("invalid --aws-access-key: access key and secret access key must be set together")
	}
	for _, v := range []interface{ validate() error }{c.Sandbox, c.Jobs, c.Collab, c.Sync} {
		if err := v.validate(); err != nil {
			return err
		}
	}
	return nil
}

// DataFile is the path of the embedded SQLite data file.
func (c *Config) DataFile() string {
	return filepath.Join(c.DataDir, "kaicode.db")
}

// BaseURL is PublicURL, or a loopback URL derived from Addr.
func (c *Config) BaseURL() string {
	if c.PublicURL != "" {
		return strings.TrimSuffix(c.PublicURL, "/")
	}
	host, port, _ := net.SplitHostPort(c.Addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// LogValue lists the settings for a start-up log line, secrets masked.
func (c *Config) LogValue() slog.Value {
	var attrs []slog.Attr
	for _, s := range c.settings() {
		v := s.value.String()
		if secretSettings[s.name] && v != "" {
			v = "(set)"
		}
		attrs = append(attrs, slog.String(s.name, v))
	}
	return slog.GroupValue(attrs...)
}

// Usage writes the settings of a subcommand to out, as --help does.
func Usage(name string, out io.Writer) {
	_, _ = Load(name, []string{"-help"}, func(string) string { return "" }, out)
}
