package compile

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/toteworks/tote/connectors/schema"
	"github.com/toteworks/tote/engine/lang"
	"github.com/zclconf/go-cty/cty"
)

// decodeBody decodes body with a connector schema: missing, extra and
// mistyped arguments are diagnostics.
func decodeBody(body hcl.Body, obj schema.Object, ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	val, diags := hcldec.Decode(body, obj.Spec(), ctx)
	if diags.HasErrors() {
		return cty.UnknownVal(obj.ImpliedType()), diags
	}
	return val, append(diags, checkEnums(body, obj, val)...)
}

// checkEnums reports known values of enum attributes that the schema does
// not allow, at the attribute's expression, with the value meant.
func checkEnums(body hcl.Body, obj schema.Object, val cty.Value) hcl.Diagnostics {
	if val.IsNull() || !val.IsKnown() || !val.Type().IsObjectType() {
		return nil
	}
	var diags hcl.Diagnostics
	for _, a := range obj.Attrs {
		if len(a.Enum) == 0 || !val.Type().HasAttribute(a.Name) {
			continue
		}
		v, _ := val.GetAttr(a.Name).UnmarkDeep()
		var given []string
		switch {
		case v.IsNull() || !v.IsKnown():
		case v.Type() == cty.String:
			given = append(given, v.AsString())
		case v.Type().IsListType() && v.IsWhollyKnown():
			for _, e := range v.AsValueSlice() {
				if !e.IsNull() && e.Type() == cty.String {
					given = append(given, e.AsString())
				}
			}
		}
		for i, g := range given {
			if a.Allows(g) {
				continue
			}
			var subject *hcl.Range
			if content, _, _ := body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: a.Name}}}); content != nil {
				if attr := content.Attributes[a.Name]; attr != nil {
					subject = attr.Expr.Range().Ptr()
					// A list written out points at the element.
					if tuple, ok := attr.Expr.(*hclsyntax.TupleConsExpr); ok && len(tuple.Exprs) == len(given) {
						subject = tuple.Exprs[i].Range().Ptr()
					}
				}
			}
			quoted := make([]string, len(a.Enum))
			for i, e := range a.Enum {
				quoted[i] = strconv.Quote(e)
			}
			hint := suggest(g, a.Enum, "")
			if hint == "" {
				hint = " It is one of " + strings.Join(quoted, ", ") + "."
			}
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value for " + a.Name,
				Detail: fmt.Sprintf("%q is not a value %s takes.%s", g, a.Name, hint), Subject: subject})
		}
	}
	return diags
}

// markSensitiveAttrs marks the attributes a schema declares sensitive.
func markSensitiveAttrs(val cty.Value, obj schema.Object) cty.Value {
	if val.IsNull() || !val.IsKnown() || !val.Type().IsObjectType() {
		return val
	}
	attrs := val.AsValueMap()
	for name, v := range attrs {
		if a, ok := obj.Attr(name); ok && a.Sensitive && !v.IsNull() {
			attrs[name] = v.Mark(lang.Sensitive)
		}
	}
	if len(attrs) == 0 {
		return val
	}
	return cty.ObjectVal(attrs)
}

// suggest returns " Did you mean "x"?" for the closest candidate, or a list
// of the candidates after prefix when none is close.
func suggest(given string, candidates []string, prefix string) string {
	// Short names need a close match: one edit in four characters or so.
	best, bestDist := "", max(2, len(given)/3+1)
	for _, c := range candidates {
		if d := distance(given, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best != "" {
		return fmt.Sprintf(" Did you mean %q?", best)
	}
	if len(candidates) == 0 || prefix == "" {
		return ""
	}
	sorted := append([]string(nil), candidates...)
	sort.Strings(sorted)
	return " " + prefix + strings.Join(sorted, ", ") + "."
}

// distance is the Levenshtein edit distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
