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

// Events lists what a plan of pl covers: one manual event for a pipeline
// without triggers, one tick now for each cron trigger, and what each poll
// trigger returns. Webhook triggers, and triggers of disabled connections,
// contribute nothing: webhook events arrive at `tote run`. Cursors are the poll positions to store after apply.
func (e *Engine) Events(ctx context.Context, pl *compile.Pipeline, sel Selection) ([]Event, map[string]string, error) {
	cursors := map[string]string{}
	if len(pl.Triggers) == 0 && len(pl.Disabled) == 0 {
		return []Event{{Pipeline: pl.Name}}, cursors, nil
	}
	var events []Event
	now := e.opts.Clock().UTC()
	for _, t := range pl.Triggers {
		switch t.Mode {
		case compile.ModeCron:
			tick := now.Truncate(time.Second).Format(time.RFC3339)
			events = append(events, Event{Pipeline: pl.Name, Trigger: t.Name, Key: tick,
				Data: cty.ObjectVal(map[string]cty.Value{"tick": cty.StringVal(tick)})})
		case compile.ModePoll:
			evs, cursor, err := e.Poll(ctx, pl, t, sel.From, sel.To)
			if err != nil {
				return nil, nil, err
			}
			cursors[CursorName(pl.Name, t.Name)] = cursor
			events = append(events, evs...)
		}
	}
	return events, cursors, nil
}

// Poll asks a poll trigger for its events: from its stored cursor, or over
// [from, to] when a window is given.
func (e *Engine) Poll(ctx context.Context, pl *compile.Pipeline, t *compile.Trigger, from, to time.Time) ([]Event, string, error) {
	conn, err := e.Conn(ctx, t.Conn)
	if err != nil {
		return nil, "", err
	}
	poller, ok := conn.(connectors.Poller)
	if !ok {
		return nil, "", fmt.Errorf("%s cannot poll", t.Conn.Addr())
	}
	w := connectors.Window{From: from, To: to}
	if from.IsZero() && e.store != nil {
		c, _, err := e.store.Cursor(ctx, CursorName(pl.Name, t.Name))
		if err != nil {
			return nil, "", fmt.Errorf("reading the cursor of %s.%s: %w", pl.Name, t.Name, err)
		}
		w.Cursor = c
	}
	if w.To.IsZero() {
		w.To = e.opts.Clock()
	}
	args, _ := t.Args.UnmarkDeep()
	raw, cursor, err := poller.Poll(ctx, t.Kind, args, w)
	if err != nil {
		return nil, "", fmt.Errorf("polling %s.%s: %w", pl.Name, t.Name, err)
	}
	events := make([]Event, 0, len(raw))
	for _, ev := range raw {
		events = append(events, Event{Pipeline: pl.Name, Trigger: t.Name, Key: ev.Key, Data: ev.Data})
	}
	return events, cursor, nil
}

// PlanAll plans every selected pipeline for every event it covers.
func (e *Engine) PlanAll(ctx context.Context, sel Selection, version string) (*plan.Plan, error) {
	ctx = connectors.WithFreshReads(ctx) // a plan shows the vendors' truth
	p := &plan.Plan{FormatVersion: plan.FormatVersion, ToteVersion: version, ConfigHash: e.prog.Config.Hash,
		CreatedAt: e.opts.Clock().UTC(), Cursors: map[string]string{}}
	selected := 0
	for _, pl := range e.prog.Pipelines {
		if sel.includes(pl.Name) {
			selected++
		}
	}
	ctx, pr := e.startProgress(ctx, Plan, selected)
	defer pr.update(func(p *Progress) { p.Finished = true })
	for _, pl := range e.prog.Pipelines {
		if !sel.includes(pl.Name) {
			continue
		}
		events, cursors, err := e.Events(ctx, pl, sel)
		if err != nil {
			return nil, errors.New(e.Redact(err.Error()))
		}
		for k, v := range cursors {
			p.Cursors[k] = v
		}
		pr.update(func(p *Progress) { p.Events += len(events) })
		for _, ev := range events {
			res := e.Execute(ctx, Plan, ev, nil, "")
			p.Runs = append(p.Runs, res.Plan)
			pr.update(func(p *Progress) {
				p.EventsDone++
				if len(res.Plan.Errors) > 0 {
					p.Failed++
				}
			})
		}
		pr.update(func(p *Progress) { p.PipelinesDone++ })
	}
	for _, name := range sel.Pipelines {
		if e.prog.Pipeline(name) == nil {
			return nil, fmt.Errorf("no pipeline %q", name)
		}
	}
	vars, err := plan.PinVariables(e.prog.Vars, e.prog.SensitiveVariable)
	if err != nil {
		return nil, err
	}
	p.Variables = vars
	if sel.PublicURL != "" {
		subs, err := e.PlanSubscriptions(ctx, sel.PublicURL)
		if err != nil {
			return nil, errors.New(e.Redact(err.Error()))
		}
		p.PublicURL, p.Subscriptions = sel.PublicURL, subs
	}
	return p, nil
}

// ApplyResult is what applying a plan did.
type ApplyResult struct {
	Runs   []*Result
	Writes int
	Failed int
	// Subscriptions counts webhook registrations changed.
	Subscriptions      int
	SubscriptionErrors []error
}

// ApplyPlan performs a plan: each run with changes is executed in apply
// mode, constrained to exactly the planned writes. It refuses a plan made
// from other configuration. Poll cursors advance only when every run of
// their trigger succeeded.
func (e *Engine) ApplyPlan(ctx context.Context, p *plan.Plan) (*ApplyResult, error) {
	ctx = connectors.WithFreshReads(ctx) // checked against the plan's reads
	if p.ConfigHash != e.prog.Config.Hash {
		return nil, errors.New("the plan was made from other pipeline files; run tote plan again")
	}
	if err := p.CheckSensitive(e.prog.Vars); err != nil {
		return nil, err
	}
	out := &ApplyResult{}
	pipelines := map[string]bool{}
	todo := 0
	for _, rp := range p.Runs {
		if len(rp.Errors) == 0 && hasWrites(rp) {
			pipelines[rp.Pipeline] = true
			todo++
		}
	}
	ctx, pr := e.startProgress(ctx, Apply, len(pipelines))
	pr.update(func(p *Progress) { p.Events = todo })
	defer pr.update(func(p *Progress) { p.Finished = true })
	left := map[string]int{} // runs left per pipeline
	for _, rp := range p.Runs {
		if len(rp.Errors) == 0 && hasWrites(rp) {
			left[rp.Pipeline]++
		}
	}
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
	for _, rp := range p.Runs {
		if len(rp.Errors) > 0 {
			out.Failed++
			failedTriggers[CursorName(rp.Pipeline, rp.Trigger)] = true
			continue
		}
		if !hasWrites(rp) {
			continue
		}
		ev, err := e.eventOf(rp)
		if err != nil {
			return out, err
		}
		res := e.Execute(ctx, Apply, ev, rp, NewRunID())
		out.Runs = append(out.Runs, res)
		out.Writes += res.Writes
		if res.Err != nil {
			out.Failed++
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

func hasWrites(rp *plan.Run) bool {
	for _, c := range rp.Changes {
		if c.Op != connectors.OpNoop {
			return true
		}
	}
	return false
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
