package schema_test

import (
	"strings"
	"testing"

	"github.com/toteworks/tote/connectors/schema"
	"github.com/zclconf/go-cty/cty"
)

func TestValidateEnums(t *testing.T) {
	for _, tc := range []struct {
		attr schema.Attr
		err  string
	}{
		{schema.Attr{Name: "mode", Type: cty.String, Enum: []string{"a", "b"}, Default: `"a"`, Example: `"b"`}, ""},
		{schema.Attr{Name: "modes", Type: cty.List(cty.String), Enum: []string{"a", "b"}, Example: `["a"]`}, ""},
		{schema.Attr{Name: "n", Type: cty.Number, Enum: []string{"1"}}, "an enum needs a string"},
		{schema.Attr{Name: "mode", Type: cty.String, Enum: []string{"a", "b"}, Default: `"c"`}, `"c" is not one of its values`},
		{schema.Attr{Name: "mode", Type: cty.String, Enum: []string{"a", "b"}, Example: `"A"`}, `"A" is not one of its values`},
	} {
		err := schema.Object{Attrs: []schema.Attr{tc.attr}}.Validate()
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%+v: %v", tc.attr, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%+v: got %v, want %q", tc.attr, err, tc.err)
		}
	}
	a := schema.Attr{Enum: []string{"a", "b"}}
	if !a.Allows("b") || a.Allows("B") || !(schema.Attr{}).Allows("anything") {
		t.Error("Allows")
	}
}
