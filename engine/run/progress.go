package run

import (
	"context"
	"sync"
	"time"

	"github.com/toteworks/tote/connectors"
)

// Progress is a snapshot of the work of one PlanAll or ApplyPlan, for a
// view to render. Totals grow as work is found: a plan learns a pipeline's
// events only after asking its triggers for them.
type Progress struct {
	Mode                     Mode
	Pipelines, PipelinesDone int
	// Events are the runs to make (events to plan, or planned runs with
	// writes to apply); Failed counts those done that failed.
	Events, EventsDone, Failed int
	StepsDone                  int // steps and transforms evaluated
	VendorCalls, Throttled     int // calls made, and those answered 429
	// RateWait is the time calls spent waiting for the rate budget, summed
	// over calls made at once.
	RateWait time.Duration
	// Finished is set on the last snapshot of a batch.
	Finished bool
}

// progress tracks one batch and hands snapshots to Options.Progress, one at
// a time and in order.
type progress struct {
	mu sync.Mutex
	p  Progress
	fn func(Progress)
}

type progressKey struct{}

// startProgress returns ctx carrying a tracker for a batch in mode, which
// also observes the vendor calls made under it; nil when no one listens.
func (e *Engine) startProgress(ctx context.Context, mode Mode, pipelines int) (context.Context, *progress) {
	if e.opts.Progress == nil {
		return ctx, nil
	}
	pr := &progress{p: Progress{Mode: mode, Pipelines: pipelines}, fn: e.opts.Progress}
	pr.update(func(*Progress) {})
	ctx = context.WithValue(ctx, progressKey{}, pr)
	return connectors.WithCallObserver(ctx, pr), pr
}

// update applies f and reports the result. Safe on a nil tracker.
func (pr *progress) update(f func(*Progress)) {
	if pr == nil {
		return
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	f(&pr.p)
	pr.fn(pr.p)
}

func (pr *progress) VendorCall(waited time.Duration) {
	pr.update(func(p *Progress) { p.VendorCalls++; p.RateWait += waited })
}

func (pr *progress) VendorThrottled() { pr.update(func(p *Progress) { p.Throttled++ }) }

// stepDone counts a node evaluated under ctx's tracker, if any.
func stepDone(ctx context.Context) {
	if pr, ok := ctx.Value(progressKey{}).(*progress); ok {
		pr.update(func(p *Progress) { p.StepsDone++ })
	}
}
