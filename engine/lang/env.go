package lang

import (
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// envFunc builds env(name, default?) and, when sensitive is true,
// secret(name, default?), whose result carries the Sensitive mark. Errors
// name the variable and never include its value or the default.
func envFunc(getenv func(string) (string, bool), sensitive bool) function.Function {
	what := "the value of an environment variable"
	if sensitive {
		what = "the value of an environment variable, marked sensitive"
	}
	return function.New(&function.Spec{
		Description: "Returns " + what + ", or the default when it is unset.",
		Params: []function.Parameter{
			{Name: "name", Type: cty.String},
		},
		VarParam: &function.Parameter{Name: "default", Type: cty.String},
		Type:     function.StaticReturnType(cty.String),
		RefineResult: func(b *cty.RefinementBuilder) *cty.RefinementBuilder {
			return b.NotNull()
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if len(args) > 2 {
				return cty.NilVal, function.NewArgErrorf(2, "at most one default may be given")
			}
			name := args[0].AsString()
			if name == "" {
				return cty.NilVal, function.NewArgErrorf(0, "the variable name must not be empty")
			}
			val, ok := getenv(name)
			switch {
			case ok:
			case len(args) == 2:
				val = args[1].AsString()
			default:
				return cty.NilVal, function.NewArgErrorf(0, "environment variable %q is not set and no default was given", name)
			}
			v := cty.StringVal(val)
			if sensitive {
				v = v.Mark(Sensitive)
			}
			return v, nil
		},
	})
}
