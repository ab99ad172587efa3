package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/kaicode/kaicode/internal/bus"
	"github.com/kaicode/kaicode/internal/sandbox"
)

// The bus event types of jobs. Both carry an Update as Data.
const (
	// EventStatus announces a job that is not final yet: queued (room jobs,
	// by Submit) or running (by the worker).
	EventStatus = "job.status"
	// EventResult announces a job's final state, with its result.
	EventResult = "job.result"
)

// Update is the Data of a job event: the job as subscribers need it.
type Update struct {
	ID       string          `json:"id"`
	Room     string          `json:"room,omitempty"`
	User     string          `json:"user"`
	Language string          `json:"language"`
	Status   Status          `json:"status"`
	Attempts int             `json:"attempts"`
	Result   *sandbox.Result `json:"result,omitempty"`
	Error    string          `json:"error,omitempty"`
}

// Topic is the bus room on which every event of job id is published, for
// callers waiting on that one job.
func Topic(id string) string { return "job:" + id }

// Publish announces j's current state on Topic(j.ID) and, for jobs run from
// a room, on the room. A final job is an EventResult, any other an
// EventStatus.
func Publish(ctx context.Context, b bus.Bus, j Job) error {
	data, err := json.Marshal(Update{
		ID: j.ID, Room: j.Room, User: j.User, Language: j.Request.Language,
		Status: j.Status, Attempts: j.Attempts, Result: j.Result, Error: j.Error,
	})
	if err != nil {
		return fmt.Errorf("publish job %s: %w", j.ID, err)
	}
	ev := bus.Event{Type: EventStatus, Data: data}
	if j.Status.Final() {
		ev.Type = EventResult
	}
	errs := []error{b.Publish(ctx, Topic(j.ID), ev)}
	if j.Room != "" {
		errs = append(errs, b.Publish(ctx, j.Room, ev))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("publish job %s: %w", j.ID, err)
	}
	return nil
}

// DecodeUpdate reads the Update of a job event; ok is false for events of
// other types.
func DecodeUpdate(ev bus.Event) (u Update, ok bool, err error) {
	if ev.Type != EventStatus && ev.Type != EventResult {
		return Update{}, false, nil
	}
	if err := json.Unmarshal(ev.Data, &u); err != nil {
		return Update{}, true, fmt.Errorf("decode %s event: %w", ev.Type, err)
	}
	return u, true, nil
}
