package collab

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/kaicode/kaicode/internal/yjs"
)

// RoomInfo is the body of GET /api/v1/rooms/{room}.
type RoomInfo struct {
	Room string `json:"room"`
	// Loaded tells whether the room is in memory; Connections counts its
	// open connections.
	Loaded      bool `json:"loaded"`
	Connections int  `json:"connections"`
	// SizeBytes is the size of the document as one merged update.
	SizeBytes int `json:"size_bytes"`
	// Clients is the number of Yjs client ids that wrote to the document,
	// Operations the sum of their clocks.
	Clients    int    `json:"clients"`
	Operations uint64 `json:"operations"`
	// StateVector maps client ids (decimal) to clocks.
	StateVector map[string]uint64 `json:"state_vector"`
}

// describe summarises a document for RoomInfo.
func describe(name string, update, sv []byte) (RoomInfo, error) {
	vector, err := yjs.DecodeStateVector(sv)
	if err != nil {
		return RoomInfo{}, fmt.Errorf("decode state vector of room %q: %w", name, err)
	}
	info := RoomInfo{Room: name, SizeBytes: len(update), Clients: len(vector), StateVector: make(map[string]uint64, len(vector))}
	for client, clock := range vector {
		info.StateVector[strconv.FormatUint(client, 10)] = clock
		info.Operations += clock
	}
	return info, nil
}

// document returns the room's document: from memory when it is loaded,
// else as the store holds it (seeded from the room's text when empty, as a
// joiner would see it), without loading the room.
func (s *Server) document(ctx context.Context, name string) (update, sv []byte, r *room, err error) {
	if r = s.loadedRoom(name); r != nil {
		update, sv, err = r.current()
		return update, sv, r, err
	}
	p := persister{room: newRoom(s, name)}
	if err := p.load(ctx); err != nil {
		return nil, nil, nil, err
	}
	update, sv, err = p.room.current()
	return update, sv, nil, err
}

// HandleRoomInfo serves GET /api/v1/rooms/{room}.
func (s *Server) HandleRoomInfo(w http.ResponseWriter, req *http.Request) {
	name := req.PathValue("room")
	update, sv, r, err := s.document(req.Context(), name)
	if err != nil {
		s.log.Error("room info", "room", name, "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "room unavailable"})
		return
	}
	info, err := describe(name, update, sv)
	if err != nil {
		s.log.Error("room info", "room", name, "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "room unavailable"})
		return
	}
	if r != nil {
		r.mu.Lock()
		info.Loaded, info.Connections = true, len(r.conns)
		r.mu.Unlock()
	}
	writeJSON(w, http.StatusOK, info)
}

// RoomTextBody is the body of GET /api/v1/rooms/{room}/text.
type RoomTextBody struct {
	Room string `json:"room"`
	Text string `json:"text"`
}

// HandleRoomText serves GET /api/v1/rooms/{room}/text: the text of the
// document's root Y.Text "", the one the frontend's editor binds to.
func (s *Server) HandleRoomText(w http.ResponseWriter, req *http.Request) {
	name := req.PathValue("room")
	update, _, _, err := s.document(req.Context(), name)
	if err == nil {
		var text string
		if text, err = yjs.TextFromUpdate(update, ""); err == nil {
			writeJSON(w, http.StatusOK, RoomTextBody{Room: name, Text: text})
			return
		}
	}
	s.log.Error("room text", "room", name, "err", err)
	writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "room unavailable"})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
