package lang

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

func TestSumIsExact(t *testing.T) {
	for src, want := range map[string]string{
		`sum([0.1, 0.2])`:            "0.3",
		`sum([])`:                    "0",
		`sum([19.99, 5.01, -1])`:     "24",
		`sum(toset([1, 2, 3]))`:      "6",
		`sum(["12.5000", "0.2500"])`: "12.75",
	} {
		expr, diags := hclsyntax.ParseExpression([]byte(src), "t", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		v, diags := expr.Value(&hcl.EvalContext{Functions: Functions(Options{})})
		if diags.HasErrors() {
			t.Fatalf("%s: %v", src, diags)
		}
		if got := v.AsBigFloat().Text('f', -1); got != want || !v.Type().Equals(cty.Number) {
			t.Errorf("%s = %s, want %s", src, got, want)
		}
	}
	expr, _ := hclsyntax.ParseExpression([]byte(`sum(["x"])`), "t", hcl.InitialPos)
	if _, diags := expr.Value(&hcl.EvalContext{Functions: Functions(Options{})}); !diags.HasErrors() {
		t.Fatal("sum of a string was accepted")
	}
}
