package lang

import (
	"math/big"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
)

// sumFunc adds up a list, set or tuple of numbers exactly (big.Float, no
// float64 on the way), so money and stock totals stay exact.
var sumFunc = function.New(&function.Spec{
	Description: "Adds up a list of numbers exactly.",
	Params:      []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}},
	Type:        function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		l := args[0]
		if !l.CanIterateElements() {
			return cty.NilVal, function.NewArgErrorf(0, "sum needs a list of numbers")
		}
		total := new(big.Float).SetPrec(512)
		for it := l.ElementIterator(); it.Next(); {
			_, v := it.Element()
			n, err := convert.Convert(v, cty.Number)
			if err != nil || n.IsNull() {
				return cty.NilVal, function.NewArgErrorf(0, "sum needs a list of numbers")
			}
			total.Add(total, n.AsBigFloat())
		}
		return cty.NumberVal(total), nil
	},
})
