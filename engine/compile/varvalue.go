package compile

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// badVarValue reports a value given with -var or TOTE_VAR_<name> that does
// not fit its variable's type, naming where it came from and how to write
// one that fits. A sensitive variable's value is not repeated.
func badVarValue(name, source, raw string, t cty.Type, sensitive bool, err error, decl hcl.Range) *hcl.Diagnostic {
	shown := fmt.Sprintf("%q", raw)
	if sensitive {
		shown = "the value"
	}
	why := ""
	if _, isDiags := err.(hcl.Diagnostics); !isDiags && err != nil {
		why = " (" + err.Error() + ")"
	}
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value for " + source,
		Detail: fmt.Sprintf("Variable %q is a %s, and %s given with %s is not one%s. Write it as in HCL, e.g. %s=%s.",
			name, t.FriendlyName(), shown, source, why, source, example(t)),
		Subject: decl.Ptr()}
}

// example is a value of type t as one would type it on a command line.
func example(t cty.Type) string {
	switch {
	case t == cty.Bool:
		return "true"
	case t == cty.Number:
		return "5"
	case t.IsListType() || t.IsSetType() || t.IsTupleType():
		return `'["a", "b"]'`
	case t.IsMapType() || t.IsObjectType():
		return `'{ key = "value" }'`
	}
	return "value"
}
