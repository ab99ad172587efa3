package docker

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kaicode/kaicode/internal/sandbox"
)

// metrics are the sandbox's Prometheus collectors; a nil *metrics records
// nothing.
type metrics struct {
	reg      prometheus.Registerer
	runs     *prometheus.CounterVec
	duration *prometheus.HistogramVec
	pool     *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	if reg == nil {
		return nil
	}
	m := &metrics{
		reg: reg,
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kaicode_sandbox_runs_total",
			Help: "Programs run, by language and result status.",
		}, []string{"language", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kaicode_sandbox_run_duration_seconds",
			Help:    "Latency of Sandbox.Run, compile and run steps included.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"language"}),
		pool: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "kaicode_sandbox_pool_ready",
			Help: "Started containers waiting in the warm pool, by language.",
		}, []string{"language"}),
	}
	reg.MustRegister(m.runs, m.duration, m.pool)
	return m
}

func (m *metrics) observe(lang string, status sandbox.Status, d time.Duration) {
	if m == nil {
		return
	}
	m.runs.WithLabelValues(lang, string(status)).Inc()
	m.duration.WithLabelValues(lang).Observe(d.Seconds())
}

func (m *metrics) poolReady(lang string, n int) {
	if m == nil {
		return
	}
	m.pool.WithLabelValues(lang).Set(float64(n))
}

func (m *metrics) unregister() {
	if m == nil {
		return
	}
	m.reg.Unregister(m.runs)
	m.reg.Unregister(m.duration)
	m.reg.Unregister(m.pool)
}
