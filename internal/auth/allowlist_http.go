package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
)

// maxGrants bounds one allow-list.
const maxGrants = 1000

// AllowListAPI serves GET, PUT and DELETE of /api/v1/rooms/{room}/access:
// reading, replacing and removing a room's allow-list. The caller needs a
// bearer token and write access to the room (any user has it in an open
// room, so anyone may restrict an open room, but only to a list that keeps
// them a writer).
type AllowListAPI struct {
	verifier *Verifier
	policy   *AllowList
	log      *slog.Logger
}

// NewAllowListAPI returns the handler; log (default: discard) receives
// store failures.
func NewAllowListAPI(v *Verifier, p *AllowList, log *slog.Logger) *AllowListAPI {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &AllowListAPI{verifier: v, policy: p, log: log}
}

// accessBody is the JSON of GET and PUT.
type accessBody struct {
	Room       string  `json:"room"`
	Restricted bool    `json:"restricted"`
	Grants     []Grant `json:"grants"`
}

// ServeHTTP routes by method; the room is the {room} path value.
func (a *AllowListAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	room := r.PathValue("room")
	user, err := a.verifier.Verify(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	if err != nil {
		writeError(w, http.StatusUnauthorized, "a valid bearer token is required")
		return
	}
	access, err := a.policy.Access(r.Context(), user, room)
	if err != nil {
		a.fail(w, err)
		return
	}
	if access < AccessWrite {
		writeError(w, http.StatusForbidden, "you may not manage this room's access")
		return
	}
	store := a.policy.Store()
	switch r.Method {
	case http.MethodGet:
		grants, err := store.AllowList(r.Context(), room)
		if err != nil {
			a.fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, accessBody{Room: room, Restricted: len(grants) > 0, Grants: nonNil(grants)})
	case http.MethodPut:
		grants, msg := readGrants(w, r, user)
		if msg != "" {
			writeError(w, http.StatusBadRequest, msg)
			return
		}
		if err := store.SetAllowList(r.Context(), room, grants); err != nil {
			a.fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, accessBody{Room: room, Restricted: true, Grants: grants})
	case http.MethodDelete:
		if err := store.SetAllowList(r.Context(), room, nil); err != nil {
			a.fail(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "GET, PUT, DELETE")
		writeError(w, http.StatusMethodNotAllowed, "use GET, PUT or DELETE")
	}
}

// readGrants parses and checks a PUT body; msg says what is wrong.
func readGrants(w http.ResponseWriter, r *http.Request, caller User) (grants []Grant, msg string) {
	var body accessBody
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	var maxErr *http.MaxBytesError
	if err := dec.Decode(&body); errors.As(err, &maxErr) {
		return nil, "body is larger than 64KiB"
	} else if err != nil {
		return nil, "body must be {\"grants\": [{\"user\": \"<id>\", \"access\": \"read\"|\"write\"}]}: " + err.Error()
	}
	if len(body.Grants) == 0 || len(body.Grants) > maxGrants {
		return nil, fmt.Sprintf("grants must list 1 to %d users; DELETE opens the room", maxGrants)
	}
	keepsCaller := false
	for _, g := range body.Grants {
		if g.User == "" || g.Access == AccessNone {
			return nil, "every grant needs a user and an access of read or write"
		}
		keepsCaller = keepsCaller || (g.User == caller.ID && g.Access == AccessWrite)
	}
	if !keepsCaller {
		return nil, fmt.Sprintf("the list must grant you (user %q) write access", caller.ID)
	}
	return body.Grants, ""
}

func (a *AllowListAPI) fail(w http.ResponseWriter, err error) {
	a.log.Error("room access API: store failed", "error", err)
	writeError(w, http.StatusServiceUnavailable, "room access is unavailable; try again later")
}

func nonNil(g []Grant) []Grant {
	if g == nil {
		return []Grant{}
	}
	return g
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"message": msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
