package collab

import (
	"context"
	"encoding/json"
	"time"

	"github.com/kaicode/kaicode/internal/bus"
	"github.com/kaicode/kaicode/internal/yjs"
)

// The events on a room's relay topic, which carries its document and
// awareness changes between the nodes that have it loaded.
const (
	// eventUpdate is an update a node accepted from a client, or the diff
	// it answers an eventSync with.
	eventUpdate = "yjs.update"
	// eventAwareness is an awareness message a node accepted.
	eventAwareness = "yjs.awareness"
	// eventSync is a node's state vector: the others answer with what it
	// lacks. A node sends it whenever it (re)subscribes.
	eventSync = "yjs.sync"
)

// relayRetry is the wait before subscribing again after the bus failed.
const relayRetry = time.Second

// relayEvent is the data of a relay event.
type relayEvent struct {
	// Node is the sender's Server.node; a node skips its own events.
	Node string `json:"node"`
	// Data is the update, the awareness message or the state vector.
	Data []byte `json:"data"`
}

// relayTopic is the bus room of a collaboration room's relay.
func relayTopic(room string) string { return "collab:" + room }

// relay exchanges r's changes with the other nodes until r stops: it
// subscribes to r's topic, asks the others for what r lacks, and applies
// what they send. A subscription the bus drops is renewed, and the
// catch-up repeated.
func (r *room) relay() {
	for {
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		sub, err := r.srv.opts.Bus.Subscribe(ctx, relayTopic(r.name))
		cancel()
		if err == nil {
			if _, sv, err := r.current(); err == nil {
				r.publish(eventSync, sv)
			}
			r.forward(sub)
			sub.Close()
		} else {
			r.srv.log.Warn("subscribe to room relay, will retry", "room", r.name, "err", err)
		}
		select {
		case <-r.stop:
			return
		case <-time.After(relayRetry):
		}
	}
}

// forward applies the events of sub until r stops or the bus ends sub.
func (r *room) forward(sub bus.Subscription) {
	for {
		select {
		case <-r.stop:
			return
		case ev, ok := <-sub.Events():
			if !ok {
				r.srv.log.Warn("room relay dropped, catching up", "room", r.name, "err", sub.Err())
				return
			}
			r.receive(ev)
		}
	}
}

// receive applies one event from another node.
func (r *room) receive(ev bus.Event) {
	var e relayEvent
	if err := json.Unmarshal(ev.Data, &e); err != nil {
		r.srv.log.Warn("undecodable room relay event", "room", r.name, "type", ev.Type, "err", err)
		return
	}
	if e.Node == r.srv.node {
		return
	}
	r.srv.metrics.relayIn.Inc()
	switch ev.Type {
	case eventUpdate:
		if _, err := yjs.EncodeStateVectorFromUpdate(e.Data); err != nil {
			r.srv.log.Warn("invalid update from another node", "room", r.name, "err", err)
			return
		}
		r.applyRelayed(e.Data)
	case eventAwareness:
		m, err := yjs.DecodeMessage(e.Data)
		if err != nil || m.Type != yjs.MessageAwareness {
			r.srv.log.Warn("invalid awareness from another node", "room", r.name, "err", err)
			return
		}
		entries, err := yjs.DecodeAwarenessUpdate(m.Payload)
		if err != nil {
			r.srv.log.Warn("invalid awareness from another node", "room", r.name, "err", err)
			return
		}
		r.applyAwareness(nil, entries, e.Data)
	case eventSync:
		doc, _, err := r.current()
		if err != nil {
			return
		}
		diff, err := missing(doc, e.Data)
		if err != nil {
			r.srv.log.Warn("invalid state vector from another node", "room", r.name, "err", err)
			return
		}
		if !isEmptyUpdate(diff) {
			r.publish(eventUpdate, diff)
		}
	}
}

// publish sends data to the other nodes that have r loaded; it does
// nothing on a single node.
func (r *room) publish(typ string, data []byte) {
	if r.srv.opts.Bus == nil {
		return
	}
	body, err := json.Marshal(relayEvent{Node: r.srv.node, Data: data})
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	if err := r.srv.opts.Bus.Publish(ctx, relayTopic(r.name), bus.Event{Type: typ, Data: body}); err != nil {
		r.srv.metrics.relayErrors.Inc()
		r.srv.log.Warn("publish to room relay", "room", r.name, "type", typ, "err", err)
		return
	}
	r.srv.metrics.relayOut.Inc()
}
