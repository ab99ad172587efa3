package config

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	t.Chdir(t.TempDir())
	c, err := Load("test", nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":1234" || c.DataDir != "./data" || c.AWS.Region != "ap-south-1" || !c.Worker || c.Sandbox.MaxMemory != 512<<20 {
		t.Errorf("defaults: %+v", c)
	}
	if got, want := c.DataFile(), filepath.Join("data", "kaicode.db"); got != want {
		t.Errorf("DataFile = %q, want %q", got, want)
	}
}

func TestLoadPrecedence(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	dotenv := "KAICODE_ADDR=:3000\nKAICODE_DATA_DIR=/from/dotenv\nKAICODE_LOG_LEVEL=warn\nSQS_QUEUE_URL=http://127.0.0.1:9/q\n"
	if err := os.WriteFile(".env", []byte(dotenv), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		addr    string
		dataDir string
	}{
		{"dotenv over default", nil, nil, ":3000", "/from/dotenv"},
		{"environment over dotenv", nil, map[string]string{"KAICODE_ADDR": ":4000"}, ":4000", "/from/dotenv"},
		{"flag over environment", []string{"--addr", ":5000"}, map[string]string{"KAICODE_ADDR": ":4000"}, ":5000", "/from/dotenv"},
		{"flag over dotenv", []string{"--data-dir", "/from/flag"}, nil, ":3000", "/from/flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load("test", tt.args, env(tt.env), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if c.Addr != tt.addr || c.DataDir != tt.dataDir {
				t.Errorf("addr, data dir = %q, %q; want %q, %q", c.Addr, c.DataDir, tt.addr, tt.dataDir)
			}
			if c.AWS.QueueURL != "http://127.0.0.1:9/q" {
				t.Errorf("SQS_QUEUE_URL from .env not read: %q", c.AWS.QueueURL)
			}
		})
	}
}

func TestLoadOriginalDeploymentNames(t *testing.T) {
	t.Chdir(t.TempDir())
	c, err := Load("test", nil, env(map[string]string{
		"NEXTAUTH_SECRET":       "a-secret-of-sixteen-bytes",
		"DATABASE_URL":          "postgres://u:p@127.0.0.1:5432/db",
		"REDIS_URL":             "redis://127.0.0.1:6379",
		"REDIS_PASSWORD":        "pw",
		"AWS_ACCESS_KEY":        "AKIA",
		"AWS_SECRET_ACCESS_KEY": "shh",
		"AWS_ENDPOINT_URL_SQS":  "http://127.0.0.1:9324",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.JWTSecret != "a-secret-of-sixteen-bytes" || c.AWS.AccessKeyID != "AKIA" || c.AWS.SecretAccessKey != "shh" ||
		c.AWS.Endpoint != "http://127.0.0.1:9324" || c.RedisPassword != "pw" || c.DatabaseURL == "" || c.RedisURL == "" {
		t.Errorf("original names not honoured: %+v", c)
	}
	// KAICODE_JWT_SECRET wins over NEXTAUTH_SECRET: it is listed first.
	c, err = Load("test", nil, env(map[string]string{"KAICODE_JWT_SECRET": "kaicode-secret-123456", "NEXTAUTH_SECRET": "nextauth-secret-123456"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.JWTSecret != "kaicode-secret-123456" {
		t.Errorf("JWTSecret = %q", c.JWTSecret)
	}
}

func TestLoadErrorsNameTheSetting(t *testing.T) {
	t.Chdir(t.TempDir())
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"bad addr flag", []string{"--addr", "nope"}, nil, `--addr "nope"`},
		{"bad int env", nil, map[string]string{"KAICODE_POOL_SIZE": "many"}, "KAICODE_POOL_SIZE (--pool-size)"},
		{"int out of range", []string{"--pool-size", "1000"}, nil, "-pool-size: 1000 is outside 0..64"},
		{"bad duration", nil, map[string]string{"KAICODE_SHUTDOWN_TIMEOUT": "soon"}, "KAICODE_SHUTDOWN_TIMEOUT"},
		{"bad log level", []string{"--log-level", "loud"}, nil, "-log-level"},
		{"bad log format", nil, map[string]string{"KAICODE_LOG_FORMAT": "xml"}, "KAICODE_LOG_FORMAT"},
		{"bad bool", nil, map[string]string{"KAICODE_WORKER": "maybe"}, "KAICODE_WORKER"},
		{"bad size", []string{"--max-memory", "lots"}, nil, "-max-memory"},
		{"size too small", []string{"--max-memory", "1KiB"}, nil, "--max-memory"},
		{"sweep max age under grace", nil, map[string]string{"KAICODE_SWEEP_GRACE": "5m", "KAICODE_SWEEP_MAX_AGE": "1m"}, "--sweep-max-age 1m0s: must be at least --sweep-grace"},
		{"send buffer under document", []string{"--collab-send-buffer", "1MiB"}, nil, "--collab-send-buffer 1MiB: must be at least --collab-max-document"},
		{"bad database url scheme", nil, map[string]string{"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL (--database-url)"},
		{"bad sqs url", nil, map[string]string{"SQS_QUEUE_URL": "::not a url"}, "SQS_QUEUE_URL"},
		{"short secret", nil, map[string]string{"KAICODE_JWT_SECRET": "short"}, "--jwt-secret"},
		{"key without secret", nil, map[string]string{"AWS_ACCESS_KEY": "AKIA"}, "--aws-access-key"},
		{"missing env file", []string{"--env-file", "nope.env"}, nil, "--env-file nope.env"},
		{"stray argument", []string{"extra"}, nil, `unexpected argument "extra"`},
		{"unknown flag", []string{"--colour"}, nil, "flag provided but not defined: -colour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("test", tt.args, env(tt.env), io.Discard)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestLoadHelp(t *testing.T) {
	var out strings.Builder
	_, err := Load("kaicode serve", []string{"--help"}, env(nil), &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"-addr", "KAICODE_ADDR", "-data-dir", "KAICODE_DATA_DIR", "NEXTAUTH_SECRET", "SQS_QUEUE_URL"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help does not list %s", want)
		}
	}
}

func TestLogValueMasksSecrets(t *testing.T) {
	t.Chdir(t.TempDir())
	c, err := Load("test", nil, env(map[string]string{
		"KAICODE_JWT_SECRET":    "super-secret-value-1",
		"AWS_ACCESS_KEY":        "AKIA",
		"AWS_SECRET_ACCESS_KEY": "aws-secret-value",
		"DATABASE_URL":          "postgres://u:db-password@127.0.0.1/db",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	s := c.LogValue().String()
	for _, secret := range []string{"super-secret-value-1", "aws-secret-value", "db-password"} {
		if strings.Contains(s, secret) {
			t.Errorf("log value shows %q: %s", secret, s)
		}
	}
}

func TestParseBytes(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1024", 1024, true},
		{"64KiB", 64 << 10, true},
		{"256MiB", 256 << 20, true},
		{"2g", 2 << 30, true},
		{"1 MB", 1 << 20, true},
		{"-1", 0, false},
		{"MiB", 0, false},
		{"1.5MiB", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseBytes(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	if got := FormatBytes(512 << 20); got != "512MiB" {
		t.Errorf("FormatBytes = %q", got)
	}
}

func TestBaseURL(t *testing.T) {
	c := &Config{Addr: ":1234"}
	if got := c.BaseURL(); got != "http://localhost:1234" {
		t.Errorf("BaseURL = %q", got)
	}
	c.PublicURL = "https://kc.example.com/"
	if got := c.BaseURL(); got != "https://kc.example.com" {
		t.Errorf("BaseURL = %q", got)
	}
}
