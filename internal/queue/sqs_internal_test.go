package queue

import (
	"context"
	"testing"
)

func TestSQSRegion(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	tests := []struct {
		name, env, opt, want string
	}{
		{"fallback", "", "", DefaultRegion},
		{"from AWS_REGION", "eu-west-1", "", "eu-west-1"},
		{"option wins", "eu-west-1", "us-east-2", "us-east-2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_REGION", tt.env)
			t.Setenv("AWS_DEFAULT_REGION", "")
			q, err := NewSQS(context.Background(), SQSOptions{QueueURL: "http://127.0.0.1:1/1/jobs", Region: tt.opt})
			if err != nil {
				t.Fatal(err)
			}
			if got := q.client.Options().Region; got != tt.want {
				t.Errorf("region = %q, want %q", got, tt.want)
			}
		})
	}
}
