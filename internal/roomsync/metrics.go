package roomsync

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the sync server's Prometheus collectors.
type metrics struct {
	connections prometheus.Gauge
	rooms       prometheus.Gauge
	messagesIn  *prometheus.CounterVec
	messagesOut prometheus.Counter
	disconnects *prometheus.CounterVec
	judges      *prometheus.CounterVec
	textWrites  *prometheus.CounterVec
}

func newMetrics() *metrics {
	return &metrics{
		connections: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "kaicode_sync_connections", Help: "Open /sync connections."}),
		rooms: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "kaicode_sync_rooms", Help: "Rooms with /sync connections on this node."}),
		messagesIn: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kaicode_sync_messages_in_total", Help: "Messages received on /sync, by event."}, []string{"event"}),
		messagesOut: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kaicode_sync_messages_out_total", Help: "Messages sent on /sync."}),
		disconnects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kaicode_sync_disconnects_total", Help: "Closed /sync connections, by reason."}, []string{"reason"}),
		judges: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kaicode_sync_judges_total", Help: "Run requests on /sync, by outcome (queued or a refusal code)."}, []string{"outcome"}),
		textWrites: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kaicode_sync_text_writes_total", Help: "Room text writes, by result (ok, error)."}, []string{"result"}),
	}
}

// register adds every collector to reg.
func (m *metrics) register(reg prometheus.Registerer) error {
	var errs []error
	for _, c := range []prometheus.Collector{m.connections, m.rooms, m.messagesIn, m.messagesOut, m.disconnects, m.judges, m.textWrites} {
		errs = append(errs, reg.Register(c))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("register metrics: %w", err)
	}
	return nil
}
