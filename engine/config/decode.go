package config

import (
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

var fileSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "connection", LabelNames: []string{"type", "name"}},
		{Type: "pipeline", LabelNames: []string{"name"}},
	},
}

var variableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type"}, {Name: "default"}, {Name: "description"}, {Name: "sensitive"},
	},
}

var pipelineSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "description"}, {Name: "for_each"}},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "trigger", LabelNames: []string{"kind", "name"}},
		{Type: "transform", LabelNames: []string{"name"}},
		{Type: "step", LabelNames: []string{"name"}},
		{Type: "module", LabelNames: []string{"name"}},
	},
}

// TriggerMeta are the arguments the engine takes from every trigger block.
var TriggerMeta = []string{"connection", "schedule", "overlap", "catch_up"}

var triggerSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "connection"}, {Name: "schedule"}, {Name: "overlap"}, {Name: "catch_up"},
	},
}

var transformSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "for_each"}, {Name: "when"}, {Name: "value", Required: true}, {Name: "depends_on"},
	},
}

// StepMeta are the reserved step arguments; the rest belong to the action.
var StepMeta = []string{"action", "connection", "for_each", "when", "depends_on", "retry", "timeout", "on_error"}

var stepSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "action", Required: true}, {Name: "connection"}, {Name: "for_each"}, {Name: "when"},
		{Name: "depends_on"}, {Name: "timeout"}, {Name: "on_error"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "retry"}},
}

var retrySchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "attempts"}, {Name: "backoff"}, {Name: "max_delay"}},
}

func (c *Config) decodeFile(f *hcl.File) hcl.Diagnostics {
	content, diags := f.Body.Content(fileSchema)
	for _, b := range content.Blocks {
		switch b.Type {
		case "variable":
			v, d := decodeVariable(b)
			diags = append(diags, d...)
			if v != nil {
				c.Variables = append(c.Variables, v)
			}
		case "locals":
			attrs, d := b.Body.JustAttributes()
			diags = append(diags, d...)
			for _, a := range sortedAttrs(attrs) {
				diags = append(diags, validName("local", a.Name, a.NameRange)...)
				c.Locals = append(c.Locals, &Local{Name: a.Name, Expr: a.Expr, DeclRange: a.NameRange})
			}
		case "connection":
			diags = append(diags, validName("connection type", b.Labels[0], b.LabelRanges[0])...)
			diags = append(diags, validName("connection", b.Labels[1], b.LabelRanges[1])...)
			c.Connections = append(c.Connections, &Connection{
				Type: b.Labels[0], Name: b.Labels[1], Body: b.Body,
				DeclRange: b.DefRange, TypeRange: b.LabelRanges[0],
			})
		case "pipeline":
			p, d := c.decodePipeline(b)
			diags = append(diags, d...)
			c.Pipelines = append(c.Pipelines, p)
		}
	}
	return diags
}

func decodeVariable(b *hcl.Block) (*Variable, hcl.Diagnostics) {
	v := &Variable{Name: b.Labels[0], Type: cty.DynamicPseudoType, DeclRange: b.DefRange}
	diags := validName("variable", v.Name, b.LabelRanges[0])
	content, d := b.Body.Content(variableSchema)
	diags = append(diags, d...)
	if a, ok := content.Attributes["type"]; ok {
		t, d := typeexpr.TypeConstraint(a.Expr)
		diags = append(diags, d...)
		if !d.HasErrors() {
			v.Type = t
		}
	}
	if a, ok := content.Attributes["description"]; ok {
		diags = append(diags, constString(a, &v.Description)...)
	}
	if a, ok := content.Attributes["sensitive"]; ok {
		val, d := a.Expr.Value(nil)
		diags = append(diags, d...)
		if !d.HasErrors() {
			if val.Type() != cty.Bool || val.IsNull() {
				diags = append(diags, attrError(a, "Invalid sensitive value", "sensitive must be true or false."))
			} else {
				v.Sensitive = val.True()
			}
		}
	}
	if a, ok := content.Attributes["default"]; ok {
		val, d := a.Expr.Value(nil)
		diags = append(diags, d...)
		if !d.HasErrors() {
			conv, err := convert.Convert(val, v.Type)
			if err != nil {
				diags = append(diags, attrError(a, "Invalid default value for variable",
					fmt.Sprintf("This default cannot be used for a variable of type %s: %s.", v.Type.FriendlyName(), err)))
			} else {
				v.Default = conv
			}
		}
	}
	return v, diags
}

func (c *Config) decodePipeline(b *hcl.Block) (*Pipeline, hcl.Diagnostics) {
	p := &Pipeline{Name: b.Labels[0], DeclRange: b.DefRange}
	diags := validName("pipeline", p.Name, b.LabelRanges[0])
	content, d := b.Body.Content(pipelineSchema)
	diags = append(diags, d...)
	if a, ok := content.Attributes["description"]; ok {
		diags = append(diags, constString(a, &p.Description)...)
	}
	if a, ok := content.Attributes["for_each"]; ok {
		p.ForEach = a.Expr
	}
	// Modules first: the pipeline's references to their outputs are
	// rewritten before its blocks are decoded.
	refs := &moduleRefs{calls: map[string]*moduleCall{}, outputs: map[string]map[string]bool{}}
	var expanded []*module
	for _, blk := range content.Blocks {
		if blk.Type != "module" {
			continue
		}
		if first, dup := refs.calls[blk.Labels[0]]; dup {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Duplicate module",
				Detail: fmt.Sprintf("Module %q was already called at %s:%d:%d. Names must be unique.",
					blk.Labels[0], first.DeclRange.Filename, first.DeclRange.Start.Line, first.DeclRange.Start.Column),
				Subject: blk.DefRange.Ptr()})
			continue
		}
		mc, m, d := c.decodemoduleCall(blk)
		diags = append(diags, d...)
		if mc == nil {
			// Still known by name, without outputs, so references to it
			// are not reported again.
			refs.calls[blk.Labels[0]] = &moduleCall{Name: blk.Labels[0], DeclRange: blk.DefRange}
			continue
		}
		refs.calls[mc.Name] = mc
		refs.outputs[mc.Name] = make(map[string]bool, len(m.outputs))
		for name := range m.outputs {
			refs.outputs[mc.Name][name] = true
		}
		expanded = append(expanded, m)
	}
	for _, blk := range content.Blocks {
		if body, ok := blk.Body.(*hclsyntax.Body); ok && blk.Type != "trigger" {
			walkTraversals(body, func(st *hclsyntax.ScopeTraversalExpr) {
				if st.Traversal.RootName() == "module" && refs.calls[attrOf(st.Traversal, 1)] != nil && refs.outputs[attrOf(st.Traversal, 1)] == nil {
					return // its call failed and is reported
				}
				refs.expr(st)
			})
		}
	}
	for _, blk := range content.Blocks {
		switch blk.Type {
		case "trigger":
			t, d := decodeTrigger(blk)
			diags = append(diags, d...)
			p.Triggers = append(p.Triggers, t)
		case "transform":
			t, d := decodeTransform(blk)
			diags = append(diags, d...)
			t.DependsOn = refs.deps(t.DependsOn)
			p.Transforms = append(p.Transforms, t)
		case "step":
			s, d := decodeStep(blk)
			diags = append(diags, d...)
			s.DependsOn = refs.deps(s.DependsOn)
			p.Steps = append(p.Steps, s)
		}
	}
	for _, m := range expanded {
		p.Transforms = append(p.Transforms, m.trans...)
		p.Steps = append(p.Steps, m.steps...)
	}
	return p, append(diags, refs.diags...)
}

// attrOf is the name of t's i-th element when it is an attribute.
func attrOf(t hcl.Traversal, i int) string {
	if len(t) > i {
		if a, ok := t[i].(hcl.TraverseAttr); ok {
			return a.Name
		}
	}
	return ""
}

func decodeTrigger(b *hcl.Block) (*Trigger, hcl.Diagnostics) {
	t := &Trigger{Kind: b.Labels[0], Name: b.Labels[1], DeclRange: b.DefRange, KindRange: b.LabelRanges[0]}
	diags := validName("trigger", t.Name, b.LabelRanges[1])
	content, remain, d := b.Body.PartialContent(triggerSchema)
	diags = append(diags, d...)
	t.Body = remain
	if a, ok := content.Attributes["connection"]; ok {
		trav, d := connectionTraversal(a)
		diags = append(diags, d...)
		t.Connection = trav
	}
	if a, ok := content.Attributes["schedule"]; ok {
		t.Schedule = a.Expr
	}
	if a, ok := content.Attributes["overlap"]; ok {
		t.Overlap = a.Expr
	}
	if a, ok := content.Attributes["catch_up"]; ok {
		t.CatchUp = a.Expr
	}
	return t, diags
}

func decodeTransform(b *hcl.Block) (*Transform, hcl.Diagnostics) {
	t := &Transform{Name: b.Labels[0], DeclRange: b.DefRange}
	diags := validName("transform", t.Name, b.LabelRanges[0])
	content, d := b.Body.Content(transformSchema)
	diags = append(diags, d...)
	if a, ok := content.Attributes["value"]; ok {
		t.Value = a.Expr
	}
	if a, ok := content.Attributes["for_each"]; ok {
		t.ForEach = a.Expr
	}
	if a, ok := content.Attributes["when"]; ok {
		t.When = a.Expr
	}
	if a, ok := content.Attributes["depends_on"]; ok {
		deps, d := dependsOn(a)
		diags = append(diags, d...)
		t.DependsOn = deps
	}
	return t, diags
}

func decodeStep(b *hcl.Block) (*Step, hcl.Diagnostics) {
	s := &Step{Name: b.Labels[0], DeclRange: b.DefRange, OnError: "fail"}
	diags := validName("step", s.Name, b.LabelRanges[0])
	content, remain, d := b.Body.PartialContent(stepSchema)
	diags = append(diags, d...)
	s.Body = remain
	if a, ok := content.Attributes["action"]; ok {
		s.ActionRange = a.Expr.Range()
		trav, d := hcl.AbsTraversalForExpr(a.Expr)
		if d.HasErrors() || len(trav) != 2 {
			diags = append(diags, attrError(a, "Invalid action",
				"An action is named <connector>.<action>, for example http.get, without quotes."))
		} else {
			s.Action = trav
		}
	}
	if a, ok := content.Attributes["connection"]; ok {
		trav, d := connectionTraversal(a)
		diags = append(diags, d...)
		s.Connection = trav
	}
	if a, ok := content.Attributes["for_each"]; ok {
		s.ForEach = a.Expr
	}
	if a, ok := content.Attributes["when"]; ok {
		s.When = a.Expr
	}
	if a, ok := content.Attributes["depends_on"]; ok {
		deps, d := dependsOn(a)
		diags = append(diags, d...)
		s.DependsOn = deps
	}
	if a, ok := content.Attributes["timeout"]; ok {
		dur, d := constDuration(a)
		diags = append(diags, d...)
		s.Timeout = dur
	}
	if a, ok := content.Attributes["on_error"]; ok {
		var v string
		diags = append(diags, constString(a, &v)...)
		if v != "" && v != "fail" && v != "continue" {
			diags = append(diags, attrError(a, "Invalid on_error value", `on_error is "fail" (the default: dependents are skipped) or "continue" (failed instances are left out and dependents run).`))
		} else if v != "" {
			s.OnError = v
		}
	}
	for _, blk := range content.Blocks {
		if s.Retry != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Duplicate retry block",
				Detail: "A step has at most one retry block.", Subject: blk.DefRange.Ptr()})
			continue
		}
		r, d := decodeRetry(blk)
		diags = append(diags, d...)
		s.Retry = r
	}
	return s, diags
}

func decodeRetry(b *hcl.Block) (*Retry, hcl.Diagnostics) {
	r := &Retry{Attempts: 3, Backoff: time.Second, MaxDelay: time.Minute}
	content, diags := b.Body.Content(retrySchema)
	if a, ok := content.Attributes["attempts"]; ok {
		val, d := a.Expr.Value(nil)
		diags = append(diags, d...)
		if !d.HasErrors() {
			n, err := convert.Convert(val, cty.Number)
			if err != nil || n.IsNull() {
				diags = append(diags, attrError(a, "Invalid attempts", "attempts is a whole number of at least 1."))
			} else if i, acc := n.AsBigFloat().Int64(); acc != 0 || i < 1 || i > 100 {
				diags = append(diags, attrError(a, "Invalid attempts", "attempts is a whole number from 1 to 100."))
			} else {
				r.Attempts = int(i)
			}
		}
	}
	if a, ok := content.Attributes["backoff"]; ok {
		d, dd := constDuration(a)
		diags = append(diags, dd...)
		r.Backoff = d
	}
	if a, ok := content.Attributes["max_delay"]; ok {
		d, dd := constDuration(a)
		diags = append(diags, dd...)
		r.MaxDelay = d
	}
	return r, diags
}

func connectionTraversal(a *hcl.Attribute) (hcl.Traversal, hcl.Diagnostics) {
	trav, d := hcl.AbsTraversalForExpr(a.Expr)
	if d.HasErrors() || len(trav) != 3 || trav.RootName() != "connection" {
		return nil, hcl.Diagnostics{attrError(a, "Invalid connection reference",
			"A connection is referred to as connection.<type>.<name>, for example connection.http.api.")}
	}
	return trav, nil
}

func dependsOn(a *hcl.Attribute) ([]hcl.Traversal, hcl.Diagnostics) {
	exprs, diags := hcl.ExprList(a.Expr)
	var out []hcl.Traversal
	for _, e := range exprs {
		trav, d := hcl.AbsTraversalForExpr(e)
		if d.HasErrors() {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid depends_on reference",
				Detail: "depends_on lists steps and transforms, such as step.fetch or transform.order.", Subject: e.Range().Ptr()})
			continue
		}
		out = append(out, trav)
	}
	return out, diags
}

func constString(a *hcl.Attribute, dst *string) hcl.Diagnostics {
	val, diags := a.Expr.Value(nil)
	if diags.HasErrors() {
		return diags
	}
	s, err := convert.Convert(val, cty.String)
	if err != nil || s.IsNull() || !s.IsKnown() {
		return hcl.Diagnostics{attrError(a, "Invalid value", "A string is required here.")}
	}
	*dst = s.AsString()
	return nil
}

func constDuration(a *hcl.Attribute) (time.Duration, hcl.Diagnostics) {
	var s string
	if diags := constString(a, &s); diags.HasErrors() {
		return 0, diags
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, hcl.Diagnostics{attrError(a, "Invalid duration", fmt.Sprintf("%q is not a positive duration such as \"30s\" or \"5m\".", s))}
	}
	return d, nil
}

func attrError(a *hcl.Attribute, summary, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: a.Expr.Range().Ptr()}
}

func sortedAttrs(attrs hcl.Attributes) []*hcl.Attribute {
	out := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && rangeLess(out[j].Range, out[j-1].Range); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func rangeLess(a, b hcl.Range) bool {
	if a.Filename != b.Filename {
		return a.Filename < b.Filename
	}
	return a.Start.Byte < b.Start.Byte
}
