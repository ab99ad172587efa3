package jobs

import (
	"encoding/json"
	"errors"
	"fmt"
)

// message is the queue body of a job: only its id, since the store holds
// the rest.
type message struct {
	JobID string `json:"job_id"`
}

// MessageBody is the queue message that asks a worker to run job id.
func MessageBody(id string) []byte {
	b, _ := json.Marshal(message{JobID: id}) // a struct of one string cannot fail
	return b
}

// ParseMessage returns the job id of a queue message body.
func ParseMessage(body []byte) (string, error) {
	var m message
	if err := json.Unmarshal(body, &m); err != nil {
		return "", fmt.Errorf("parse job message: %w", err)
	}
	if m.JobID == "" {
		return "", errors.New("parse job message: no job_id")
	}
	return m.JobID, nil
}
