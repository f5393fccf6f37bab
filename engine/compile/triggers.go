package compile

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/robfig/cron/v3"
	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/config"
	"github.com/toteworks/tote/engine/schedule"
	"github.com/toteworks/tote/engine/state"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
)

// CronKind is the built-in trigger kind that fires on a schedule.
const CronKind = "cron"

// CronEvent is the type of a cron trigger's events.
var CronEvent = cty.Object(map[string]cty.Type{"tick": cty.String})

// TriggerMode says how a compiled trigger's events arrive.
type TriggerMode string

// Trigger modes: a connector's webhook or poll, or the built-in cron.
const (
	ModeWebhook TriggerMode = TriggerMode(connectors.Webhook)
	ModePoll    TriggerMode = TriggerMode(connectors.Poll)
	ModeCron    TriggerMode = "cron"
)

// Trigger is a resolved trigger block.
type Trigger struct {
	Name, Kind string
	Mode       TriggerMode
	Spec       connectors.TriggerSpec // zero for cron
	Conn       *Connection            // nil for cron
	Args       cty.Value
	// PlainArgs is Args without marks, for the connector: unmarked once
	// here rather than on every delivery.
	PlainArgs cty.Value
	Schedule  cron.Schedule // nil for webhooks
	Overlap   state.Overlap
	CatchUp   int
	Decl      *config.Trigger
	// Instance is, in a for_each pipeline, the connection of the instance
	// whose events this trigger gives; nil for a trigger whose events are
	// split among the instances (Pipeline.Route).
	Instance *Connection
}

// Event is the type of this trigger's events.
func (t *Trigger) Event() cty.Type {
	if t.Mode == ModeCron {
		return CronEvent
	}
	return t.Spec.Event
}

func (p *Program) compileTrigger(pl *config.Pipeline, decl *config.Trigger, reg *connectors.Registry, funcs map[string]function.Function, fe *ForEach) (*Trigger, hcl.Diagnostics) {
	t := &Trigger{Name: decl.Name, Kind: decl.Kind, Decl: decl, Overlap: state.OverlapSkip, CatchUp: 1}
	ctx := &hcl.EvalContext{Functions: funcs, Variables: map[string]cty.Value{"var": p.Vars, "local": p.Locals}}
	var diags hcl.Diagnostics
	if decl.Kind == CronKind {
		t.Mode = ModeCron
		t.Args, t.PlainArgs = cty.EmptyObjectVal, cty.EmptyObjectVal
		_, d := decl.Body.Content(&hcl.BodySchema{})
		diags = append(diags, d...)
		if decl.Connection != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unexpected connection",
				Detail: "A cron trigger fires on its schedule alone and takes no connection.", Subject: decl.Connection.SourceRange().Ptr()})
		}
	} else {
		spec, ts, ok := reg.Trigger(decl.Kind)
		if !ok {
			kinds := append(reg.TriggerKinds(), CronKind)
			return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unknown trigger kind",
				Detail:  fmt.Sprintf("There is no trigger kind %q.%s", decl.Kind, suggest(decl.Kind, kinds, "Known kinds: ")),
				Subject: decl.KindRange.Ptr()}}
		}
		t.Spec = ts
		t.Mode = TriggerMode(ts.Mode)
		// An instanced trigger's connection only types it: instanceTriggers
		// gives each instance its own.
		conn, _, d := p.connectionOf(spec.Type, decl.Connection, decl.DeclRange, fe)
		diags = append(diags, d...)
		t.Conn = conn
		args, d := decodeBody(decl.Body, ts.Args, ctx)
		diags = append(diags, d...)
		t.Args = markSensitiveAttrs(args, ts.Args)
		t.PlainArgs, _ = t.Args.UnmarkDeep()
	}

	needsSchedule := t.Mode == ModeCron || t.Mode == ModePoll
	switch {
	case decl.Schedule == nil && needsSchedule:
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Missing schedule",
			Detail: fmt.Sprintf("A %s trigger needs a schedule, such as schedule = \"*/5 * * * *\".", decl.Kind), Subject: decl.DeclRange.Ptr()})
	case decl.Schedule != nil && !needsSchedule:
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unexpected schedule",
			Detail: "Webhook triggers fire when a delivery arrives; they take no schedule.", Subject: decl.Schedule.Range().Ptr()})
	case decl.Schedule != nil:
		s, d := evalString(decl.Schedule, ctx)
		diags = append(diags, d...)
		if !d.HasErrors() && s != "" {
			sched, err := schedule.Parse(s)
			if err != nil {
				reason := err.Error()
				if _, after, ok := strings.Cut(reason, fmt.Sprintf("%q: ", s)); ok {
					reason = after
				}
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid cron expression",
					Detail: fmt.Sprintf("%q: %s.", s, reason), Subject: decl.Schedule.Range().Ptr()})
			}
			t.Schedule = sched
		}
	}
	for _, e := range []hcl.Expression{decl.Overlap, decl.CatchUp} {
		if e != nil && t.Mode != ModeCron {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Argument only for cron triggers",
				Detail:  "overlap and catch_up shape how cron ticks are queued. Webhook deliveries and poll results are each their own event; a poll's cursor covers downtime.",
				Subject: e.Range().Ptr()})
		}
	}
	if decl.Overlap != nil {
		s, d := evalString(decl.Overlap, ctx)
		diags = append(diags, d...)
		if !d.HasErrors() && s != "" {
			pol, err := state.ParseOverlap(s)
			if err != nil {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid overlap policy",
					Detail: `overlap is "skip" (the default), "all" or "latest".`, Subject: decl.Overlap.Range().Ptr()})
			}
			t.Overlap = pol
		}
	}
	if decl.CatchUp != nil {
		val, d := decl.CatchUp.Value(ctx)
		diags = append(diags, d...)
		n, err := convert.Convert(val, cty.Number)
		if !d.HasErrors() {
			if err != nil || n.IsNull() || !n.IsKnown() {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid catch_up",
					Detail: "catch_up is how many missed ticks to run after downtime: a whole number.", Subject: decl.CatchUp.Range().Ptr()})
			} else if i, acc := n.AsBigFloat().Int64(); acc != 0 || i < 1 {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid catch_up",
					Detail: "catch_up is a whole number, at least 1: after downtime the most recent missed tick always runs.", Subject: decl.CatchUp.Range().Ptr()})
			} else {
				t.CatchUp = int(i)
			}
		}
	}
	return t, diags
}

// triggerType merges the event types of a pipeline's triggers into the type
// of `trigger`: every attribute of any trigger's events, plus name and kind.
// An attribute two triggers type differently is dynamic.
func triggerType(triggers []*Trigger) cty.Type {
	attrs := map[string]cty.Type{"name": cty.String, "kind": cty.String}
	for _, t := range triggers {
		for name, at := range t.Event().AttributeTypes() {
			if prev, ok := attrs[name]; ok && !prev.Equals(at) {
				attrs[name] = cty.DynamicPseudoType
				continue
			}
			attrs[name] = at
		}
	}
	return cty.Object(attrs)
}

// checkTriggerAttr reports a reference to an attribute of `trigger` that no
// trigger of the pipeline gives its events.
func checkTriggerAttr(pl *Pipeline, trav hcl.Traversal) hcl.Diagnostics {
	if !pl.TriggerType.IsObjectType() || len(trav) < 2 {
		return nil
	}
	var name string
	switch step := trav[1].(type) {
	case hcl.TraverseAttr:
		name = step.Name
	case hcl.TraverseIndex:
		if step.Key.Type() != cty.String || !step.Key.IsKnown() || step.Key.IsNull() {
			return nil
		}
		name = step.Key.AsString()
	default:
		return nil
	}
	if pl.TriggerType.HasAttribute(name) {
		return nil
	}
	names := sortedKeys(pl.TriggerType.AttributeTypes())
	var kinds []string
	seen := map[string]bool{}
	for _, t := range pl.Triggers {
		// A for_each pipeline's instances of one block are named once.
		if !seen[t.Decl.Name] {
			seen[t.Decl.Name] = true
			kinds = append(kinds, t.Kind+" "+strconv.Quote(t.Decl.Name))
		}
	}
	what := "A run started by hand"
	if len(kinds) > 0 {
		what = "No trigger of this pipeline (" + strings.Join(kinds, ", ") + ")"
	}
	return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unsupported trigger attribute",
		Detail:  fmt.Sprintf("%s gives events an attribute %q.%s", what, name, suggest(name, names, "trigger has: ")),
		Subject: hcl.RangeBetween(trav[0].SourceRange(), trav[1].SourceRange()).Ptr()}}
}

// EventValue builds the value of `trigger` for one event of t: the event's
// attributes, null for attributes only other triggers have. A collection
// attribute of t's event type that the event leaves null is empty, so a
// pipeline can iterate it without guarding against null.
func (pl *Pipeline) EventValue(t *Trigger, data cty.Value) cty.Value {
	// Sized once, and the event's attributes read one by one rather than
	// copied into a map first: this is built for every event.
	atys := pl.TriggerType.AttributeTypes()
	attrs := make(map[string]cty.Value, len(atys)+2)
	for name, at := range atys {
		attrs[name] = cty.NullVal(at)
	}
	if t != nil {
		attrs["name"] = cty.StringVal(t.Decl.Name)
		attrs["kind"] = cty.StringVal(t.Kind)
		if !data.IsNull() && data.Type().IsObjectType() {
			for name := range data.Type().AttributeTypes() {
				if _, ok := attrs[name]; ok && name != "name" && name != "kind" {
					attrs[name] = data.GetAttr(name)
				}
			}
		}
		for name, at := range t.Event().AttributeTypes() {
			if v, ok := attrs[name]; ok && v.IsNull() {
				attrs[name] = emptyCollection(at, v)
			}
		}
	} else {
		attrs["name"] = cty.StringVal("manual")
		attrs["kind"] = cty.StringVal("manual")
	}
	return cty.ObjectVal(attrs)
}

// emptyCollection is the empty value of a list, set or map type t, or v
// for any other type.
func emptyCollection(t cty.Type, v cty.Value) cty.Value {
	switch {
	case t.IsListType():
		return cty.ListValEmpty(t.ElementType())
	case t.IsSetType():
		return cty.SetValEmpty(t.ElementType())
	case t.IsMapType():
		return cty.MapValEmpty(t.ElementType())
	}
	return v
}

// DefaultConnection is the connection of type typ that steps and triggers
// naming none use: the only one, else the one named main. It is nil when
// there is none such; found is how many connections have the type.
func (p *Program) DefaultConnection(typ string) (c *Connection, found int) {
	for _, cn := range p.Connections {
		if cn.Type == typ {
			found++
			if c == nil || cn.Name == "main" {
				c = cn
			}
		}
	}
	if found > 1 && c.Name != "main" {
		return nil, found
	}
	return c, found
}

// resolveConnection finds the connection a step or trigger uses: the one
// named, else the only connection of the connector's type, else the one of
// that type named main.
func (p *Program) resolveConnection(typ string, ref hcl.Traversal, rng hcl.Range) (*Connection, hcl.Diagnostics) {
	if ref != nil {
		ctype := ref[1].(hcl.TraverseAttr).Name
		cname := ref[2].(hcl.TraverseAttr).Name
		c := p.Connection(ctype, cname)
		if c == nil {
			if p.Config.Connection(ctype, cname) != nil {
				return nil, nil // an unknown connector was already reported
			}
			return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Reference to undeclared connection",
				Detail:  fmt.Sprintf("No connection %q %q is declared.", ctype, cname),
				Subject: ref.SourceRange().Ptr()}}
		}
		if ctype != typ {
			return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Wrong connection type",
				Detail:  fmt.Sprintf("This needs a %s connection, not %s.", typ, c.Addr()),
				Subject: ref.SourceRange().Ptr()}}
		}
		return c, nil
	}
	c, found := p.DefaultConnection(typ)
	if c != nil {
		return c, nil
	}
	switch found {
	case 0:
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "No connection",
			Detail:  fmt.Sprintf("This needs a %s connection; declare one with connection %q \"<name>\" { ... }.", typ, typ),
			Subject: rng.Ptr()}}
	default:
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Ambiguous connection",
			Detail: fmt.Sprintf("There are %d %s connections and none is named main; say which with connection = connection.%s.<name>.",
				found, typ, typ),
			Subject: rng.Ptr()}}
	}
}

func evalString(expr hcl.Expression, ctx *hcl.EvalContext) (string, hcl.Diagnostics) {
	val, diags := expr.Value(ctx)
	if diags.HasErrors() {
		return "", diags
	}
	s, err := convert.Convert(val, cty.String)
	if err != nil || s.IsNull() {
		return "", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid value",
			Detail: "A string is required here.", Subject: expr.Range().Ptr()}}
	}
	if !s.IsKnown() {
		return "", nil
	}
	s, _ = s.Unmark()
	return s.AsString(), nil
}
