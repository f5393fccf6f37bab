package lang

import (
	"github.com/zclconf/go-cty/cty"
)

// Mark is the type of the value marks this package applies.
type Mark string

// Sensitive marks a value that must never be printed, logged or stored: the
// result of secret() and anything computed from it.
const Sensitive Mark = "sensitive"

// RedactedString is what Redact puts in place of a sensitive value.
const RedactedString = "(sensitive value)"

// IsSensitive reports whether v, or any value nested inside it, carries the
// Sensitive mark.
func IsSensitive(v cty.Value) bool {
	return v.HasMarkDeep(Sensitive)
}

// Redact returns a copy of v without marks in which every sensitive part is
// replaced by RedactedString. Where the replacement would change the type of
// a list, set or map element (a sensitive number in a list of numbers, say),
// the part becomes a null of its own type instead, so the result always has
// a valid type.
func Redact(v cty.Value) cty.Value {
	return redact(v, true)
}

// redact does the work of Redact. free reports whether v may change type:
// true at the top and under object attributes and tuple elements, false
// anywhere under a list, set or map, whose elements must share one type.
func redact(v cty.Value, free bool) cty.Value {
	ty := v.Type()
	if v.HasMark(Sensitive) {
		if free || ty == cty.String {
			return cty.StringVal(RedactedString)
		}
		return cty.NullVal(ty)
	}
	v, _ = v.Unmark()
	if !v.IsKnown() || v.IsNull() || !v.ContainsMarked() {
		return v
	}
	switch {
	case ty.IsObjectType():
		attrs := make(map[string]cty.Value, len(ty.AttributeTypes()))
		for k, e := range v.AsValueMap() {
			attrs[k] = redact(e, free)
		}
		return cty.ObjectVal(attrs)
	case ty.IsTupleType():
		return cty.TupleVal(redactElems(v, free))
	case ty.IsListType():
		return cty.ListVal(redactElems(v, false))
	case ty.IsSetType():
		return cty.SetVal(redactElems(v, false))
	case ty.IsMapType():
		m := make(map[string]cty.Value, v.LengthInt())
		for k, e := range v.AsValueMap() {
			m[k] = redact(e, false)
		}
		return cty.MapVal(m)
	}
	return v
}

func redactElems(v cty.Value, free bool) []cty.Value {
	out := make([]cty.Value, 0, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		out = append(out, redact(e, free))
	}
	return out
}
