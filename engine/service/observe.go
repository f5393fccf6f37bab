package service

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/toteworks/tote/engine/ingress"
	"github.com/toteworks/tote/engine/metrics"
	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/state"
	"github.com/toteworks/tote/engine/worker"
)

// observe keeps refused deliveries in the state (through the returned
// recorder, which the caller runs), counts stored ones for the summary
// line, and connects the service's metrics, when it has them, to the
// ingress and to the worker's settlements.
func observe(h *ingress.Handler, store *state.Store, opts *Options, sum *summary) *rejections {
	m := opts.Metrics
	rec := &rejections{queue: make(chan state.Rejection, rejectionQueue), store: store, log: opts.Logger}
	h.Observer = deliveries{m: m, sum: sum, rec: rec, clock: opts.Clock}
	if m == nil {
		return rec
	}
	h.Metrics = m.Handler()
	next := opts.OnSettled
	opts.OnSettled = func(it state.Item, res *run.Result, outcome worker.Outcome) {
		m.RunSettled(it.Pipeline, runOutcome(res, outcome), runTook(res))
		if next != nil {
			next(it, res, outcome)
		}
	}
	return rec
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
	sum   *summary
	rec   *rejections
	clock func() time.Time
}

func (d deliveries) Delivered(pipeline, trigger string, accepted, duplicates int, took time.Duration) {
	d.sum.delivered(took)
	if d.m != nil {
		d.m.Delivered(pipeline, trigger, accepted, duplicates, took)
	}
}

func (d deliveries) Rejected(path string, status int, reason string) {
	if d.m != nil {
		d.m.Rejected(status)
	}
	d.rec.add(state.Rejection{At: d.clock(), Path: path, Status: status, Reason: reason})
}

// rejectionQueue bounds the refused deliveries waiting to be recorded.
const rejectionQueue = 1024

// rejections records refused deliveries in the state off the request path:
// a refusal is answered at once, and its record written by a goroutine of
// its own. The table is bounded and the records are for people looking
// into refusals, so one that cannot be written (its write failed, or a
// flood of bad requests filled the queue) is logged and dropped.
type rejections struct {
	queue   chan state.Rejection
	store   *state.Store
	log     *slog.Logger
	dropped atomic.Int64
}

func (r *rejections) add(rj state.Rejection) {
	select {
	case r.queue <- rj:
	default:
		if r.dropped.Add(1) == 1 {
			r.log.Warn("too many refused webhook deliveries at once; some are not recorded in the state")
		}
	}
}

// run writes the records queued until stop is closed, then those still
// queued, and returns.
func (r *rejections) run(stop <-chan struct{}) {
	for {
		select {
		case rj := <-r.queue:
			r.write(rj)
		case <-stop:
			for len(r.queue) > 0 { // run is the queue's only reader: this never blocks
				r.write(<-r.queue)
			}
			if n := r.dropped.Load(); n > 0 {
				r.log.Warn("refused webhook deliveries not recorded in the state", "dropped", n)
			}
			return
		}
	}
}

func (r *rejections) write(rj state.Rejection) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.store.RecordRejection(ctx, rj); err != nil {
		r.log.Error("recording a refused webhook delivery", "err", err)
	}
}
