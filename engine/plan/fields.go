package plan

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/lang"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Diff flattens before and after into leaf fields and marks which changed.
// Sensitive leaves keep no value; unknown leaves are flagged.
func Diff(before, after cty.Value) []Field {
	b := map[string]cty.Value{}
	a := map[string]cty.Value{}
	flatten("", before, b)
	flatten("", after, a)
	paths := map[string]bool{}
	for p := range b {
		paths[p] = true
	}
	for p := range a {
		paths[p] = true
	}
	sorted := make([]string, 0, len(paths))
	for p := range paths {
		sorted = append(sorted, p)
	}
	sort.Strings(sorted)
	fields := make([]Field, 0, len(sorted))
	for _, p := range sorted {
		bv, hasB := b[p]
		av, hasA := a[p]
		f := Field{Path: p}
		if hasB && !bv.IsNull() {
			f.Before, f.Sensitive = leafJSON(bv, f.Sensitive)
		}
		if hasA {
			if !av.IsKnown() {
				f.AfterUnknown = true
				f.Sensitive = f.Sensitive || lang.IsSensitive(av)
			} else if !av.IsNull() {
				f.After, f.Sensitive = leafJSON(av, f.Sensitive)
			}
		}
		f.Changed = f.AfterUnknown || !sameLeaf(bv, hasB, av, hasA)
		if f.Sensitive {
			f.Before, f.After = nil, nil
		}
		fields = append(fields, f)
	}
	return fields
}

func sameLeaf(b cty.Value, hasB bool, a cty.Value, hasA bool) bool {
	bNull := !hasB || b.IsNull()
	aNull := !hasA || a.IsNull()
	if bNull || aNull {
		return bNull == aNull
	}
	return connectors.Equivalent(b, a)
}

func leafJSON(v cty.Value, sensitive bool) (json.RawMessage, bool) {
	if lang.IsSensitive(v) {
		return nil, true
	}
	v, _ = v.UnmarkDeep()
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return nil, sensitive
	}
	return b, sensitive
}

func flatten(prefix string, v cty.Value, out map[string]cty.Value) {
	if v == cty.NilVal {
		return
	}
	if !v.IsKnown() || v.IsNull() {
		if prefix != "" {
			out[prefix] = v
		}
		return
	}
	if lang.IsSensitive(v) {
		out[prefix] = v
		return
	}
	t := v.Type()
	switch {
	case t.IsObjectType() || t.IsMapType():
		if v.LengthInt() == 0 && prefix != "" {
			out[prefix] = v
			return
		}
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			name := k.AsString()
			if prefix != "" {
				name = prefix + "." + name
			}
			flatten(name, e, out)
		}
	case t.IsListType() || t.IsTupleType() || t.IsSetType():
		if v.LengthInt() == 0 {
			out[prefix] = v
			return
		}
		i := 0
		for it := v.ElementIterator(); it.Next(); i++ {
			_, e := it.Element()
			flatten(fmt.Sprintf("%s[%d]", prefix, i), e, out)
		}
	default:
		out[prefix] = v
	}
}
