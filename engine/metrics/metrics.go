// Package metrics exposes `tote run` to Prometheus: runs, vendor calls,
// webhook deliveries, and gauges read from the state file at scrape time
// (inbox depth, the oldest pending event, open intents, the lease holder).
// Each service has its own registry, so tests can run services in parallel.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/state"
)

// WatchedIntents are the ledger statuses reported by tote_intents: writes
// whose outcome is not settled. A new such status is one line here.
var WatchedIntents = []state.IntentStatus{
	state.IntentPending,
	state.IntentUnknown,
}

// Run outcomes, the values of the outcome label of tote_runs_total.
const (
	OutcomeSucceeded = "succeeded"
	OutcomeWaiting   = "waiting" // writes wait for their target; retried later
	OutcomeFailed    = "failed"  // to be retried
	OutcomeDead      = "dead"
)

// Metrics holds a service's collectors and its registry.
type Metrics struct {
	reg *prometheus.Registry

	runs        *prometheus.CounterVec
	runDuration *prometheus.HistogramVec
	calls       *prometheus.CounterVec
	throttled   *prometheus.CounterVec
	budget      *prometheus.GaugeVec
	accepted    *prometheus.CounterVec
	duplicates  *prometheus.CounterVec
	ack         *prometheus.HistogramVec
	rejected    *prometheus.CounterVec
}

// Options configure the gauges read from state.
type Options struct {
	// Store is read at each scrape; nil leaves those gauges out.
	Store *state.Store
	// Lease is the name of the state lease whose holder is reported.
	Lease string
	Clock func() time.Time
}

// New returns metrics registered on a registry of their own.
func New(opts Options) *Metrics {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tote_runs_total",
			Help: "Runs settled, by pipeline and outcome (succeeded, waiting, failed, dead)."}, []string{"pipeline", "outcome"}),
		runDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "tote_run_duration_seconds",
			Help:    "How long runs took, by pipeline.",
			Buckets: []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300}}, []string{"pipeline"}),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tote_vendor_requests_total",
			Help: "Requests to vendors, by connection, templated endpoint and HTTP status (\"error\" when no answer came)."},
			[]string{"connection", "endpoint", "status"}),
		throttled: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tote_vendor_throttled_total",
			Help: "Answers 429 Too Many Requests, by connection."}, []string{"connection"}),
		budget: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "tote_rate_budget_remaining",
			Help: "Calls left in the current rate-limit window, by connection, as of its last request."}, []string{"connection"}),
		accepted: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tote_webhook_events_accepted_total",
			Help: "Webhook events written to the inbox, by pipeline and trigger."}, []string{"pipeline", "trigger"}),
		duplicates: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tote_webhook_events_duplicate_total",
			Help: "Webhook events already in the inbox, by pipeline and trigger."}, []string{"pipeline", "trigger"}),
		ack: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "tote_webhook_ack_seconds",
			Help:    "How long stored deliveries took, from their request reaching tote until their events were committed to the inbox, by pipeline and trigger.",
			Buckets: []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}}, []string{"pipeline", "trigger"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tote_webhook_rejected_total",
			Help: "Webhook deliveries refused, by reason."}, []string{"reason"}),
	}
	m.reg.MustRegister(m.runs, m.runDuration, m.calls, m.throttled, m.budget, m.accepted, m.duplicates, m.ack, m.rejected)
	if opts.Store != nil {
		m.reg.MustRegister(&stateCollector{store: opts.Store, lease: opts.Lease, clock: opts.Clock})
	}
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry is the metrics' registry.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// RunSettled counts a settled run.
func (m *Metrics) RunSettled(pipeline, outcome string, took time.Duration) {
	m.runs.WithLabelValues(pipeline, outcome).Inc()
	if took > 0 {
		m.runDuration.WithLabelValues(pipeline).Observe(took.Seconds())
	}
}

// VendorCall implements connectors.Observer.
func (m *Metrics) VendorCall(c connectors.VendorCall) {
	conn := strings.TrimPrefix(c.Connection, "connection.")
	status := "error"
	if c.Status > 0 {
		status = strconv.Itoa(c.Status)
	}
	m.calls.WithLabelValues(conn, c.Endpoint, status).Inc()
	if c.Status == http.StatusTooManyRequests {
		m.throttled.WithLabelValues(conn).Inc()
	}
	if c.BudgetRemaining >= 0 {
		m.budget.WithLabelValues(conn).Set(float64(c.BudgetRemaining))
	}
}

// Delivered counts the events of one stored webhook delivery and how long
// its sender waited for the store.
func (m *Metrics) Delivered(pipeline, trigger string, accepted, duplicates int, took time.Duration) {
	m.accepted.WithLabelValues(pipeline, trigger).Add(float64(accepted))
	m.duplicates.WithLabelValues(pipeline, trigger).Add(float64(duplicates))
	m.ack.WithLabelValues(pipeline, trigger).Observe(took.Seconds())
}

// Rejected counts a refused delivery. The reason label is derived from the
// status, so that it stays a small, fixed set whatever the sender does.
func (m *Metrics) Rejected(status int) {
	m.rejected.WithLabelValues(RejectReason(status)).Inc()
}

// RejectReason names the reason for a refused delivery from its status.
func RejectReason(status int) string {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return "unauthorized"
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return "malformed"
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusNotFound:
		return "unknown_hook"
	case http.StatusMethodNotAllowed:
		return "wrong_method"
	case http.StatusTooManyRequests:
		return "throttled"
	}
	if status >= 500 {
		return "unavailable"
	}
	return "other"
}

// stateCollector reads gauges from the state file at each scrape.
type stateCollector struct {
	store *state.Store
	lease string
	clock func() time.Time
}

var (
	depthDesc = prometheus.NewDesc("tote_inbox_items", "Inbox items by pipeline and status (pending, running, dead, parked).",
		[]string{"pipeline", "status"}, nil)
	oldestDesc = prometheus.NewDesc("tote_inbox_oldest_pending_seconds",
		"Age of the oldest pending inbox item; 0 when none is pending.", nil, nil)
	intentsDesc = prometheus.NewDesc("tote_intents", "Ledger intents whose write is not settled, by status.",
		[]string{"status"}, nil)
	leaseDesc = prometheus.NewDesc("tote_lease_holder", "1 for the process that holds the state lease (host:pid:start:run).",
		[]string{"holder"}, nil)
	scrapeErrDesc = prometheus.NewDesc("tote_state_scrape_errors", "1 when reading the state for this scrape failed.", nil, nil)
)

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{depthDesc, oldestDesc, intentsDesc, leaseDesc, scrapeErrDesc} {
		ch <- d
	}
}

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	failed := 0.0
	if depth, err := c.store.InboxDepth(ctx); err != nil {
		failed = 1
	} else {
		for _, d := range depth {
			ch <- prometheus.MustNewConstMetric(depthDesc, prometheus.GaugeValue, float64(d.Count), d.Pipeline, string(d.Status))
		}
	}
	if t, ok, err := c.store.OldestPending(ctx); err != nil {
		failed = 1
	} else {
		age := 0.0
		if ok {
			age = max(c.clock().Sub(t).Seconds(), 0)
		}
		ch <- prometheus.MustNewConstMetric(oldestDesc, prometheus.GaugeValue, age)
	}
	if counts, err := c.store.IntentCounts(ctx, WatchedIntents...); err != nil {
		failed = 1
	} else {
		for _, st := range WatchedIntents {
			ch <- prometheus.MustNewConstMetric(intentsDesc, prometheus.GaugeValue, float64(counts[st]), string(st))
		}
	}
	if c.lease != "" {
		if holder, _, ok, err := c.store.LeaseHolder(ctx, c.lease); err != nil {
			failed = 1
		} else if ok {
			ch <- prometheus.MustNewConstMetric(leaseDesc, prometheus.GaugeValue, 1, holder)
		}
	}
	ch <- prometheus.MustNewConstMetric(scrapeErrDesc, prometheus.GaugeValue, failed)
}
