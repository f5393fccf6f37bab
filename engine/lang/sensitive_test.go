package lang

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// Every function of ours, and a sample of the standard ones, passes the
// Sensitive mark from its arguments to its result.
func TestMarksPassThrough(t *testing.T) {
	for _, c := range []struct {
		src  string
		want cty.Value // the result without marks
	}{
		{`weight_oz(secret("SECRET_NUM"), "lb")`, num("40")},
		{`weight_g(1, secret("SECRET_UNIT"))`, num("453.59237")},
		{`length_in(secret("SECRET_NUM"), "cm")`, num("0.98425196850394")},
		{`length_cm(secret("SECRET_NUM"), "in")`, num("6.35")},
		{`round(secret("SECRET_NUM"), 0)`, num("3")},
		{`decimal(secret("SECRET_NUM"), 2)`, str("2.50")},
		{`parsetime(secret("SECRET_TIME"), "rfc3339", "UTC")`, str("2024-07-01T12:00:00Z")},
		{`formattime(secret("SECRET_TIME"), "2006-01-02T15:04:05.0000000", "America/Los_Angeles")`, str("2024-07-01T05:00:00.0000000")},
		{`env(secret("SECRET_UNIT"), "d")`, str("d")},
		{`index(var.secret_list, "b")`, num("1")},
		{`length(secret("API_TOKEN"))`, num("17")},
		{`upper(secret("SECRET_UNIT"))`, str("LB")},
		{`"Bearer ${secret("SECRET_UNIT")}"`, str("Bearer lb")},
		{`jsonencode({user = "u", pass = secret("SECRET_UNIT")})`, str(`{"pass":"lb","user":"u"}`)},
		{`try(tonumber(secret("SECRET_NUM")), 0)`, num("2.5")},
		{`join(",", var.secret_list)`, str("a,b")},
	} {
		t.Run(c.src, func(t *testing.T) {
			got, err := eval(t, c.src, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !IsSensitive(got) {
				t.Fatalf("result %#v is not sensitive", got)
			}
			plain, _ := got.UnmarkDeep()
			if !plain.RawEquals(c.want) {
				t.Fatalf("got %#v, want %#v", plain, c.want)
			}
		})
	}
}

func TestIsSensitive(t *testing.T) {
	secret := str("s").Mark(Sensitive)
	for _, c := range []struct {
		name string
		v    cty.Value
		want bool
	}{
		{"plain", str("s"), false},
		{"marked", secret, true},
		{"other mark only", str("s").Mark("other"), false},
		{"unknown marked", cty.UnknownVal(cty.String).Mark(Sensitive), true},
		{"null marked", cty.NullVal(cty.Number).Mark(Sensitive), true},
		{"object attribute", cty.ObjectVal(map[string]cty.Value{"a": str("x"), "b": secret}), true},
		{"deep in a list", cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"t": cty.TupleVal([]cty.Value{secret})})}), true},
		{"map without", cty.MapVal(map[string]cty.Value{"a": str("x")}), false},
	} {
		if got := IsSensitive(c.v); got != c.want {
			t.Errorf("%s: IsSensitive = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestRedact(t *testing.T) {
	red := str(RedactedString)
	s := func(v cty.Value) cty.Value { return v.Mark(Sensitive) }
	obj := func(m map[string]cty.Value) cty.Value { return cty.ObjectVal(m) }
	for _, c := range []struct {
		name string
		in   cty.Value
		want cty.Value
	}{
		{"plain", str("x"), str("x")},
		{"string", s(str("x")), red},
		{"number at the top", s(num("4")), red},
		{"null", s(cty.NullVal(cty.String)), red},
		{"unknown", s(cty.UnknownVal(cty.Number)), red},
		{"unknown plain stays unknown", cty.UnknownVal(cty.Number), cty.UnknownVal(cty.Number)},
		{"other marks dropped", str("x").Mark("other"), str("x")},
		{
			"object attributes take the string",
			obj(map[string]cty.Value{"a": str("x"), "b": s(str("y")), "c": s(num("1")), "d": s(cty.True)}),
			obj(map[string]cty.Value{"a": str("x"), "b": red, "c": red, "d": red}),
		},
		{
			"tuple elements take the string",
			cty.TupleVal([]cty.Value{num("1"), s(cty.False)}),
			cty.TupleVal([]cty.Value{num("1"), red}),
		},
		{
			"list of strings",
			cty.ListVal([]cty.Value{str("a"), s(str("b"))}),
			cty.ListVal([]cty.Value{str("a"), red}),
		},
		{
			"list of numbers keeps its type",
			cty.ListVal([]cty.Value{num("1"), s(num("2"))}),
			cty.ListVal([]cty.Value{num("1"), cty.NullVal(cty.Number)}),
		},
		{
			"objects in a map keep their type",
			cty.MapVal(map[string]cty.Value{
				"x": obj(map[string]cty.Value{"n": num("1"), "k": str("a")}),
				"y": obj(map[string]cty.Value{"n": s(num("2")), "k": s(str("b"))}),
			}),
			cty.MapVal(map[string]cty.Value{
				"x": obj(map[string]cty.Value{"n": num("1"), "k": str("a")}),
				"y": obj(map[string]cty.Value{"n": cty.NullVal(cty.Number), "k": red}),
			}),
		},
		{
			"a set is sensitive as a whole",
			cty.SetVal([]cty.Value{str("a"), s(str("b"))}),
			red,
		},
		{
			"deep",
			obj(map[string]cty.Value{"conn": obj(map[string]cty.Value{
				"hosts": cty.ListVal([]cty.Value{obj(map[string]cty.Value{"token": s(str("t")), "port": num("25")})}),
				"key":   s(str("k")),
			})}),
			obj(map[string]cty.Value{"conn": obj(map[string]cty.Value{
				"hosts": cty.ListVal([]cty.Value{obj(map[string]cty.Value{"token": red, "port": num("25")})}),
				"key":   red,
			})}),
		},
		{"whole object", s(obj(map[string]cty.Value{"a": str("x")})), red},
		{
			"whole list inside a list",
			cty.ListVal([]cty.Value{cty.ListVal([]cty.Value{num("1")}), s(cty.ListVal([]cty.Value{num("2")}))}),
			cty.ListVal([]cty.Value{cty.ListVal([]cty.Value{num("1")}), cty.NullVal(cty.List(cty.Number))}),
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Redact(c.in)
			if got.ContainsMarked() {
				t.Fatalf("Redact left marks: %#v", got)
			}
			if !got.RawEquals(c.want) {
				t.Fatalf("got %#v, want %#v", got, c.want)
			}
		})
	}
}
