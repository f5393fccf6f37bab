package lang

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// unitPlaces is the precision of unit conversions. They are computed with
// exact rational arithmetic from exact definitions (1 lb = 453.59237 g,
// 1 lb = 16 oz, 1 in = 25.4 mm), and a result with more decimals than this
// (1 kg = 35.273961949580412915... oz) is rounded half away from zero to
// unitPlaces decimals (35.27396194958041).
const unitPlaces = 14

// unitSystem is one kind of measure: the size of each unit in a common base
// unit, keyed by every spelling accepted (compared in lower case).
type unitSystem struct {
	kind    string
	names   string // the canonical names, for error messages
	factors map[string]*big.Rat
}

func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("lang: bad unit factor " + s)
	}
	return r
}

// aliases maps each spelling in names to the factor.
func aliases(m map[string]*big.Rat, factor string, names ...string) {
	r := rat(factor)
	for _, n := range names {
		m[n] = r
	}
}

// weights are in grams. BigCommerce says "Ounces", "LBS", "KGS", "Grams";
// ShipStation says "ounces", "pounds", "grams".
var weights = func() unitSystem {
	m := map[string]*big.Rat{}
	aliases(m, "1", "g", "gram", "grams")
	aliases(m, "1000", "kg", "kgs", "kilogram", "kilograms")
	aliases(m, "28.349523125", "oz", "ounce", "ounces")
	aliases(m, "453.59237", "lb", "lbs", "pound", "pounds")
	return unitSystem{kind: "weight", names: "g, kg, oz or lb", factors: m}
}()

// lengths are in millimetres. BigCommerce says "Inches", "Centimeters";
// ShipStation says "inches", "centimeters".
var lengths = func() unitSystem {
	m := map[string]*big.Rat{}
	aliases(m, "1", "mm", "millimeter", "millimeters", "millimetre", "millimetres")
	aliases(m, "10", "cm", "centimeter", "centimeters", "centimetre", "centimetres")
	aliases(m, "1000", "m", "meter", "meters", "metre", "metres")
	aliases(m, "25.4", "in", "inch", "inches")
	aliases(m, "304.8", "ft", "foot", "feet")
	return unitSystem{kind: "length", names: "mm, cm, m, in or ft", factors: m}
}()

func (s unitSystem) factor(unit string) (*big.Rat, error) {
	f, ok := s.factors[strings.ToLower(strings.TrimSpace(unit))]
	if !ok {
		return nil, fmt.Errorf("unknown %s unit %q; use %s", s.kind, unit, s.names)
	}
	return f, nil
}

// convertFunc builds a function converting (value, unit) into the unit to.
func convertFunc(s unitSystem, to string) function.Function {
	toFactor, err := s.factor(to)
	if err != nil {
		panic(err)
	}
	return function.New(&function.Spec{
		Description: fmt.Sprintf("Converts a %s in the given unit to %s, exactly to %d decimal places.", s.kind, to, unitPlaces),
		Params: []function.Parameter{
			{Name: "value", Type: cty.Number},
			{Name: "unit", Type: cty.String},
		},
		Type:         function.StaticReturnType(cty.Number),
		RefineResult: notNull,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			v, err := ratOf(args[0])
			if err != nil {
				return cty.NilVal, function.NewArgError(0, err)
			}
			from, err := s.factor(args[1].AsString())
			if err != nil {
				return cty.NilVal, function.NewArgError(1, err)
			}
			v.Mul(v, from)
			v.Quo(v, toFactor)
			return numberVal(v, unitPlaces), nil
		},
	})
}
