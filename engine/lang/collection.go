package lang

import (
	"errors"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// indexFunc is Terraform's index(list, value): the position of the first
// element equal to value. (go-cty's stdlib IndexFunc is the a[b] operator,
// which HCL already has.)
var indexFunc = function.New(&function.Spec{
	Description: "Returns the index of the first element of a list or tuple equal to the given value.",
	Params: []function.Parameter{
		{Name: "list", Type: cty.DynamicPseudoType},
		{Name: "value", Type: cty.DynamicPseudoType},
	},
	Type: func(args []cty.Value) (cty.Type, error) {
		ty := args[0].Type()
		if !(ty.IsListType() || ty.IsTupleType()) {
			return cty.NilType, function.NewArgErrorf(0, "argument must be a list or tuple")
		}
		return cty.Number, nil
	},
	RefineResult: notNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if !args[0].IsWhollyKnown() {
			return cty.UnknownVal(cty.Number), nil
		}
		for it := args[0].ElementIterator(); it.Next(); {
			i, e := it.Element()
			eq, err := stdlib.Equal(e, args[1])
			if err != nil {
				return cty.NilVal, err
			}
			if !eq.IsKnown() {
				return cty.UnknownVal(cty.Number), nil
			}
			if eq.True() {
				return i, nil
			}
		}
		return cty.NilVal, errors.New("no element is equal to the given value")
	},
})

// lengthFunc is Terraform's length: the number of elements of a collection,
// or of characters of a string.
var lengthFunc = function.New(&function.Spec{
	Description: "Returns the number of elements of a list, set, tuple, map or object, or of characters of a string.",
	Params: []function.Parameter{
		{
			Name:             "value",
			Type:             cty.DynamicPseudoType,
			AllowDynamicType: true,
			AllowUnknown:     true,
			AllowMarked:      true,
		},
	},
	Type: func(args []cty.Value) (cty.Type, error) {
		if args[0].Type() == cty.String {
			return cty.Number, nil
		}
		if args[0].Type().IsObjectType() {
			return cty.Number, nil
		}
		return stdlib.LengthFunc.ReturnTypeForValues(args)
	},
	RefineResult: notNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		switch {
		case v.Type() == cty.String:
			return stdlib.StrlenFunc.Call(args)
		case v.Type().IsObjectType():
			plain, marks := v.Unmark()
			return cty.NumberIntVal(int64(len(plain.Type().AttributeTypes()))).WithMarks(marks), nil
		}
		return stdlib.LengthFunc.Call(args)
	},
})
