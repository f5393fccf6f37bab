package shipstation

import (
	"encoding/json"

	"github.com/zclconf/go-cty/cty"
)

// project returns current in the shape of desired, for a plan's field
// diff: attributes desired leaves null are not managed and show as null on
// both sides; list elements are compared by position.
func project(current, desired cty.Value) cty.Value {
	if desired.IsNull() {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	if current.IsNull() || !current.IsKnown() || !desired.IsKnown() {
		return current
	}
	dt, ct := desired.Type(), current.Type()
	switch {
	case dt.IsObjectType() && ct.IsObjectType():
		out := map[string]cty.Value{}
		for name, dv := range desired.AsValueMap() {
			if ct.HasAttribute(name) {
				out[name] = project(current.GetAttr(name), dv)
			} else {
				out[name] = cty.NullVal(cty.DynamicPseudoType)
			}
		}
		if len(out) == 0 {
			return cty.EmptyObjectVal
		}
		return cty.ObjectVal(out)
	case (dt.IsListType() || dt.IsTupleType()) && (ct.IsListType() || ct.IsTupleType()):
		want := desired.AsValueSlice()
		var out []cty.Value
		for i, cv := range current.AsValueSlice() {
			switch {
			case i < len(want):
				out = append(out, project(cv, want[i]))
			case len(want) > 0:
				out = append(out, project(cv, want[0]))
			default:
				out = append(out, cv)
			}
		}
		if len(out) == 0 {
			return cty.EmptyTupleVal
		}
		return cty.TupleVal(out)
	}
	return current
}

// overlay merges desired over current, both JSON objects: desired's
// fields win, nested objects merge, anything else (lists included) is
// replaced. ShipStation's writes replace the whole record, so this is how
// fields a pipeline leaves unset keep what ShipStation has.
func overlay(current, desired any) (json.RawMessage, error) {
	var base, top map[string]any
	for _, p := range []struct {
		v   any
		dst *map[string]any
	}{{current, &base}, {desired, &top}} {
		b, err := json.Marshal(p.v)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, p.dst); err != nil {
			return nil, err
		}
	}
	return json.Marshal(mergeMaps(base, top))
}

func mergeMaps(base, top map[string]any) map[string]any {
	if base == nil {
		base = map[string]any{}
	}
	for k, tv := range top {
		bm, bok := base[k].(map[string]any)
		tm, tok := tv.(map[string]any)
		if bok && tok {
			base[k] = mergeMaps(bm, tm)
			continue
		}
		base[k] = tv
	}
	return base
}
