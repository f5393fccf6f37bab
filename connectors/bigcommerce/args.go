package bigcommerce

import (
	"fmt"
	"math/big"

	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

// args reads an action's or trigger's arguments. The first problem is kept
// in err, so a caller reads every argument and checks once.
type args struct {
	v   cty.Value
	err error
}

func argsOf(v cty.Value) *args { return &args{v: v} }

// get returns the named attribute, or null when the object lacks it.
func (a *args) get(name string) cty.Value {
	if a.v.IsNull() || !a.v.Type().IsObjectType() || !a.v.Type().HasAttribute(name) {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	return a.v.GetAttr(name)
}

func (a *args) fail(format string, x ...any) {
	if a.err == nil {
		a.err = connectors.Permanent(fmt.Errorf("bigcommerce: "+format, x...))
	}
}

// has reports whether an optional argument was given.
func (a *args) has(name string) bool { return !a.get(name).IsNull() }

func (a *args) str(name string) string {
	v := a.get(name)
	if v.IsNull() {
		return ""
	}
	if !v.IsKnown() || v.Type() != cty.String {
		a.fail("argument %s must be a known string", name)
		return ""
	}
	return v.AsString()
}

// strOf reads a string element of a nested argument.
func (a *args) strOf(what string, v cty.Value) string {
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		a.fail("%s must be a known string", what)
		return ""
	}
	return v.AsString()
}

func (a *args) int(name string) int64 { return a.intOf(name, a.get(name)) }

func (a *args) intOf(what string, v cty.Value) int64 {
	if v.IsNull() {
		return 0
	}
	if !v.IsKnown() || v.Type() != cty.Number {
		a.fail("%s must be a known number", what)
		return 0
	}
	n, acc := v.AsBigFloat().Int64()
	if acc != big.Exact {
		a.fail("%s must be a whole number, not %s", what, v.AsBigFloat().Text('f', -1))
	}
	return n
}

// elems returns the elements of a list, set or tuple argument.
func (a *args) elems(name string) []cty.Value {
	v := a.get(name)
	if v.IsNull() {
		return nil
	}
	if !v.IsWhollyKnown() || !v.CanIterateElements() {
		a.fail("argument %s must be a known list", name)
		return nil
	}
	var out []cty.Value
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		out = append(out, e)
	}
	return out
}

func (a *args) ints(name string) []int64 {
	var out []int64
	for i, e := range a.elems(name) {
		out = append(out, a.intOf(elemName(name, i), e))
	}
	return out
}

// strs reads a list of strings; a webhook trigger's scopes are read so at
// every delivery, so an element's name is made only for an error.
func (a *args) strs(name string) []string {
	var out []string
	for i, e := range a.elems(name) {
		if e.IsKnown() && !e.IsNull() && e.Type() == cty.String {
			out = append(out, e.AsString())
			continue
		}
		out = append(out, a.strOf(elemName(name, i), e))
	}
	return out
}

// elemName names element i of the list argument name, as errors do.
func elemName(name string, i int) string { return fmt.Sprintf("%s[%d]", name, i) }
