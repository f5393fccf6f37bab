package lang

import (
	"errors"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// errSensitiveHidden replaces the message of a failed call that had a
// sensitive argument: many functions quote their input when they fail
// (tonumber, jsondecode, regex...), and that input may be a secret.
var errSensitiveHidden = errors.New("the call failed; the reason is hidden because an argument is sensitive")

// hideSensitiveErrors wraps f so that, when any argument is sensitive, an
// error from f never carries f's own message. The argument index of an
// ArgError is kept, so diagnostics still point at the right argument.
//
// The wrapper accepts every argument as is (marked, unknown, null, dynamic)
// and leaves all checking, unknown handling and mark propagation to f.
func hideSensitiveErrors(f function.Function) function.Function {
	open := func(p function.Parameter) function.Parameter {
		p.AllowMarked = true
		p.AllowUnknown = true
		p.AllowNull = true
		p.AllowDynamicType = true
		return p
	}
	spec := &function.Spec{
		Description: f.Description(),
		// f.Call works the type out and checks the arguments itself: asked
		// here too, f walked every argument twice a call, looking for
		// marks (a fifth of the CPU of runs mapping whole orders).
		Type: function.StaticReturnType(cty.DynamicPseudoType),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			v, err := f.Call(args)
			return v, hide(args, err)
		},
	}
	for _, p := range f.Params() {
		spec.Params = append(spec.Params, open(p))
	}
	if vp := f.VarParam(); vp != nil {
		p := open(*vp)
		spec.VarParam = &p
	}
	return function.New(spec)
}

func hide(args []cty.Value, err error) error {
	if err == nil {
		return nil
	}
	for _, a := range args {
		if IsSensitive(a) {
			var argErr function.ArgError
			if errors.As(err, &argErr) {
				return function.NewArgError(argErr.Index, errSensitiveHidden)
			}
			return errSensitiveHidden
		}
	}
	return err
}
