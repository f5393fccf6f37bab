package config

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// A module is a file of steps, transforms, variables (its inputs) and
// outputs under modules/, called from a pipeline by a `module "<name>"`
// block. The call is expanded here, once per call, into the pipeline's own
// blocks: each input becomes the transform <name>_<input>, each step and
// transform <name>_<step>, each output the transform <name>_<output>, and
// the module's references are rewritten to those names. Everything after
// parsing (compile, plan, apply, graph) sees ordinary blocks.

// moduleCall is a `module "<name>"` block of a pipeline.
type moduleCall struct {
	Name string
	File string // the module file, as named in diagnostics
	// Nodes are the addresses of the blocks the call expanded into.
	Nodes     []string
	DeclRange hcl.Range
}

// moduleDir is the folder, next to the pipeline files, that holds modules.
const moduleDir = "modules"

// IsModuleFile reports whether a file name (as given to Parse) is a module.
func IsModuleFile(name string) bool { return path.Base(path.Dir(name)) == moduleDir }

var moduleSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "transform", LabelNames: []string{"name"}},
		{Type: "step", LabelNames: []string{"name"}},
		{Type: "output", LabelNames: []string{"name"}},
	},
}

var outputSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "value", Required: true}, {Name: "description"}},
}

// module is one call's own copy of its module file, decoded.
type module struct {
	vars    []*Variable
	outputs map[string]hcl.Expression
	outRng  map[string]hcl.Range
	steps   []*Step
	trans   []*Transform
}

// decodemoduleCall reads the call's source and expands it. It returns the
// call and the blocks it adds to the pipeline.
func (c *Config) decodemoduleCall(b *hcl.Block) (*moduleCall, *module, hcl.Diagnostics) {
	mc := &moduleCall{Name: b.Labels[0], DeclRange: b.DefRange}
	diags := validName("module", mc.Name, b.LabelRanges[0])
	attrs, d := b.Body.JustAttributes()
	diags = append(diags, d...)
	src, ok := attrs["source"]
	if !ok {
		return nil, nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Missing module source",
			Detail:  fmt.Sprintf("Module %q needs source, the file of its steps, such as source = \"./modules/stock.hcl\".", mc.Name),
			Subject: b.DefRange.Ptr()})
	}
	var source string
	if d := constString(src, &source); d.HasErrors() {
		return nil, nil, append(diags, d...)
	}
	mc.File = path.Join(path.Dir(b.DefRange.Filename), source)
	text, ok := c.moduleSrc[mc.File]
	if !ok || !IsModuleFile(mc.File) {
		return nil, nil, append(diags, attrError(src, "Module source not found",
			fmt.Sprintf("There is no module file %s. Modules are *.hcl files in the %s folder next to the pipeline files, named as source = \"./%s/<name>.hcl\".", mc.File, moduleDir, moduleDir)))
	}
	// Each call parses its own copy: rewriting references must not touch
	// another call's blocks.
	f, d := hclsyntax.ParseConfig(text, mc.File, hcl.InitialPos)
	if d.HasErrors() {
		return nil, nil, diags // reported when the file was first parsed
	}
	m, d := decodeModule(f, mc.Name)
	diags = append(diags, d...)
	if m == nil {
		return nil, nil, diags
	}

	// Inputs.
	var ins []*Transform
	declared := map[string]bool{}
	for _, v := range m.vars {
		declared[v.Name] = true
		t := &Transform{Name: mc.Name + "_" + v.Name, DeclRange: b.DefRange}
		if a, ok := attrs[v.Name]; ok {
			t.Value, t.DeclRange = &typedExpr{Expression: a.Expr, typ: v.Type}, a.Range
		} else if v.Default != cty.NilVal {
			t.Value = hcl.StaticExpr(v.Default, b.DefRange)
		} else {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Missing module input",
				Detail:  fmt.Sprintf("Module %q (%s) needs input %q, which has no default.", mc.Name, mc.File, v.Name),
				Subject: b.DefRange.Ptr()})
			t.Value = hcl.StaticExpr(cty.DynamicVal, b.DefRange)
		}
		ins = append(ins, t)
	}
	m.trans = append(ins, m.trans...)
	for _, a := range sortedAttrs(attrs) {
		if a.Name == "source" || declared[a.Name] {
			continue
		}
		names := make([]string, 0, len(m.vars))
		for _, v := range m.vars {
			names = append(names, v.Name)
		}
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unsupported module input",
			Detail:  fmt.Sprintf("Module %q (%s) has no input %q. Its inputs: %s.", mc.Name, mc.File, a.Name, strings.Join(names, ", ")),
			Subject: a.NameRange.Ptr()})
	}
	for _, name := range sortedKeys(m.outputs) {
		m.trans = append(m.trans, &Transform{Name: mc.Name + "_" + name, Value: m.outputs[name], DeclRange: m.outRng[name]})
	}
	for _, t := range m.trans {
		mc.Nodes = append(mc.Nodes, "transform."+t.Name)
	}
	for _, s := range m.steps {
		mc.Nodes = append(mc.Nodes, "step."+s.Name)
	}
	return mc, m, diags
}

// decodeModule decodes a module file's blocks, named for the call prefix,
// with their references rewritten to the expanded names.
func decodeModule(f *hcl.File, prefix string) (*module, hcl.Diagnostics) {
	content, diags := f.Body.Content(moduleSchema)
	m := &module{outputs: map[string]hcl.Expression{}, outRng: map[string]hcl.Range{}}
	inputs, own := map[string]bool{}, map[string]bool{}
	for _, blk := range content.Blocks {
		switch blk.Type {
		case "variable":
			inputs[blk.Labels[0]] = true
		case "step", "transform":
			own[blk.Type+"."+blk.Labels[0]] = true
		}
	}
	rewrite := func(st *hclsyntax.ScopeTraversalExpr) {
		nt, d := rewriteInModule(st.Traversal, prefix, inputs, own)
		diags = append(diags, d...)
		st.Traversal = nt
	}
	for _, blk := range content.Blocks {
		if blk.Type == "variable" {
			continue
		}
		if body, ok := blk.Body.(*hclsyntax.Body); ok {
			walkTraversals(body, rewrite)
		}
	}
	for _, blk := range content.Blocks {
		switch blk.Type {
		case "variable":
			v, d := decodeVariable(blk)
			diags = append(diags, d...)
			m.vars = append(m.vars, v)
		case "output":
			name := blk.Labels[0]
			diags = append(diags, validName("output", name, blk.LabelRanges[0])...)
			oc, d := blk.Body.Content(outputSchema)
			diags = append(diags, d...)
			if a, ok := oc.Attributes["value"]; ok {
				m.outputs[name], m.outRng[name] = a.Expr, blk.DefRange
			}
		case "transform":
			t, d := decodeTransform(blk)
			diags = append(diags, d...)
			t.Name = prefix + "_" + t.Name
			t.DependsOn = prefixDeps(t.DependsOn, prefix, inputs, own, &diags)
			m.trans = append(m.trans, t)
		case "step":
			s, d := decodeStep(blk)
			diags = append(diags, d...)
			s.Name = prefix + "_" + s.Name
			s.DependsOn = prefixDeps(s.DependsOn, prefix, inputs, own, &diags)
			m.steps = append(m.steps, s)
		}
	}
	return m, diags
}

func prefixDeps(deps []hcl.Traversal, prefix string, inputs, own map[string]bool, diags *hcl.Diagnostics) []hcl.Traversal {
	out := make([]hcl.Traversal, 0, len(deps))
	for _, t := range deps {
		nt, d := rewriteInModule(t, prefix, inputs, own)
		*diags = append(*diags, d...)
		out = append(out, nt)
	}
	return out
}

// rewriteInModule renames a module's reference to its expanded block:
// var.<input> is the transform <prefix>_<input>, step.<s> and
// transform.<t> are <prefix>_<s> and <prefix>_<t>. A module sees nothing of
// the pipeline calling it but what the call passes.
func rewriteInModule(t hcl.Traversal, prefix string, inputs, own map[string]bool) (hcl.Traversal, hcl.Diagnostics) {
	root := t.RootName()
	rng := t.SourceRange()
	errf := func(summary, detail string) hcl.Diagnostics {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: rng.Ptr()}}
	}
	switch root {
	case "var", "step", "transform":
	case "trigger", "local", "module":
		return t, errf("Reference outside the module",
			fmt.Sprintf("A module's blocks refer only to its inputs (var.<name>), its own steps and transforms, each, run and connection, not to %s: pass what it needs as an input.", root))
	default:
		// each, run, connection, a for expression's own names; compile
		// reports anything else.
		return t, nil
	}
	name := attrOf(t, 1)
	switch {
	case name == "":
		return t, errf("Invalid reference", fmt.Sprintf("A reference to %s must name one, as in %s.<name>.", root, root))
	case root == "var" && !inputs[name]:
		return t, errf("Reference to undeclared module input", fmt.Sprintf("The module declares no variable %q.", name))
	case root != "var" && !own[root+"."+name]:
		return t, errf("Reference to undeclared "+root, fmt.Sprintf("The module has no %s %q.", root, name))
	}
	kind := root
	if root == "var" {
		kind = "transform"
	}
	return renamed(t, kind, prefix+"_"+name), nil
}

// renamed returns root.name followed by the rest of t after its second
// element (the first two elements keep their source ranges).
func renamed(t hcl.Traversal, root, name string) hcl.Traversal {
	out := hcl.Traversal{
		hcl.TraverseRoot{Name: root, SrcRange: t[0].SourceRange()},
		hcl.TraverseAttr{Name: name, SrcRange: t[1].SourceRange()},
	}
	return append(out, t[2:]...)
}

// walkTraversals calls fn for every reference in body's attributes and
// nested blocks, except in depends_on and action, which are decoded as
// traversals and name no value.
func walkTraversals(body *hclsyntax.Body, fn func(*hclsyntax.ScopeTraversalExpr)) {
	for name, a := range body.Attributes {
		if name == "depends_on" || name == "action" {
			continue
		}
		hclsyntax.VisitAll(a.Expr, func(n hclsyntax.Node) hcl.Diagnostics {
			if st, ok := n.(*hclsyntax.ScopeTraversalExpr); ok {
				fn(st)
			}
			return nil
		})
	}
	for _, blk := range body.Blocks {
		walkTraversals(blk.Body, fn)
	}
}

// moduleRefs rewrites a pipeline's module.<name>.<output> references to
// the output's transform.
type moduleRefs struct {
	calls   map[string]*moduleCall
	outputs map[string]map[string]bool
	diags   hcl.Diagnostics
}

func (r *moduleRefs) errf(t hcl.Traversal, summary, detail string) {
	rng := t.SourceRange()
	r.diags = append(r.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: rng.Ptr()})
}

// call returns the module a reference names, or nil after a diagnostic.
func (r *moduleRefs) call(t hcl.Traversal) *moduleCall {
	name := attrOf(t, 1)
	mc := r.calls[name]
	if mc == nil {
		calls := "It calls none."
		if len(r.calls) > 0 {
			calls = "It calls: " + strings.Join(sortedKeys(r.calls), ", ") + "."
		}
		r.errf(t, "Reference to undeclared module", fmt.Sprintf("The pipeline calls no module %q. %s", name, calls))
	}
	return mc
}

func (r *moduleRefs) expr(st *hclsyntax.ScopeTraversalExpr) {
	t := st.Traversal
	if t.RootName() != "module" {
		return
	}
	mc := r.call(t)
	if mc == nil {
		return
	}
	out := attrOf(t, 2)
	if !r.outputs[mc.Name][out] {
		r.errf(t, "Reference to undeclared module output", fmt.Sprintf("Module %q (%s) has no output %q. Its outputs: %s.",
			mc.Name, mc.File, out, strings.Join(sortedKeys(r.outputs[mc.Name]), ", ")))
		return
	}
	st.Traversal = renamed(append(hcl.Traversal{t[0]}, t[2:]...), "transform", mc.Name+"_"+out)
}

// deps expands depends_on entries: module.<name> waits for all of the
// module's blocks, module.<name>.<output> for that output.
func (r *moduleRefs) deps(deps []hcl.Traversal) []hcl.Traversal {
	var out []hcl.Traversal
	for _, t := range deps {
		if t.RootName() != "module" {
			out = append(out, t)
			continue
		}
		mc := r.call(t)
		if mc == nil {
			continue
		}
		if len(t) > 2 {
			st := &hclsyntax.ScopeTraversalExpr{Traversal: t}
			r.expr(st)
			out = append(out, st.Traversal)
			continue
		}
		for _, addr := range mc.Nodes {
			kind, name, _ := strings.Cut(addr, ".")
			out = append(out, renamed(hcl.Traversal{t[0], t[1]}, kind, name))
		}
	}
	return out
}

// typedExpr converts a module input to its variable's type.
type typedExpr struct {
	hcl.Expression
	typ cty.Type
}

func (e *typedExpr) Value(ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	v, diags := e.Expression.Value(ctx)
	if diags.HasErrors() || e.typ == cty.DynamicPseudoType {
		return v, diags
	}
	conv, err := convert.Convert(v, e.typ)
	if err != nil {
		return cty.UnknownVal(e.typ), append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid module input",
			Detail: fmt.Sprintf("This value cannot be used for an input of type %s: %s.", e.typ.FriendlyName(), err), Subject: e.Range().Ptr()})
	}
	return conv, diags
}

// UnwrapExpression gives static checks the expression as written.
func (e *typedExpr) UnwrapExpression() hcl.Expression { return e.Expression }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Dedupe drops diagnostics repeated with the same summary and detail at the
// same place: a mistake inside a module is found once per call, and a
// reference checked statically and again while decoding; each is reported
// once.
func Dedupe(diags hcl.Diagnostics) hcl.Diagnostics {
	seen := map[string]bool{}
	var out hcl.Diagnostics
	for _, d := range diags {
		key := d.Summary + "|" + d.Detail
		if d.Subject != nil {
			key += "|" + d.Subject.String()
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, d)
		}
	}
	return out
}
