package service

import (
	"time"

	"github.com/toteworks/tote/engine/ingress"
	"github.com/toteworks/tote/engine/metrics"
	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/state"
	"github.com/toteworks/tote/engine/worker"
)

// observe connects the service's metrics, when it has them, to the
// ingress and to the worker's settlements.
func observe(h *ingress.Handler, opts *Options) {
	m := opts.Metrics
	if m == nil {
		return
	}
	h.Metrics = m.Handler()
	h.Observer = deliveries{m}
	next := opts.OnSettled
	opts.OnSettled = func(it state.Item, res *run.Result, outcome worker.Outcome) {
		m.RunSettled(it.Pipeline, runOutcome(res, outcome), runTook(res))
		if next != nil {
			next(it, res, outcome)
		}
	}
}

// runOutcome names how a run settled, for tote_runs_total.
func runOutcome(res *run.Result, outcome worker.Outcome) string {
	switch {
	case outcome == worker.Finished:
		return metrics.OutcomeSucceeded
	case outcome == worker.Buried:
		return metrics.OutcomeDead
	case res != nil && res.Err == nil && res.Deferred > 0:
		return metrics.OutcomeWaiting
	}
	return metrics.OutcomeFailed
}

func runTook(res *run.Result) (d time.Duration) {
	if res == nil || res.Record.StartedAt.IsZero() || res.Record.FinishedAt.IsZero() {
		return 0
	}
	return res.Record.FinishedAt.Sub(res.Record.StartedAt)
}

// deliveries feeds the ingress's deliveries to the metrics.
type deliveries struct{ m *metrics.Metrics }

func (d deliveries) Delivered(pipeline, trigger string, accepted, duplicates int) {
	d.m.Delivered(pipeline, trigger, accepted, duplicates)
}

func (d deliveries) Rejected(_ string, status int, _ string) { d.m.Rejected(status) }
