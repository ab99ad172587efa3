package jobs

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an Error by whose fault it is; the HTTP layer maps each
// code to one status (see httpStatus).
type Code string

// The error codes, as they appear in API error bodies.
const (
	// CodeInvalid: the request is malformed (bad JSON, missing fields, bad
	// file names, negative limits).
	CodeInvalid Code = "invalid_request"
	// CodeUnknownLanguage: no catalogue language has the name or alias.
	CodeUnknownLanguage Code = "unknown_language"
	// CodeTooLarge: the source and stdin exceed the configured maximum.
	CodeTooLarge Code = "too_large"
	// CodeLimitTooHigh: a requested limit is above the server's maximum.
	CodeLimitTooHigh Code = "limit_too_high"
	// CodeRateLimited: the user submitted too many jobs recently.
	CodeRateLimited Code = "rate_limited"
	// CodeQueueFull: the user has too many unfinished jobs.
	CodeQueueFull Code = "queue_full"
	// CodeNotFound: no such job (or not the caller's).
	CodeNotFound Code = "not_found"
	// CodeUnauthorized: no valid bearer token.
	CodeUnauthorized Code = "unauthorized"
	// CodeUnavailable: a dependency (store, queue) failed; retrying later
	// may work.
	CodeUnavailable Code = "unavailable"
)

// Error is an error of the jobs API with a message a user can act on.
type Error struct {
	Code    Code
	Message string
	// RetryAfter is set for CodeRateLimited: when a new submission may
	// succeed.
	RetryAfter time.Duration
	// Err is the underlying cause, if any; it is logged, not shown.
	Err error
	// Job is set when a job was stored and announced to its room before
	// the failure: its final state (failed) was announced too.
	Job string
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// errorf returns an *Error with a formatted message.
func errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// unavailable wraps a dependency failure.
func unavailable(what string, err error) *Error {
	return &Error{Code: CodeUnavailable, Message: what + " failed; try again later", Err: err}
}

// CodeOf returns the Code of err, or "" when err is not an *Error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
