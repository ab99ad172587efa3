package queue_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kaicode/kaicode/internal/queue"
	"github.com/kaicode/kaicode/internal/queue/queuetest"
)

func TestSQSOptionsValidation(t *testing.T) {
	t.Parallel()
	const url = "https://sqs.ap-south-1.amazonaws.com/123456789012/jobs"
	tests := []struct {
		name      string
		opts      queue.SQSOptions
		wantField string // empty: valid
	}{
		{"minimal", queue.SQSOptions{QueueURL: url}, ""},
		{"no URL", queue.SQSOptions{}, "QueueURL"},
		{"relative URL", queue.SQSOptions{QueueURL: "jobs"}, "QueueURL"},
		{"key without secret", queue.SQSOptions{QueueURL: url, AccessKey: "AKID"}, "AccessKey"},
		{"negative visibility", queue.SQSOptions{QueueURL: url, VisibilityTimeout: -time.Second}, "VisibilityTimeout"},
		{"visibility over 12h", queue.SQSOptions{QueueURL: url, VisibilityTimeout: 13 * time.Hour}, "VisibilityTimeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := queue.NewSQS(context.Background(), tt.opts)
			if tt.wantField == "" && err != nil {
				t.Fatalf("NewSQS: %v", err)
			}
			if tt.wantField != "" && (err == nil || !strings.Contains(err.Error(), tt.wantField)) {
				t.Fatalf("NewSQS: err = %v, want one naming %s", err, tt.wantField)
			}
		})
	}
}

// TestSQSDefaultChain checks that, with no endpoint, region or keys in
// SQSOptions, the SDK's own chain finds them in the environment under the
// names of the original deployment.
func TestSQSDefaultChain(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a local SQS server")
	}
	local := queuetest.StartLocalSQS(t)
	url := local.CreateQueue(t, false)
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_ENDPOINT_URL_SQS", local.Endpoint)
	// Were the SQS-specific name ignored, requests go to this dead loopback
	// port and fail, rather than leave the machine.
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	t.Setenv("AWS_ACCESS_KEY", queuetest.LocalAccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", queuetest.LocalSecretKey)
	t.Setenv("AWS_REGION", queuetest.LocalRegion)

	ctx := context.Background()
	q, err := queue.NewSQS(ctx, queue.SQSOptions{QueueURL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if err := q.Send(ctx, []byte("via env"), queue.SendOptions{}); err != nil {
		t.Fatalf("Send through AWS_ENDPOINT_URL_SQS: %v", err)
	}
	if m := receiveOne(t, q, time.Second); string(m.Body) != "via env" {
		t.Errorf("received %q", m.Body)
	}
}

func TestSQSFIFOStaleReceiptIsRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a local SQS server")
	}
	t.Parallel()
	ctx := context.Background()
	q := newSQS(t, queuetest.StartLocalSQS(t), true, time.Second)
	if !q.FIFO() {
		t.Fatal("a .fifo queue URL is not detected as FIFO")
	}
	if err := q.Send(ctx, []byte("job"), queue.SendOptions{GroupID: "room", DedupID: "job-1"}); err != nil {
		t.Fatal(err)
	}
	stale := receiveOne(t, q, time.Second)
	current := receiveOne(t, q, 3*time.Second)
	for name, err := range map[string]error{
		"Extend": q.Extend(ctx, stale, time.Minute),
		"Delete": q.Delete(ctx, stale),
	} {
		if !errors.Is(err, queue.ErrReceiptExpired) {
			t.Errorf("%s with a stale receipt: %v, want ErrReceiptExpired", name, err)
		}
	}
	if err := q.Delete(ctx, current); err != nil {
		t.Errorf("Delete with the current receipt: %v", err)
	}
}
