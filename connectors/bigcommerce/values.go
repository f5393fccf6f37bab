package bigcommerce

import (
	"github.com/zclconf/go-cty/cty"
)

// Helpers that build output values. Money from v2 is a string with the
// vendor's four decimals; v3 amounts are cty numbers parsed from the
// decimal text, never through float64.

func str(s string) cty.Value { return cty.StringVal(s) }

func num(n int64) cty.Value { return cty.NumberIntVal(n) }

// money renders a v2 amount as a string with the vendor's four decimals,
// or more when the value has more (nothing is rounded away).
func money(a amount) cty.Value {
	if a.Exponent() < -4 {
		return cty.StringVal(a.String())
	}
	return cty.StringVal(a.StringFixed(4))
}

// dec renders a v3 amount as an exact number.
func dec(a amount) cty.Value { return cty.MustParseNumberVal(a.String()) }

// optDec renders a nullable v3 amount.
func optDec(o optAmount) cty.Value {
	if !o.Valid {
		return cty.NullVal(cty.Number)
	}
	return dec(o.amount)
}

func optNum(p *int64) cty.Value {
	if p == nil {
		return cty.NullVal(cty.Number)
	}
	return num(*p)
}

// listOf builds a list of t, empty when vals is.
func listOf(t cty.Type, vals []cty.Value) cty.Value {
	if len(vals) == 0 {
		return cty.ListValEmpty(t)
	}
	return cty.ListVal(vals)
}

func nums(ns []int64) cty.Value {
	vals := make([]cty.Value, len(ns))
	for i, n := range ns {
		vals[i] = num(n)
	}
	return listOf(cty.Number, vals)
}

func strList(ss []string) cty.Value {
	vals := make([]cty.Value, len(ss))
	for i, s := range ss {
		vals[i] = str(s)
	}
	return listOf(cty.String, vals)
}

// obj is shorthand for an object type.
func obj(attrs map[string]cty.Type) cty.Type { return cty.Object(attrs) }

// withAttrs returns attrs plus extra (a copy).
func withAttrs(attrs map[string]cty.Type, extra map[string]cty.Type) map[string]cty.Type {
	out := make(map[string]cty.Type, len(attrs)+len(extra))
	for k, v := range attrs {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}
