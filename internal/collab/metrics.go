package collab

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the server's Prometheus collectors.
type metrics struct {
	rooms          prometheus.Gauge
	connections    prometheus.Gauge
	messagesIn     prometheus.Counter
	messagesOut    prometheus.Counter
	bytesIn        prometheus.Counter
	bytesOut       prometheus.Counter
	disconnects    *prometheus.CounterVec
	merges         prometheus.Counter
	persistSeconds prometheus.Histogram
	persistErrors  prometheus.Counter
	compactSeconds prometheus.Histogram
	relayIn        prometheus.Counter
	relayOut       prometheus.Counter
	relayErrors    prometheus.Counter
}

func newMetrics() *metrics {
	const ns, sub = "kaicode", "collab"
	latency := []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}
	return &metrics{
		rooms:          prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "rooms", Help: "Rooms loaded in memory."}),
		connections:    prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "connections", Help: "Open y-websocket connections."}),
		messagesIn:     prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "messages_received_total", Help: "WebSocket messages received from clients."}),
		messagesOut:    prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "messages_sent_total", Help: "WebSocket messages sent to clients."}),
		bytesIn:        prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "received_bytes_total", Help: "Payload bytes received from clients."}),
		bytesOut:       prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "sent_bytes_total", Help: "Payload bytes sent to clients."}),
		disconnects:    prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "disconnects_total", Help: "Connections ended, by reason."}, []string{"reason"}),
		merges:         prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "merges_total", Help: "Merges of accepted updates into a room's document."}),
		persistSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Subsystem: sub, Name: "persist_duration_seconds", Help: "Latency of appending a batch of updates to the store.", Buckets: latency}),
		persistErrors:  prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "persist_errors_total", Help: "Failed appends to the store (retried)."}),
		compactSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Subsystem: sub, Name: "compact_duration_seconds", Help: "Latency of writing a compacted snapshot to the store.", Buckets: latency}),
		relayIn:        prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "relay_received_total", Help: "Room changes received from other nodes."}),
		relayOut:       prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "relay_sent_total", Help: "Room changes sent to other nodes."}),
		relayErrors:    prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "relay_errors_total", Help: "Room changes that could not be sent to other nodes."}),
	}
}

func (m *metrics) register(reg prometheus.Registerer) error {
	var errs []error
	for _, c := range []prometheus.Collector{m.rooms, m.connections, m.messagesIn, m.messagesOut, m.bytesIn, m.bytesOut,
		m.disconnects, m.merges, m.persistSeconds, m.persistErrors, m.compactSeconds, m.relayIn, m.relayOut, m.relayErrors} {
		errs = append(errs, reg.Register(c))
	}
	return errors.Join(errs...)
}
