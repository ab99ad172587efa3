package queuetest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/kaicode/kaicode/internal/testenv"
)

// LocalSQS is a local-aws-sqs server run by node for the length of a test.
type LocalSQS struct {
	// Endpoint is the server's base URL, http://127.0.0.1:PORT.
	Endpoint string
	// Client talks to the server with dummy credentials.
	Client *sqs.Client

	queues atomic.Int64
}

// Credentials local-aws-sqs accepts (it checks none).
const (
	LocalAccessKey = "local"
	LocalSecretKey = "local"
	LocalRegion    = "ap-south-1"
)

// StartLocalSQS starts test/node/sqs/server.mjs on a free loopback port and
// stops it when tb ends. Without node or the npm package it skips tb, or
// fails it when the environment sets KAICODE_REQUIRE_ALL=1.
func StartLocalSQS(tb testing.TB) *LocalSQS {
	tb.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		missing(tb, "node is not installed (apt-get install -y nodejs)")
	}
	dir, err := nodeDir()
	if err != nil {
		missing(tb, err.Error())
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "local-aws-sqs")); err != nil {
		missing(tb, fmt.Sprintf("npm package local-aws-sqs is missing (cd %s && npm ci)", dir))
	}

	cmd := exec.Command(node, filepath.Join(dir, "sqs", "server.mjs"), "0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start local SQS: %v", err)
	}
	tb.Cleanup(func() { stop(tb, cmd, stdin) })

	line := make(chan string, 1)
	go func() { // ends when the server prints a line or exits
		s, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- s
	}()
	var hello struct{ URL string }
	select {
	case s := <-line:
		if err := json.Unmarshal([]byte(s), &hello); err != nil || hello.URL == "" {
			tb.Fatalf("local SQS did not start: stdout %q, stderr %q", s, stderr.String())
		}
	case <-time.After(15 * time.Second):
		tb.Fatalf("local SQS printed no address within 15s; stderr %q", stderr.String())
	}

	cfg := aws.Config{
		Region:      LocalRegion,
		Credentials: credentials.NewStaticCredentialsProvider(LocalAccessKey, LocalSecretKey, ""),
	}
	return &LocalSQS{
		Endpoint: hello.URL,
		Client:   sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(hello.URL) }),
	}
}

// CreateQueue creates a new, uniquely named queue and returns its URL.
func (l *LocalSQS) CreateQueue(tb testing.TB, fifo bool) string {
	tb.Helper()
	name := fmt.Sprintf("kaicode-test-%d", l.queues.Add(1))
	attrs := map[string]string{}
	if fifo {
		name += ".fifo"
		attrs[string(types.QueueAttributeNameFifoQueue)] = "true"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := l.Client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: &name, Attributes: attrs})
	if err != nil {
		tb.Fatalf("create queue %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

// stop closes the server's stdin, which makes it exit, and kills it if it
// has not within five seconds.
func stop(tb testing.TB, cmd *exec.Cmd, stdin io.Closer) {
	stdin.Close()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		tb.Log("local SQS did not exit within 5s; killing it")
		cmd.Process.Kill()
		<-exited
	}
}

// nodeDir finds test/node above the working directory.
func nodeDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "test", "node"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory, so no test/node")
		}
		dir = parent
	}
}

// missing skips tb for lack of a component, or fails it in CI.
func missing(tb testing.TB, why string) {
	tb.Helper()
	testenv.Missing(tb, "local SQS unavailable: %s", why)
}
