package run

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/plan"
	"github.com/zclconf/go-cty/cty"
)

// Selection says which pipelines and events `tote plan` and `tote apply`
// consider.
type Selection struct {
	// Pipelines to include; empty means all.
	Pipelines []string
	// From and To, when set, ask poll triggers for that window instead of
	// resuming from their cursors (`-since`, `-from`, `-to`).
	From, To time.Time
	// PublicURL, when set, adds the webhook subscriptions the triggers need
	// there to the plan.
	PublicURL string
}

func (s Selection) includes(name string) bool {
	if len(s.Pipelines) == 0 {
		return true
	}
	for _, p := range s.Pipelines {
		if p == name {
			return true
		}
	}
	return false
}

// CursorName is the state cursor of a poll trigger.
func CursorName(pipeline, trigger string) string { return pipeline + "." + trigger }

// Poll asks a poll trigger for its events: from its stored cursor, or over
// [from, to] when a window is given.
func (e *Engine) Poll(ctx context.Context, pl *compile.Pipeline, t *compile.Trigger, from, to time.Time) ([]Event, string, error) {
	conn, err := e.Conn(ctx, t.Conn)
	if err != nil {
		return nil, "", err
	}
	return e.poll(ctx, conn, pl, t, from, to)
}

// poll is Poll with the trigger's connection in hand.
func (e *Engine) poll(ctx context.Context, conn connectors.Conn, pl *compile.Pipeline, t *compile.Trigger, from, to time.Time) ([]Event, string, error) {
	poller, ok := conn.(connectors.Poller)
	if !ok {
		return nil, "", fmt.Errorf("%s cannot poll", t.Conn.Addr())
	}
	w, err := e.pollWindow(ctx, pl, t, from, to)
	if err != nil {
		return nil, "", err
	}
	args := t.PlainArgs
	raw, cursor, err := poller.Poll(ctx, t.Kind, args, w)
	if err != nil {
		return nil, "", fmt.Errorf("polling %s.%s: %w", pl.Name, t.Name, err)
	}
	return polledEvents(pl, t, raw), cursor, nil
}

// polledEvents are the events of pl's trigger t for what its connector's
// poll returned.
func polledEvents(pl *compile.Pipeline, t *compile.Trigger, raw []connectors.Event) []Event {
	events := make([]Event, 0, len(raw))
	for _, ev := range raw {
		events = append(events, Event{Pipeline: pl.Name, Trigger: t.Name, Key: ev.Key, Data: ev.Data})
	}
	return events
}

// pollWindow is what a poll of t asks for: [from, to] when a window is
// given, else from its stored cursor; up to now when to is not set.
func (e *Engine) pollWindow(ctx context.Context, pl *compile.Pipeline, t *compile.Trigger, from, to time.Time) (connectors.Window, error) {
	w := connectors.Window{From: from, To: to}
	if from.IsZero() && e.store != nil {
		c, _, err := e.store.Cursor(ctx, CursorName(pl.Name, t.Name))
		if err != nil {
			return w, fmt.Errorf("reading the cursor of %s.%s: %w", pl.Name, t.Name, err)
		}
		w.Cursor = c
	}
	if w.To.IsZero() {
		w.To = e.opts.Clock()
	}
	return w, nil
}

// PlanAll plans every selected pipeline for every event it covers, and
// holds the whole plan in memory; PlanStream does not.
func (e *Engine) PlanAll(ctx context.Context, sel Selection, version string) (*plan.Plan, error) {
	p := e.NewPlan(version)
	err := e.PlanStream(ctx, sel, p, func(r *plan.Run) error {
		p.Runs = append(p.Runs, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// NewPlan is an empty plan of the engine's pipelines, made now by tote
// version.
func (e *Engine) NewPlan(version string) *plan.Plan {
	return &plan.Plan{FormatVersion: plan.FormatVersion, ToteVersion: version, ConfigHash: e.prog.Config.Hash,
		CreatedAt: e.opts.Clock().UTC(), Cursors: map[string]string{}}
}

// PlanStream plans every selected pipeline for every event it covers and
// hands each run to emit as soon as it is planned, keeping none: a poll
// trigger whose connector pages (connectors.PagePoller) is planned a page
// at a time, so memory does not grow with the window. It fills in the rest
// of p (made by NewPlan): cursors, variables and subscriptions, never Runs.
func (e *Engine) PlanStream(ctx context.Context, sel Selection, p *plan.Plan, emit func(*plan.Run) error) error {
	ctx = connectors.WithFreshReads(ctx) // a plan shows the vendors' truth
	if p.Cursors == nil {
		p.Cursors = map[string]string{}
	}
	for _, name := range sel.Pipelines {
		if e.prog.Pipeline(name) == nil {
			return fmt.Errorf("no pipeline %q", name)
		}
	}
	selected := 0
	for _, pl := range e.prog.Pipelines {
		if sel.includes(pl.Name) {
			selected++
		}
	}
	ctx, pr := e.startProgress(ctx, Plan, selected)
	defer pr.update(func(p *Progress) { p.Finished = true })
	planEvents := func(events []Event) error {
		pr.update(func(p *Progress) { p.Events += len(events) })
		for _, ev := range events {
			res := e.Execute(ctx, Plan, ev, nil, "")
			if err := emit(res.Plan); err != nil {
				return err
			}
			pr.update(func(p *Progress) {
				p.EventsDone++
				if len(res.Plan.Errors) > 0 {
					p.Failed++
				}
			})
		}
		return nil
	}
	for _, pl := range e.prog.Pipelines {
		if !sel.includes(pl.Name) {
			continue
		}
		if err := e.eachEventPage(ctx, pl, sel, p.Cursors, planEvents); err != nil {
			if errors.Is(err, errEmit) {
				return err
			}
			return errors.New(e.Redact(err.Error()))
		}
		pr.update(func(p *Progress) { p.PipelinesDone++ })
	}
	vars, err := plan.PinVariables(e.prog.Vars, e.prog.SensitiveVariable)
	if err != nil {
		return err
	}
	p.Variables = vars
	if sel.PublicURL != "" {
		subs, err := e.PlanSubscriptions(ctx, sel.PublicURL)
		if err != nil {
			return errors.New(e.Redact(err.Error()))
		}
		p.PublicURL, p.Subscriptions = sel.PublicURL, subs
	}
	return nil
}

// errEmit marks an error of PlanStream's emit, returned as it is.
var errEmit = errors.New("emitting a planned run")

// eachEventPage calls page with what a plan of pl covers, a page at a
// time: one manual event for a pipeline without triggers, one tick now for
// each cron trigger, and what each poll trigger returns, as its connector
// hands it over. Webhook triggers, and triggers of disabled connections,
// contribute nothing: webhook events arrive at `tote run`. The poll
// cursors, to store after apply, go into cursors.
func (e *Engine) eachEventPage(ctx context.Context, pl *compile.Pipeline, sel Selection, cursors map[string]string, page func([]Event) error) error {
	emit := func(evs []Event) error {
		if err := page(evs); err != nil {
			return fmt.Errorf("%w: %w", errEmit, err)
		}
		return nil
	}
	if len(pl.Triggers) == 0 && len(pl.Disabled) == 0 {
		return emit([]Event{{Pipeline: pl.Name}})
	}
	now := e.opts.Clock().UTC()
	for _, t := range pl.Triggers {
		switch t.Mode {
		case compile.ModeCron:
			tick := now.Truncate(time.Second).Format(time.RFC3339)
			if err := emit([]Event{{Pipeline: pl.Name, Trigger: t.Name, Key: tick,
				Data: cty.ObjectVal(map[string]cty.Value{"tick": cty.StringVal(tick)})}}); err != nil {
				return err
			}
		case compile.ModePoll:
			cursor, err := e.PollPages(ctx, pl, t, sel.From, sel.To, emit)
			if err != nil {
				return err
			}
			cursors[CursorName(pl.Name, t.Name)] = cursor
		}
	}
	return nil
}

// PollPages is Poll a page at a time when the trigger's connector pages
// (connectors.PagePoller): page gets each page's events. Other connectors
// hand over their whole poll as one page.
func (e *Engine) PollPages(ctx context.Context, pl *compile.Pipeline, t *compile.Trigger, from, to time.Time, page func([]Event) error) (string, error) {
	conn, err := e.Conn(ctx, t.Conn)
	if err != nil {
		return "", err
	}
	pager, ok := conn.(connectors.PagePoller)
	if !ok {
		events, cursor, err := e.poll(ctx, conn, pl, t, from, to)
		if err != nil {
			return "", err
		}
		return cursor, page(events)
	}
	w, err := e.pollWindow(ctx, pl, t, from, to)
	if err != nil {
		return "", err
	}
	args := t.PlainArgs
	var pageErr error
	cursor, err := pager.PollPages(ctx, t.Kind, args, w, func(raw []connectors.Event) error {
		pageErr = page(polledEvents(pl, t, raw))
		return pageErr
	})
	switch {
	case pageErr != nil:
		return "", pageErr
	case err != nil:
		return "", fmt.Errorf("polling %s.%s: %w", pl.Name, t.Name, err)
	}
	return cursor, nil
}

// ApplyResult is what applying a plan did.
type ApplyResult struct {
	// FailedRuns are the runs that failed; the others are only counted, so
	// that applying a long plan holds none of them.
	FailedRuns []*Result
	Writes     int
	Failed     int
	// Subscriptions counts webhook registrations changed.
	Subscriptions      int
	SubscriptionErrors []error
}

// ApplyPlan performs a plan: each run with changes is executed in apply
// mode, constrained to exactly the planned writes. It refuses a plan made
// from other configuration. Poll cursors advance only when every run of
// their trigger succeeded. A plan read from a file (plan.File) is applied a
// run at a time, never all in memory.
func (e *Engine) ApplyPlan(ctx context.Context, src plan.Source) (*ApplyResult, error) {
	ctx = connectors.WithFreshReads(ctx) // checked against the plan's reads
	p := src.Head()
	if p.ConfigHash != e.prog.Config.Hash {
		return nil, errors.New("the plan was made from other pipeline files; run tote plan again")
	}
	if err := p.CheckSensitive(e.prog.Vars); err != nil {
		return nil, err
	}
	out := &ApplyResult{}
	sum := src.Summary()
	todo := 0
	left := map[string]int{} // runs left per pipeline
	for name, n := range sum.ToApply {
		left[name] = n
		todo += n
	}
	ctx, pr := e.startProgress(ctx, Apply, len(left))
	pr.update(func(p *Progress) { p.Events = todo })
	defer pr.update(func(p *Progress) { p.Finished = true })
	for _, s := range p.Subscriptions {
		if s.Op == connectors.OpNoop {
			continue
		}
		if err := e.ApplySubscription(ctx, s); err != nil {
			out.SubscriptionErrors = append(out.SubscriptionErrors, errors.New(e.Redact(err.Error())))
			continue
		}
		out.Subscriptions++
	}
	failedTriggers := map[string]bool{}
	err := src.EachRun(func(rp *plan.Run) error {
		if len(rp.Errors) > 0 {
			out.Failed++
			failedTriggers[CursorName(rp.Pipeline, rp.Trigger)] = true
			return nil
		}
		if !rp.HasWrites() {
			return nil
		}
		ev, err := e.eventOf(rp)
		if err != nil {
			return err
		}
		res := e.Execute(ctx, Apply, ev, rp, NewRunID())
		out.Writes += res.Writes
		if res.Err != nil {
			out.Failed++
			out.FailedRuns = append(out.FailedRuns, res)
			failedTriggers[CursorName(rp.Pipeline, rp.Trigger)] = true
		}
		left[rp.Pipeline]--
		pr.update(func(p *Progress) {
			p.EventsDone++
			if res.Err != nil {
				p.Failed++
			}
			if left[rp.Pipeline] == 0 {
				p.PipelinesDone++
			}
		})
		return nil
	})
	if err != nil {
		return out, err
	}
	for name, cursor := range p.Cursors {
		if failedTriggers[name] || cursor == "" {
			continue
		}
		if err := e.store.SetCursor(ctx, name, cursor); err != nil {
			return out, fmt.Errorf("storing cursor %s: %w", name, err)
		}
	}
	return out, nil
}

func (e *Engine) eventOf(rp *plan.Run) (Event, error) {
	ev := Event{Pipeline: rp.Pipeline, Trigger: rp.Trigger, Key: rp.EventKey}
	if rp.Trigger == "" {
		return ev, nil
	}
	pl := e.prog.Pipeline(rp.Pipeline)
	if pl == nil {
		return ev, fmt.Errorf("the plan names pipeline %q, which no longer exists", rp.Pipeline)
	}
	t := pl.Trigger(rp.Trigger)
	if t == nil {
		return ev, fmt.Errorf("the plan names trigger %s.%s, which no longer exists", rp.Pipeline, rp.Trigger)
	}
	data, err := DecodeEvent(t, rp.Event)
	if err != nil {
		return ev, err
	}
	ev.Data = data
	return ev, nil
}

// NewRunID returns a fresh run id.
func NewRunID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
}
