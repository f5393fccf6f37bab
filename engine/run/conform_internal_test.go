package run

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// conform gives what cty's conversion gives, whether or not it skips it.
func TestConformMatchesConversion(t *testing.T) {
	out := cty.Object(map[string]cty.Type{"key": cty.String, "value": cty.DynamicPseudoType, "version": cty.Number})
	nested := cty.Object(map[string]cty.Type{"id": cty.Number, "inner": out, "tags": cty.List(cty.String)})
	record := cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal("k"), "value": cty.ObjectVal(map[string]cty.Value{"a": cty.True}),
		"version": cty.NumberIntVal(3)})
	cases := []struct {
		v      cty.Value
		t      cty.Type
		asIs   bool
		reason string
	}{
		{record, out, true, "a dynamic attribute takes any value"},
		{cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal("k"), "value": cty.NullVal(cty.DynamicPseudoType), "version": cty.Zero}), out, true, "a null dynamic value"},
		{cty.ObjectVal(map[string]cty.Value{"id": cty.NumberIntVal(1), "inner": record, "tags": cty.ListVal([]cty.Value{cty.StringVal("x")})}), nested, true, "nested"},
		{cty.ObjectVal(map[string]cty.Value{"id": cty.NumberIntVal(1), "inner": cty.NullVal(record.Type()), "tags": cty.ListValEmpty(cty.String)}), nested, false, "a null object of another type becomes a null of the declared type"},
		{cty.NullVal(record.Type()), out, false, "a null of another type"},
		{cty.ObjectVal(map[string]cty.Value{"key": cty.NumberIntVal(5), "value": cty.True, "version": cty.Zero}), out, false, "a number for a string"},
		{cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal("k"), "value": cty.True, "version": cty.Zero, "extra": cty.True}), out, false, "an extra attribute is dropped"},
		{cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal("k"), "value": cty.True, "version": cty.Zero}), cty.ObjectWithOptionalAttrs(map[string]cty.Type{"key": cty.String, "value": cty.DynamicPseudoType, "version": cty.Number}, []string{"value"}), false, "optional attributes"},
		{cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal("k").Mark("m"), "value": cty.True, "version": cty.Zero}), out, false, "marks"},
		{cty.ObjectVal(map[string]cty.Value{"key": cty.UnknownVal(cty.String), "value": cty.True, "version": cty.Zero}), out, false, "unknowns"},
		{cty.TupleVal([]cty.Value{cty.StringVal("a")}), cty.List(cty.String), false, "a tuple becomes a list"},
		{cty.ListVal([]cty.Value{cty.StringVal("a")}), cty.List(cty.DynamicPseudoType), false, "a list of dynamic elements"},
		{cty.StringVal("s"), cty.String, true, "the very type"},
	}
	for _, c := range cases {
		if got := conformsAsIs(c.v, c.t); got != c.asIs {
			t.Errorf("%s: conformsAsIs = %v, want %v", c.reason, got, c.asIs)
		}
		want, werr := convert.Convert(c.v, c.t)
		got, gerr := conform(c.v, c.t, "a")
		if (werr == nil) != (gerr == nil) {
			t.Errorf("%s: error %v, conversion's %v", c.reason, gerr, werr)
			continue
		}
		if werr == nil && !got.RawEquals(want) {
			t.Errorf("%s: %#v, conversion gives %#v", c.reason, got, want)
		}
	}
}
