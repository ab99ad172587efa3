package yjs

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// Golden frames produced by y-protocols 1.0.7 and yjs 13.6.33.
var (
	// Client 1 inserted "hé😀" into getText("").
	goldenTextUpdate = []byte{1, 1, 1, 0, 4, 1, 0, 7, 'h', 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80, 0}
	// Sync step 1 of that document: state vector {1: 4}.
	goldenStep1 = []byte{0, 0, 3, 1, 1, 4}
	// Awareness update of client 1 with state {"user":{"name":"ü"}}, clock 1.
	goldenAwareness = append([]byte{1, 1, 1, 22}, `{"user":{"name":"ü"}}`...)
)

func TestTextUpdateMatchesYjs(t *testing.T) {
	tests := []struct {
		name   string
		client uint64
		root   string
		text   string
		want   []byte
	}{
		{"default root", 1, "", "hé😀", goldenTextUpdate},
		{"named root", 300, "doc", "ab", []byte{1, 1, 172, 2, 0, 4, 1, 3, 'd', 'o', 'c', 2, 'a', 'b', 0}},
		{"empty text", 5, "", "", []byte{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := TextUpdate(tt.client, tt.root, tt.text)
			if !bytes.Equal(got, tt.want) {
				t.Fatalf("TextUpdate = %v, want %v", got, tt.want)
			}
			text, err := TextFromUpdate(got, tt.root)
			if err != nil || text != tt.text {
				t.Fatalf("TextFromUpdate = %q, %v; want %q", text, err, tt.text)
			}
		})
	}
}

func TestEncodeMessages(t *testing.T) {
	sv, err := EncodeStateVectorFromUpdate(goldenTextUpdate)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		got  []byte
		want []byte
	}{
		{"sync step 1", EncodeSyncStep1(sv), goldenStep1},
		{"sync step 2", EncodeSyncStep2([]byte{0, 0}), []byte{0, 1, 2, 0, 0}},
		{"sync update", EncodeSyncUpdate([]byte{0, 0}), []byte{0, 2, 2, 0, 0}},
		{"awareness", EncodeAwareness([]byte{0}), []byte{1, 1, 0}},
		{"query awareness", EncodeQueryAwareness(), []byte{3}},
		{"permission denied", EncodePermissionDenied("no"), []byte{2, 0, 2, 'n', 'o'}},
		{"awareness update", EncodeAwarenessUpdate([]AwarenessEntry{{ClientID: 1, Clock: 1, State: `{"user":{"name":"ü"}}`}}), goldenAwareness},
		{"awareness removal", EncodeAwarenessUpdate([]AwarenessEntry{{ClientID: 2, Clock: 3}}), append([]byte{1, 2, 3, 4}, "null"...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !bytes.Equal(tt.got, tt.want) {
				t.Fatalf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestDecodeMessage(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		want    Message
		wantErr error
		unknown bool
	}{
		{name: "step 1", in: goldenStep1, want: Message{Type: MessageSync, SyncType: SyncStep1, Payload: []byte{1, 1, 4}}},
		{name: "update", in: []byte{0, 2, 2, 0, 0}, want: Message{Type: MessageSync, SyncType: SyncUpdate, Payload: []byte{0, 0}}},
		{name: "awareness", in: []byte{1, 1, 0}, want: Message{Type: MessageAwareness, Payload: []byte{0}}},
		{name: "auth", in: []byte{2, 0, 2, 'n', 'o'}, want: Message{Type: MessageAuth, Payload: []byte("no")}},
		{name: "query awareness", in: []byte{3}, want: Message{Type: MessageQueryAwareness}},
		{name: "empty", in: nil, wantErr: ErrInvalidMessage},
		{name: "truncated payload", in: []byte{0, 1, 5, 0}, wantErr: ErrInvalidMessage},
		{name: "trailing garbage", in: []byte{3, 0}, wantErr: ErrInvalidMessage},
		{name: "trailing after sync", in: []byte{0, 2, 1, 0, 9}, wantErr: ErrInvalidMessage},
		{name: "invalid UTF-8 reason", in: []byte{2, 0, 1, 0xff}, wantErr: ErrInvalidMessage},
		{name: "unknown type", in: []byte{9}, unknown: true},
		{name: "unknown sync type", in: []byte{0, 3, 0}, unknown: true},
		{name: "unknown auth type", in: []byte{2, 1, 0}, unknown: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeMessage(tt.in)
			var unknown *UnknownMessageError
			switch {
			case tt.unknown:
				if !errors.As(err, &unknown) {
					t.Fatalf("error %v, want *UnknownMessageError", err)
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error %v, want %v", err, tt.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			case !reflect.DeepEqual(got, tt.want) && !(len(got.Payload) == 0 && len(tt.want.Payload) == 0 && got.Type == tt.want.Type):
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDecodeAwarenessUpdate(t *testing.T) {
	got, err := DecodeAwarenessUpdate(goldenAwareness)
	if err != nil {
		t.Fatal(err)
	}
	want := []AwarenessEntry{{ClientID: 1, Clock: 1, State: `{"user":{"name":"ü"}}`}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for name, in := range map[string][]byte{
		"not JSON":         append([]byte{1, 1, 1, 3}, "{x}"...),
		"count too large":  {200, 1, 1, 1},
		"trailing garbage": append(append([]byte{1, 1, 1, 4}, "null"...), 0),
		"truncated":        {1, 1},
	} {
		if _, err := DecodeAwarenessUpdate(in); !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("%s: error %v, want ErrInvalidMessage", name, err)
		}
	}
}
