package run

import (
	"testing"

	"github.com/toteworks/tote/engine/lang"
	"github.com/zclconf/go-cty/cty"
)

// containsMarked and whollyKnown answer as cty's ContainsMarked and
// IsWhollyKnown do, for values marked, unknown and null at every depth.
func TestDeepChecksMatchCty(t *testing.T) {
	secret := cty.StringVal("s").Mark(lang.Sensitive)
	leaves := []cty.Value{
		cty.StringVal("a"), secret, cty.NullVal(cty.String), cty.NullVal(cty.String).Mark(lang.Sensitive),
		cty.UnknownVal(cty.String), cty.UnknownVal(cty.String).Mark(lang.Sensitive), cty.DynamicVal,
		cty.UnknownVal(cty.String).RefineNotNull(), cty.NumberIntVal(1),
	}
	var vals []cty.Value
	for _, l := range leaves {
		vals = append(vals, l,
			cty.ObjectVal(map[string]cty.Value{"a": cty.True, "b": l}),
			cty.ObjectVal(map[string]cty.Value{"outer": cty.ObjectVal(map[string]cty.Value{"x": l, "y": cty.StringVal("y")})}),
			cty.TupleVal([]cty.Value{cty.StringVal("t"), l}),
			cty.ObjectVal(map[string]cty.Value{"m": cty.MapVal(map[string]cty.Value{"k": l})}).Mark(lang.Sensitive),
		)
		if l.Type() == cty.String {
			vals = append(vals,
				cty.ListVal([]cty.Value{cty.StringVal("x"), l}),
				cty.MapVal(map[string]cty.Value{"k": l, "j": cty.StringVal("j")}),
				cty.ObjectVal(map[string]cty.Value{"list": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"z": l})})}),
			)
			if l.IsKnown() {
				vals = append(vals, cty.SetVal([]cty.Value{cty.StringVal("x"), l}))
			}
		}
	}
	vals = append(vals, cty.EmptyObjectVal, cty.NullVal(cty.EmptyObject), cty.ListValEmpty(cty.String),
		cty.UnknownVal(cty.List(cty.String)).Mark(lang.Sensitive), cty.ObjectVal(map[string]cty.Value{"u": cty.UnknownVal(cty.EmptyObject)}))
	for _, v := range vals {
		if got, want := containsMarked(v), v.ContainsMarked(); got != want {
			t.Errorf("containsMarked(%#v) = %t, cty says %t", v, got, want)
		}
		if got, want := whollyKnown(v), v.IsWhollyKnown(); got != want {
			t.Errorf("whollyKnown(%#v) = %t, cty says %t", v, got, want)
		}
	}
}
