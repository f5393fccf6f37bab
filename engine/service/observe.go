package service

import (
	"context"
	"log/slog"
	"time"

	"github.com/toteworks/tote/engine/ingress"
	"github.com/toteworks/tote/engine/metrics"
	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/state"
	"github.com/toteworks/tote/engine/worker"
)

// observe keeps refused deliveries in the state, and connects the
// service's metrics, when it has them, to the ingress and to the worker's
// settlements.
func observe(h *ingress.Handler, opts *Options) {
	m := opts.Metrics
	h.Observer = deliveries{m: m, store: h.Store, clock: opts.Clock, log: opts.Logger}
	if m == nil {
		return
	}
	h.Metrics = m.Handler()
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

func runTook(res *run.Result) time.Duration {
	if res == nil {
		return 0
	}
	return res.Took
}

// deliveries counts the ingress's deliveries and keeps the refused ones.
type deliveries struct {
	m     *metrics.Metrics // nil: not counted
	store *state.Store
	clock func() time.Time
	log   *slog.Logger
}

func (d deliveries) Delivered(pipeline, trigger string, accepted, duplicates int) {
	if d.m != nil {
		d.m.Delivered(pipeline, trigger, accepted, duplicates)
	}
}

func (d deliveries) Rejected(path string, status int, reason string) {
	if d.m != nil {
		d.m.Rejected(status)
	}
	// The table is bounded; a write that fails loses only this record.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.store.RecordRejection(ctx, state.Rejection{At: d.clock(), Path: path, Status: status, Reason: reason}); err != nil {
		d.log.Error("recording a refused webhook delivery", "err", err)
	}
}
