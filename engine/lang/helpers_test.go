package lang

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// testEnv is the environment the tests' Getenv sees.
var testEnv = map[string]string{
	"STORE_HASH":     "abc123",
	"EMPTY":          "",
	"API_TOKEN":      "tok-SECRET-9f8e7d",
	"NOT_A_NUMBER":   "pa55w0rd-x",
	"SECRET_JSON":    `{"user":"u","pass":"hunter2"`,
	"SECRET_PATTERN": "hunter2(",
	"SECRET_NUM":     "2.5",
	"SECRET_UNIT":    "lb",
	"SECRET_TIME":    "2024-07-01T12:00:00Z",
}

func testGetenv(name string) (string, bool) {
	v, ok := testEnv[name]
	return v, ok
}

// eval parses src as an HCL expression and evaluates it with Functions(o)
// and a few variables: var.secret_list holds sensitive elements.
func eval(t *testing.T, src string, o Options) (cty.Value, error) {
	t.Helper()
	if o.Getenv == nil {
		o.Getenv = testGetenv
	}
	expr, diags := hclsyntax.ParseExpression([]byte(src), "test.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("parse %s: %s", src, diags.Error())
	}
	ctx := &hcl.EvalContext{
		Functions: Functions(o),
		Variables: map[string]cty.Value{
			"var": cty.ObjectVal(map[string]cty.Value{
				"secret_list": cty.ListVal([]cty.Value{
					cty.StringVal("a"),
					cty.StringVal("b").Mark(Sensitive),
				}),
				"unknown_str": cty.UnknownVal(cty.String),
			}),
		},
	}
	v, diags := expr.Value(ctx)
	if diags.HasErrors() {
		return v, diags
	}
	return v, nil
}

// evalCase is one expression and what it must give: a value, or an error
// containing wantErr.
type evalCase struct {
	src     string
	want    cty.Value
	wantErr string
}

func runCases(t *testing.T, o Options, cases []evalCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			got, err := eval(t, c.src, o)
			if c.wantErr != "" {
				if err == nil {
					t.Fatalf("got %#v, want an error containing %q", got, c.wantErr)
				}
				if !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %q does not contain %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %s", err)
			}
			if !got.RawEquals(c.want) {
				t.Fatalf("got %#v, want %#v", got, c.want)
			}
		})
	}
}

func num(s string) cty.Value { return cty.MustParseNumberVal(s) }

func str(s string) cty.Value { return cty.StringVal(s) }
