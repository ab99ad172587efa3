package jobs

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/kaicode/kaicode/internal/auth"
)

// API serves the REST (/api/v1) and Piston-compatible (/api/v2) HTTP
// interfaces of a Service. Job routes need a bearer token; the language
// lists are public.
type API struct {
	svc    *Service
	verify *auth.Verifier
	log    *slog.Logger
}

// NewAPI returns the HTTP API of svc, authenticating with verify.
func NewAPI(svc *Service, verify *auth.Verifier, log *slog.Logger) *API {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &API{svc: svc, verify: verify, log: log}
}

// Register adds the API's routes to mux (such as *server.Server or
// *http.ServeMux).
func (a *API) Register(mux interface{ Handle(string, http.Handler) }) {
	mux.Handle("POST /api/v1/jobs", a.authenticated(a.submit))
	mux.Handle("GET /api/v1/jobs/{id}", a.authenticated(a.get))
	mux.Handle("GET /api/v1/languages", http.HandlerFunc(a.languages))
	mux.Handle("POST /api/v2/execute", a.authenticated(a.pistonExecute))
	mux.Handle("GET /api/v2/runtimes", http.HandlerFunc(a.pistonRuntimes))
}

// authHandler is a handler that knows the caller.
type authHandler func(w http.ResponseWriter, r *http.Request, user auth.User)

// authenticated checks the bearer token before calling h.
func (a *API) authenticated(h authHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			token = ""
		}
		user, err := a.verify.Verify(strings.TrimSpace(token))
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="kaicode"`)
			a.writeError(w, r, &Error{Code: CodeUnauthorized, Message: "a valid bearer token is required: " + err.Error()})
			return
		}
		h(w, r, user)
	})
}

// httpStatus maps every error code to its HTTP status, in one place.
func httpStatus(c Code) int {
	switch c {
	case CodeInvalid, CodeUnknownLanguage, CodeLimitTooHigh:
		return http.StatusBadRequest
	case CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeRateLimited, CodeQueueFull:
		return http.StatusTooManyRequests
	case CodeNotFound:
		return http.StatusNotFound
	case CodeUnauthorized:
		return http.StatusUnauthorized
	case CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// errorBody is the JSON body of every error response. Piston clients read
// "message"; REST clients may switch on "code".
type errorBody struct {
	Code    Code   `json:"code,omitempty"`
	Message string `json:"message"`
}

// writeError writes err as a JSON error response with the status of its
// code; errors that are not *Error are internal and logged.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Message: "internal error", Err: err}
	}
	status := httpStatus(e.Code)
	if status >= 500 {
		a.log.Error("jobs API request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(e.RetryAfter)))
	}
	writeJSON(w, status, errorBody{Code: e.Code, Message: e.Message})
}

// writeJSON writes v as a JSON response with status code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// bodyLimit bounds a request body: the source limit, allowing for JSON
// escapes and base64, plus room for the other fields.
func (a *API) bodyLimit() int64 {
	return 6*a.svc.opts.Limits.MaxSource + 64<<10
}

// decodeJSON reads r's body into v, rejecting unknown fields, trailing
// data and bodies above bodyLimit.
func (a *API) decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, a.bodyLimit()))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("unexpected data after the JSON object")
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return errorf(CodeTooLarge, "request body is larger than %d bytes", tooBig.Limit)
	case err != nil:
		return errorf(CodeInvalid, "invalid JSON body: %v", err)
	}
	return nil
}
