package jobs

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kaicode/kaicode/internal/queue"
)

// Metrics are the job pipeline's Prometheus metrics, shared by the Service
// (submissions) and the worker (runs). A nil *Metrics records nothing.
type Metrics struct {
	transitions *prometheus.CounterVec
	rejections  *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	sweeps      *prometheus.CounterVec
}

// NewMetrics registers the job metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		transitions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kaicode_jobs_total",
			Help: "Jobs entering each status: queued (submitted), running (an attempt started), finished, failed.",
		}, []string{"status"}),
		rejections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kaicode_jobs_rejected_total",
			Help: "Submissions refused, by error code.",
		}, []string{"code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kaicode_job_latency_seconds",
			Help:    "Time from submission to the stored outcome, by final status.",
			Buckets: []float64{.025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300},
		}, []string{"status"}),
		sweeps: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kaicode_jobs_swept_total",
			Help: "Jobs stored but never enqueued that the sweeper found, by what it did: resent, or failed (too old).",
		}, []string{"action"}),
	}
	reg.MustRegister(m.transitions, m.rejections, m.latency, m.sweeps)
	return m
}

// RegisterQueueDepth registers a gauge that asks q for its depth at every
// scrape.
func RegisterQueueDepth(reg prometheus.Registerer, q queue.Queue) {
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "kaicode_jobs_queue_depth",
		Help: "Approximate number of jobs waiting in the queue (-1: the queue did not answer).",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := q.Depth(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	}))
}

func (m *Metrics) submitted() {
	if m != nil {
		m.transitions.WithLabelValues(string(StatusQueued)).Inc()
	}
}

func (m *Metrics) rejected(code Code) {
	if m != nil {
		m.rejections.WithLabelValues(string(code)).Inc()
	}
}

// The actions of the sweeper, the label values of kaicode_jobs_swept_total.
const (
	sweptResent = "resent"
	sweptFailed = "failed"
)

func (m *Metrics) swept(action string) {
	if m != nil {
		m.sweeps.WithLabelValues(action).Inc()
	}
}

// Started counts an attempt to run a job.
func (m *Metrics) Started() {
	if m != nil {
		m.transitions.WithLabelValues(string(StatusRunning)).Inc()
	}
}

// Finished counts the stored outcome of j and observes its latency from
// submission to at.
func (m *Metrics) Finished(j Job, at time.Time) {
	if m != nil {
		m.transitions.WithLabelValues(string(j.Status)).Inc()
		m.latency.WithLabelValues(string(j.Status)).Observe(at.Sub(j.CreatedAt).Seconds())
	}
}
