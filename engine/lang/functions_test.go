package lang

import (
	"slices"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// The names are a contract: pipelines and docs use them.
var contractNames = []string{
	"abs", "ceil", "floor", "log", "max", "min", "pow", "signum", "parseint",
	"chomp", "format", "formatlist", "indent", "join", "lower", "upper", "replace",
	"regex", "regexall", "regex_replace", "split", "strrev", "substr", "title",
	"trim", "trimprefix", "trimsuffix", "trimspace",
	"chunklist", "coalesce", "coalescelist", "compact", "concat", "contains",
	"distinct", "element", "flatten", "index", "keys", "length", "lookup", "merge",
	"range", "reverse", "setintersection", "setproduct", "setsubtract", "setunion",
	"slice", "sort", "values", "zipmap",
	"jsonencode", "jsondecode", "csvdecode", "formatdate", "timeadd",
	"tostring", "tonumber", "tobool", "tolist", "toset", "tomap",
	"try", "can", "env", "secret", "parsetime", "formattime", "now", "uuid",
	"weight_oz", "weight_g", "length_in", "length_cm", "round", "decimal", "sum",
	"state_code", "order_key", "parse_order_key",
}

func TestFunctionNames(t *testing.T) {
	fns := Functions(Options{})
	for _, name := range contractNames {
		if _, ok := fns[name]; !ok {
			t.Errorf("missing function %q", name)
		}
	}
	for name := range fns {
		if !slices.Contains(contractNames, name) {
			t.Errorf("function %q is not in the documented list", name)
		}
	}
}

func TestStdlibThroughHCL(t *testing.T) {
	list := func(vs ...cty.Value) cty.Value { return cty.ListVal(vs) }
	tuple := func(vs ...cty.Value) cty.Value { return cty.TupleVal(vs) }
	runCases(t, Options{}, []evalCase{
		{src: `upper("bc:abc")`, want: str("BC:ABC")},
		{src: `lower("SKU-1")`, want: str("sku-1")},
		{src: `jsonencode({id = 7, tags = ["Priority"]})`, want: str(`{"id":7,"tags":["Priority"]}`)},
		{src: `jsondecode("{\"a\":[1,2]}").a[1]`, want: num("2")},
		{src: `try(jsondecode("{").a, "fallback")`, want: str("fallback")},
		{src: `try(tonumber("12.50"), 0)`, want: num("12.5")},
		{src: `can(regex("^bc:", "bc:abc:1"))`, want: cty.True},
		{src: `can(regex("^bc:", "ss:1"))`, want: cty.False},
		{src: `format("bc:%s:%d", "abc", 42)`, want: str("bc:abc:42")},
		{src: `formatlist("%s=%d", ["a", "b"], [1, 2])`, want: list(str("a=1"), str("b=2"))},
		{src: `join(",", split(" ", "a b c"))`, want: str("a,b,c")},
		{src: `regex_replace("(555) 123-4567", "[^0-9]", "")`, want: str("5551234567")},
		{src: `regexall("[0-9]+", "a1b22")`, want: list(str("1"), str("22"))},
		{src: `replace("a-b-c", "-", "_")`, want: str("a_b_c")},
		{src: `strrev("abc")`, want: str("cba")},
		{src: `substr("ShipStation", 0, 4)`, want: str("Ship")},
		{src: `title("hello world")`, want: str("Hello World")},
		{src: `trimspace("  x ")`, want: str("x")},
		{src: `trimprefix("bc:1", "bc:")`, want: str("1")},
		{src: `trimsuffix("a.hcl", ".hcl")`, want: str("a")},
		{src: `trim("--x--", "-")`, want: str("x")},
		{src: `chomp("x\n")`, want: str("x")},
		{src: `indent(2, "a\nb")`, want: str("a\n  b")},
		{src: `abs(-3)`, want: num("3")},
		{src: `ceil(1.2) + floor(1.8)`, want: num("3")},
		{src: `max(1, 5, 3) - min(4, 2)`, want: num("3")},
		{src: `pow(2, 10)`, want: num("1024")},
		{src: `signum(-7)`, want: num("-1")},
		{src: `parseint("ff", 16)`, want: num("255")},
		{src: `log(8, 2)`, want: num("3")},
		{src: `length("héllo")`, want: num("5")},
		{src: `length([1, 2, 3])`, want: num("3")},
		{src: `length({a = 1, b = 2})`, want: num("2")},
		{src: `length(tomap({a = 1}))`, want: num("1")},
		{src: `index(["awaiting_payment", "on_hold"], "on_hold")`, want: num("1")},
		{src: `index(["a"], "z")`, wantErr: "no element is equal to the given value"},
		{src: `index("abc", "a")`, wantErr: "argument must be a list or tuple"},
		{src: `element(["a", "b"], 3)`, want: str("b")},
		{src: `lookup({a = "x"}, "b", "d")`, want: str("d")},
		{src: `keys({b = 1, a = 2})`, want: tuple(str("a"), str("b"))},
		{src: `keys(tomap({b = 1, a = 2}))`, want: list(str("a"), str("b"))},
		{src: `values({b = 1, a = 2})`, want: tuple(num("2"), num("1"))},
		{src: `merge({a = 1}, {b = 2}).b`, want: num("2")},
		{src: `zipmap(["a"], [1]).a`, want: num("1")},
		{src: `range(3)`, want: list(num("0"), num("1"), num("2"))},
		{src: `reverse([1, 2])`, want: tuple(num("2"), num("1"))},
		{src: `sort(["b", "a"])`, want: list(str("a"), str("b"))},
		{src: `distinct(["a", "a", "b"])`, want: list(str("a"), str("b"))},
		{src: `compact(["a", "", "b"])`, want: list(str("a"), str("b"))},
		{src: `concat(["a"], ["b"])`, want: tuple(str("a"), str("b"))},
		{src: `contains([5, 13], 13)`, want: cty.True},
		{src: `flatten([[1], [2, 3]])`, want: tuple(num("1"), num("2"), num("3"))},
		{src: `slice(["a", "b", "c"], 1, 3)`, want: tuple(str("b"), str("c"))},
		{src: `chunklist([1, 2, 3], 2)`, want: list(list(num("1"), num("2")), list(num("3")))},
		{src: `coalesce(null, "x")`, want: str("x")},
		{src: `coalesce("", "x")`, want: str("")}, // go-cty: only nulls are skipped
		{src: `coalescelist([], ["x"])`, want: tuple(str("x"))},
		{src: `length(setproduct(["a", "b"], [1, 2]))`, want: num("4")},
		{src: `setunion(["a"], ["b"])`, want: cty.SetVal([]cty.Value{str("a"), str("b")})},
		{src: `setintersection(["a", "b"], ["b"])`, want: cty.SetVal([]cty.Value{str("b")})},
		{src: `setsubtract(["a", "b"], ["b"])`, want: cty.SetVal([]cty.Value{str("a")})},
		{src: `csvdecode("sku,qty\nA,2\n")[0].qty`, want: str("2")},
		{src: `formatdate("YYYY-MM-DD", "2024-07-01T12:00:00Z")`, want: str("2024-07-01")},
		{src: `timeadd("2024-07-01T12:00:00Z", "72h")`, want: str("2024-07-04T12:00:00Z")},
		{src: `tostring(5)`, want: str("5")},
		{src: `tonumber("5") + 1`, want: num("6")},
		{src: `tobool("true")`, want: cty.True},
		{src: `tolist(["a", "b"])`, want: list(str("a"), str("b"))},
		{src: `toset(["a", "a"])`, want: cty.SetVal([]cty.Value{str("a")})},
		{src: `tomap({a = "x"})`, want: cty.MapVal(map[string]cty.Value{"a": str("x")})},
		{src: `uper("x")`, wantErr: `Did you mean "upper"?`},
	})
}

// Unknown arguments give unknown results of the right type, as they must
// when a plan evaluates an expression over values known only at apply.
func TestUnknownsPassThrough(t *testing.T) {
	for _, c := range []struct {
		src  string
		want cty.Type
	}{
		{`upper(var.unknown_str)`, cty.String},
		{`weight_oz(tonumber(var.unknown_str), "lb")`, cty.Number},
		{`weight_oz(1, var.unknown_str)`, cty.Number},
		{`round(tonumber(var.unknown_str), 2)`, cty.Number},
		{`parsetime(var.unknown_str, "rfc3339", "UTC")`, cty.String},
		{`formattime("2024-07-01T12:00:00Z", "rfc3339", var.unknown_str)`, cty.String},
		{`secret(var.unknown_str)`, cty.String},
		{`length(var.unknown_str)`, cty.Number},
		{`index(["a"], var.unknown_str)`, cty.Number},
		{`jsondecode(var.unknown_str)`, cty.DynamicPseudoType},
	} {
		t.Run(c.src, func(t *testing.T) {
			got, err := eval(t, c.src, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got.IsKnown() || !got.Type().Equals(c.want) {
				t.Fatalf("got %#v, want an unknown %s", got, c.want.FriendlyName())
			}
		})
	}
}
