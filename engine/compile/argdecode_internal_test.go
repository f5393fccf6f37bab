package compile

import (
	"fmt"
	"sort"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/toteworks/tote/connectors/schema"
	"github.com/toteworks/tote/engine/lang"
	"github.com/zclconf/go-cty/cty"
)

// DecodeArgs gives what hcldec.Decode gives, value and diagnostics, for
// bodies right and wrong (missing, extra and mistyped arguments, unknown
// and sensitive values), in contexts of known, unknown and missing values.
func TestDecodeArgsMatchesHcldec(t *testing.T) {
	optional := cty.ObjectWithOptionalAttrs(map[string]cty.Type{"a": cty.String, "b": cty.Number}, []string{"b"})
	args := schema.Object{Attrs: []schema.Attr{
		{Name: "key", Type: cty.String, Required: true},
		{Name: "count", Type: cty.Number},
		{Name: "flag", Type: cty.Bool},
		{Name: "tags", Type: cty.List(cty.String)},
		{Name: "labels", Type: cty.Map(cty.String)},
		{Name: "value", Type: cty.DynamicPseudoType},
		{Name: "opt", Type: optional},
		{Name: "opts", Type: cty.List(optional)},
	}}
	bodies := []string{
		`key = "k"`,
		`key = var.s
count = var.n
flag = var.b
tags = [var.s, "x"]
labels = { a = var.s }
value = { s = var.s, n = var.n }
opt = { a = var.s }
opts = [{ a = "x", b = 1 }, { a = var.s }]`,
		`count = 1`, // key missing
		`key = "k"
extra = 1`, // not an argument
		`key = ["not", "a", "string"]
count = "seven"
flag = "maybe"
tags = "t"
opt = { b = 1 }`, // mistyped, several
		`key = var.unknown
opt = var.unknown_obj
tags = var.unknown_list`,
		`key = var.secret
value = var.secret`,
		`key = "${var.s}-${var.n}"
count = var.n + 1`,
		`key = var.missing.attr`, // an error evaluating
		`key = "k"
opts = [{ a = "x" }, { b = 2 }]`,
	}
	contexts := []*hcl.EvalContext{
		{Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{
			"s": cty.StringVal("s"), "n": cty.NumberIntVal(3), "b": cty.True,
			"unknown": cty.UnknownVal(cty.String), "unknown_obj": cty.DynamicVal, "unknown_list": cty.UnknownVal(cty.List(cty.String)),
			"secret": cty.StringVal("p").Mark(lang.Sensitive), "missing": cty.NullVal(cty.DynamicPseudoType),
		})}},
		{Variables: map[string]cty.Value{"var": cty.DynamicVal}},
		{Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{
			"s": cty.NumberIntVal(1), "n": cty.StringVal("x"), "b": cty.StringVal("true"),
			"unknown": cty.StringVal("known"), "unknown_obj": cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("a")}),
			"unknown_list": cty.ListValEmpty(cty.String), "secret": cty.NullVal(cty.String),
			"missing": cty.ObjectVal(map[string]cty.Value{"attr": cty.StringVal("a")}),
		})}},
		nil,
	}
	spec := args.Spec()
	d := newArgDecoder(spec)
	if d == nil {
		t.Fatal("no decoder for a spec of attributes")
	}
	for i, src := range bodies {
		f, diags := hclsyntax.ParseConfig([]byte(src), fmt.Sprintf("body%d.hcl", i), hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		for j, ctx := range contexts {
			n := &Node{Args: spec, argBody: &contentBody{Body: f.Body}, argDecoder: d}
			got, gotDiags := n.DecodeArgs(ctx)
			want, wantDiags := hcldec.Decode(f.Body, spec, ctx)
			if !got.RawEquals(want) {
				t.Errorf("body %d, context %d: value\n%#v\nhcldec gives\n%#v", i, j, got, want)
			}
			if g, w := diagStrings(gotDiags), diagStrings(wantDiags); fmt.Sprint(g) != fmt.Sprint(w) {
				t.Errorf("body %d, context %d: diagnostics\n%q\nhcldec gives\n%q", i, j, g, w)
			}
		}
	}
}

// diagStrings renders diagnostics, ranges and evaluation context
// included, in a stable order (hcldec reports attributes in a map's).
func diagStrings(diags hcl.Diagnostics) []string {
	out := make([]string, 0, len(diags))
	for _, d := range diags {
		out = append(out, fmt.Sprintf("%d|%s|%s|%v|%v|%v|%t", d.Severity, d.Summary, d.Detail, d.Subject, d.Context,
			d.Expression != nil, d.EvalContext != nil))
	}
	sort.Strings(out)
	return out
}

// A spec other than an object of attributes is left to hcldec.
func TestDecodeArgsLeavesOtherSpecsToHcldec(t *testing.T) {
	if d := newArgDecoder(&hcldec.AttrSpec{Name: "a", Type: cty.String}); d != nil {
		t.Fatal("decoder for a lone attribute spec")
	}
	if d := newArgDecoder(hcldec.ObjectSpec{"b": &hcldec.BlockSpec{TypeName: "b", Nested: hcldec.ObjectSpec{}}}); d != nil {
		t.Fatal("decoder for a spec with a block")
	}
}
