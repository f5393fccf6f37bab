package compile

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/config"
	"github.com/toteworks/tote/engine/dag"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Pipeline is a compiled pipeline: its triggers and the graph of its
// transforms and steps.
type Pipeline struct {
	Name, Description string
	Decl              *config.Pipeline
	Triggers          []*Trigger
	Disabled          []*Trigger // triggers of disabled connections
	Nodes             map[string]*Node
	Graph             *dag.Graph
	// TriggerType is the type of `trigger` in this pipeline.
	TriggerType cty.Type
	// ForEach is set for a pipeline with one instance per connection.
	ForEach *ForEach
	// RefersToRun is set when an expression of the pipeline refers to
	// run: the runs of a pipeline that does not need not build its value.
	RefersToRun bool
}

// Trigger returns the trigger with the given name, or nil. In a for_each
// pipeline, the block's own name (as events, hooks and runs named it
// before the pipeline had instances) finds its instance for the connection
// named main, or its only instance.
func (pl *Pipeline) Trigger(name string) *Trigger {
	var only, main *Trigger
	n := 0
	for _, t := range pl.Triggers {
		if t.Name == name {
			return t
		}
		if t.Instance != nil && t.Name != t.Decl.Name && t.Decl.Name == name {
			n++
			only = t
			if t.Instance.Name == "main" {
				main = t
			}
		}
	}
	if main != nil {
		return main
	}
	if n == 1 {
		return only
	}
	return nil
}

// NodeKind distinguishes transforms from steps.
type NodeKind int

// Node kinds.
const (
	TransformNode NodeKind = iota
	StepNode
)

// Node is one transform or step.
type Node struct {
	Addr      string // transform.<name> or step.<name>
	Name      string
	Kind      NodeKind
	Transform *config.Transform
	Step      *config.Step
	// Action, ActionName, Conn and Args are set for steps.
	Action     connectors.ActionSpec
	ActionName string // <type>.<action>
	Conn       *Connection
	// Instanced is set for a step of a for_each pipeline's connector that
	// names no connection: it uses the run's instance (Conn only types it).
	Instanced bool
	Args      hcldec.Spec
	ForEach   hcl.Expression
	When      hcl.Expression
	// Type is the static type of one instance's value: the transform's
	// value, or the step's output.
	Type    cty.Type
	Range   hcl.Range
	refs    []hcl.Traversal
	argBody *contentBody // a step's body, see ArgBody
	// argDecoder decodes Args, when it is a spec of attributes only.
	argDecoder *argDecoder
}

// IsWrite reports whether the node is a step running a write action.
func (n *Node) IsWrite() bool { return n.Kind == StepNode && n.Action.Kind == connectors.Write }

var roots = []string{"var", "local", "connection", "trigger", "transform", "step", "each", "run"}

// RunType is the type of `run`.
var RunType = cty.Object(map[string]cty.Type{"id": cty.String, "pipeline": cty.String, "mode": cty.String, "time": cty.String})

func (p *Program) compilePipeline(decl *config.Pipeline, reg *connectors.Registry) (*Pipeline, hcl.Diagnostics) {
	pl := &Pipeline{Name: decl.Name, Description: decl.Description, Decl: decl, Nodes: map[string]*Node{}, Graph: dag.New()}
	funcs := p.Functions(true)
	var diags hcl.Diagnostics
	unresolved := false
	if decl.ForEach != nil {
		fe, d := p.compileForEach(decl)
		diags = append(diags, d...)
		pl.ForEach = fe
	}
	var declared []*Trigger // one per block, for the type of trigger
	for _, td := range decl.Triggers {
		t, d := p.compileTrigger(decl, td, reg, funcs, pl.ForEach)
		diags = append(diags, d...)
		if t == nil {
			unresolved = true
			continue
		}
		declared = append(declared, t)
		if pl.ForEach == nil {
			pl.Triggers = append(pl.Triggers, t)
			continue
		}
		its, d := p.instanceTriggers(pl, t)
		diags = append(diags, d...)
		pl.Triggers = append(pl.Triggers, its...)
	}
	pl.TriggerType = triggerType(declared)
	if unresolved {
		// The unknown trigger's events could have any shape: do not report
		// every trigger.* reference again.
		pl.TriggerType = cty.DynamicPseudoType
	}
	// Triggers of disabled connections are checked like the rest, then
	// left out: nothing schedules, serves or subscribes to them.
	active := pl.Triggers[:0:0]
	for _, t := range pl.Triggers {
		if pl.ForEach != nil && len(pl.ForEach.Instances) == 0 {
			// No instance: nothing would receive the events.
			pl.Disabled = append(pl.Disabled, t)
		} else if t.Conn == nil || t.Conn.Enabled {
			active = append(active, t)
		} else {
			pl.Disabled = append(pl.Disabled, t)
		}
	}
	pl.Triggers = active

	for _, t := range decl.Transforms {
		n := &Node{Addr: "transform." + t.Name, Name: t.Name, Kind: TransformNode, Transform: t,
			ForEach: t.ForEach, When: t.When, Range: t.DeclRange}
		for _, e := range []hcl.Expression{t.ForEach, t.When, t.Value} {
			if e != nil {
				n.refs = append(n.refs, e.Variables()...)
			}
		}
		n.refs = append(n.refs, t.DependsOn...)
		pl.Nodes[n.Addr] = n
		pl.Graph.Add(n.Addr)
	}
	for _, s := range decl.Steps {
		n := &Node{Addr: "step." + s.Name, Name: s.Name, Kind: StepNode, Step: s, argBody: &contentBody{Body: s.Body},
			ForEach: s.ForEach, When: s.When, Range: s.DeclRange, Type: cty.DynamicPseudoType}
		diags = append(diags, p.resolveAction(n, reg, pl.ForEach)...)
		for _, e := range []hcl.Expression{s.ForEach, s.When} {
			if e != nil {
				n.refs = append(n.refs, e.Variables()...)
			}
		}
		if n.Args != nil {
			n.refs = append(n.refs, hcldec.Variables(s.Body, n.Args)...)
		}
		n.refs = append(n.refs, s.DependsOn...)
		pl.Nodes[n.Addr] = n
		pl.Graph.Add(n.Addr)
	}

	for _, addr := range pl.Graph.Nodes() {
		n := pl.Nodes[addr]
		diags = append(diags, checkFunctionNames(n, funcs)...)
		for _, trav := range n.refs {
			pl.RefersToRun = pl.RefersToRun || trav.RootName() == "run"
			dep, d := p.checkRoot(pl, n, trav)
			diags = append(diags, d...)
			if dep != "" {
				pl.Graph.Connect(n.Addr, dep)
			}
		}
	}
	for _, members := range pl.Graph.Cycles() {
		path := cyclePath(pl.Graph, members)
		for _, m := range members {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Dependency cycle",
				Detail:  fmt.Sprintf("%s is part of a cycle: %s, where each refers to the next (through a reference or depends_on).", m, strings.Join(path, " -> ")),
				Subject: pl.Nodes[m].Range.Ptr()})
		}
	}
	diags = append(diags, suppressRepeats(diags, p.checkTypes(pl))...)
	return pl, diags
}

func (p *Program) resolveAction(n *Node, reg *connectors.Registry, fe *ForEach) hcl.Diagnostics {
	s := n.Step
	if s.Action == nil {
		return nil
	}
	typ := s.Action.RootName()
	name := s.Action[1].(hcl.TraverseAttr).Name
	n.ActionName = typ + "." + name
	spec, ok := reg.Spec(typ)
	if !ok {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unknown connector",
			Detail:  fmt.Sprintf("There is no connector %q.%s", typ, suggest(typ, reg.Types(), "Known connectors: ")),
			Subject: s.ActionRange.Ptr()}}
	}
	action, ok := spec.Action(name)
	if !ok {
		var names []string
		for _, a := range spec.Actions {
			names = append(names, a.Name)
		}
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Unknown action",
			Detail:  fmt.Sprintf("Connector %q has no action %q.%s", typ, name, suggest(name, names, "Its actions: ")),
			Subject: s.ActionRange.Ptr()}}
	}
	n.Action = action
	n.Args = action.Args.Spec()
	n.argDecoder = newArgDecoder(n.Args)
	n.Type = action.Output
	conn, instanced, diags := p.connectionOf(typ, s.Connection, s.DeclRange, fe)
	n.Conn, n.Instanced = conn, instanced
	return diags
}

// checkRoot checks that a reference names something declared and returns
// the node it depends on, if any.
func (p *Program) checkRoot(pl *Pipeline, n *Node, trav hcl.Traversal) (string, hcl.Diagnostics) {
	root := trav.RootName()
	rng := trav.SourceRange()
	errf := func(summary, format string, args ...any) hcl.Diagnostics {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary, Detail: fmt.Sprintf(format, args...), Subject: rng.Ptr()}}
	}
	name := attrName(trav)
	switch root {
	case "var", "local", "transform", "step":
		if name == "" {
			return "", errf("Invalid reference", "A reference to %s must name one, as in %s.<name>.", root, root)
		}
	}
	switch root {
	case "var":
		for _, v := range p.Config.Variables {
			if v.Name == name {
				return "", nil
			}
		}
		return "", errf("Reference to undeclared input variable", "No variable %q is declared.%s", name, suggest(name, p.varNames(), ""))
	case "local":
		for _, l := range p.Config.Locals {
			if l.Name == name {
				return "", nil
			}
		}
		return "", errf("Reference to undeclared local value", "No local %q is declared.%s", name, suggest(name, p.localNames(), ""))
	case "transform", "step":
		addr := root + "." + name
		if _, ok := pl.Nodes[addr]; !ok {
			var names []string
			for a, other := range pl.Nodes {
				if strings.HasPrefix(a, root+".") {
					names = append(names, other.Name)
				}
			}
			return "", errf("Reference to undeclared "+root, "Pipeline %q has no %s %q.%s", pl.Name, root, name, suggest(name, names, ""))
		}
		return addr, nil
	case "connection":
		if len(trav) < 3 {
			return "", errf("Invalid reference", "A connection is referred to as connection.<type>.<name>.")
		}
		typ, cname := name, ""
		if a, ok := trav[2].(hcl.TraverseAttr); ok {
			cname = a.Name
		}
		if p.Config.Connection(typ, cname) == nil {
			return "", errf("Reference to undeclared connection", "No connection %q %q is declared.%s", typ, cname,
				suggest(typ+"."+cname, p.connectionNames(), ""))
		}
		return "", nil
	case "each":
		if n.ForEach == nil {
			return "", errf("Reference to each in a block without for_each", "each.key and each.value exist only in a block that sets for_each.")
		}
		return "", nil
	case "trigger":
		return "", checkTriggerAttr(pl, trav)
	case "run":
		return "", nil
	}
	return "", errf("Unknown reference", "%q is not something a pipeline can refer to.%s", root, suggest(root, roots, "References start with: "))
}

func (p *Program) connectionNames() []string {
	var out []string
	for _, c := range p.Config.Connections {
		out = append(out, c.Type+"."+c.Name)
	}
	return out
}

func (p *Program) varNames() []string {
	var out []string
	for _, v := range p.Config.Variables {
		out = append(out, v.Name)
	}
	return out
}

func (p *Program) localNames() []string {
	var out []string
	for _, l := range p.Config.Locals {
		out = append(out, l.Name)
	}
	return out
}

// checkTypes walks the graph in order with typed unknowns: it infers each
// transform's type, checks every reference path (also in branches that
// evaluation would not take) and decodes step arguments.
func (p *Program) checkTypes(pl *Pipeline) hcl.Diagnostics {
	var diags hcl.Diagnostics
	sc := &Scope{
		Vars: p.Vars, Locals: p.Locals, Connections: p.ConnectionsValue(),
		Trigger: cty.UnknownVal(pl.TriggerType), Run: cty.UnknownVal(RunType),
		Transforms: map[string]cty.Value{}, Steps: map[string]cty.Value{}, Funcs: p.Functions(true),
	}
	order, err := pl.Graph.TopoOrder()
	if err != nil {
		// Members of a cycle have no order to infer types in: they are
		// dynamic, and everything else is still checked in order.
		order = nil
		cyclic := map[string]bool{}
		for _, members := range pl.Graph.Cycles() {
			for _, m := range members {
				cyclic[m] = true
				if n := pl.Nodes[m]; n.Kind == TransformNode {
					sc.Transforms[n.Name] = cty.DynamicVal
				} else {
					sc.Steps[n.Name] = cty.DynamicVal
				}
			}
		}
		done := map[string]bool{}
		for progress := true; progress; {
			progress = false
			for _, id := range pl.Graph.Nodes() {
				if done[id] {
					continue
				}
				ready := true
				for _, dep := range pl.Graph.DependenciesOf(id) {
					if !done[dep] && !cyclic[dep] {
						ready = false
					}
				}
				if ready {
					done[id], progress = true, true
					order = append(order, id)
				}
			}
		}
	}
	for _, addr := range order {
		n := pl.Nodes[addr]
		nodeScope := sc
		if n.ForEach != nil {
			each, d := eachType(n.ForEach, sc)
			diags = append(diags, d...)
			nodeScope = sc.With(each)
		}
		ctx := nodeScope.EvalContext()
		for _, trav := range n.refs {
			if trav.RootName() == "connection" {
				continue
			}
			_, d := trav.TraverseAbs(ctx)
			diags = append(diags, d...)
		}
		if n.When != nil {
			v, d := n.When.Value(ctx)
			d = suppressRepeats(diags, d)
			diags = append(diags, d...)
			if !d.HasErrors() {
				if _, err := convert.Convert(v, cty.Bool); err != nil {
					diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid when",
						Detail: "when must be true or false.", Subject: n.When.Range().Ptr()})
				}
			}
		}
		switch n.Kind {
		case TransformNode:
			n.Type = cty.DynamicPseudoType
			if n.Transform.Value != nil { // a missing value is diagnosed already
				v, d := n.Transform.Value.Value(ctx)
				diags = append(diags, suppressRepeats(diags, d)...)
				n.Type = v.Type()
			}
			sc.Transforms[n.Name] = cty.UnknownVal(wrapForEach(n.Type, n.ForEach != nil))
		case StepNode:
			if n.Args != nil {
				v, d := hcldec.Decode(n.Step.Body, n.Args, ctx)
				diags = append(diags, suggestMeta(suppressRepeats(diags, d))...)
				if !d.HasErrors() {
					diags = append(diags, checkEnums(n.Step.Body, n.Action.Args, v)...)
				}
			}
			out := cty.Object(map[string]cty.Type{"output": n.Type})
			sc.Steps[n.Name] = cty.UnknownVal(wrapForEach(out, n.ForEach != nil))
		}
	}
	return diags
}

func wrapForEach(t cty.Type, forEach bool) cty.Type {
	if !forEach {
		return t
	}
	return cty.Map(t)
}

// eachType evaluates a for_each expression with typed unknowns and returns
// the typed each it gives its block.
func eachType(expr hcl.Expression, sc *Scope) (*Each, hcl.Diagnostics) {
	each := &Each{Key: cty.UnknownVal(cty.String), Value: cty.DynamicVal}
	v, diags := expr.Value(sc.EvalContext())
	if diags.HasErrors() {
		return each, diags
	}
	t := v.Type()
	switch {
	case t == cty.DynamicPseudoType:
	case t.IsMapType():
		each.Value = cty.UnknownVal(t.ElementType())
	case t.IsSetType() && t.ElementType() == cty.String:
		each.Value = cty.UnknownVal(cty.String)
	case t.IsObjectType():
		// Values of one type (a map written as an object literal) type
		// each.value; mixed types leave it dynamic.
		var elem cty.Type
		for _, at := range t.AttributeTypes() {
			if elem == cty.NilType {
				elem = at
			} else if !elem.Equals(at) {
				elem = cty.DynamicPseudoType
			}
		}
		if elem != cty.NilType {
			each.Value = cty.UnknownVal(elem)
		}
	default:
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid for_each",
			Detail:  fmt.Sprintf("for_each needs a map, an object or a set of strings, not %s; a list becomes a set with toset().", t.FriendlyName()),
			Subject: expr.Range().Ptr()})
	}
	return each, diags
}

// suppressRepeats drops diagnostics in next whose subject lies within an
// earlier one's: a bad reference found by the static check is not reported
// again when the expression holding it is evaluated.
func suppressRepeats(earlier, next hcl.Diagnostics) hcl.Diagnostics {
	var out hcl.Diagnostics
next:
	for _, d := range next {
		if d.Subject != nil {
			for _, e := range earlier {
				if e.Subject != nil && e.Subject.Filename == d.Subject.Filename &&
					e.Subject.Start.Byte <= d.Subject.Start.Byte && d.Subject.End.Byte <= e.Subject.End.Byte {
					continue next
				}
			}
		}
		out = append(out, d)
	}
	return out
}

// suggestMeta adds a did-you-mean for misspelt meta-arguments, which the
// action's own schema cannot suggest.
func suggestMeta(diags hcl.Diagnostics) hcl.Diagnostics {
	for _, d := range diags {
		if d.Summary != "Unsupported argument" || strings.Contains(d.Detail, "Did you mean") {
			continue
		}
		name := ""
		if _, after, ok := strings.Cut(d.Detail, `named "`); ok {
			name, _, _ = strings.Cut(after, `"`)
		}
		if name == "" {
			continue
		}
		if hint := suggest(name, config.StepMeta, ""); hint != "" {
			d.Detail = strings.TrimSuffix(d.Detail, ".") + "." + hint
		}
	}
	return diags
}

// cyclePath returns a closed walk through a cycle's members that follows
// dependencies: each element depends on the next, and the last is the first.
func cyclePath(g *dag.Graph, members []string) []string {
	in := map[string]bool{}
	for _, m := range members {
		in[m] = true
	}
	start := members[0]
	var path []string
	seen := map[string]bool{}
	var visit func(id string) bool
	visit = func(id string) bool {
		path = append(path, id)
		seen[id] = true
		for _, dep := range g.DependenciesOf(id) {
			if dep == start {
				path = append(path, start)
				return true
			}
			if in[dep] && !seen[dep] && visit(dep) {
				return true
			}
		}
		path = path[:len(path)-1]
		return false
	}
	if !visit(start) {
		return append(append([]string(nil), members...), start)
	}
	return path
}
