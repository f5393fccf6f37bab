package lang

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// maxPlaces bounds the places argument of round() and decimal().
const maxPlaces = 50

// roundFunc is round(value, places): value rounded half away from zero to
// places decimal places, exactly.
var roundFunc = function.New(&function.Spec{
	Description: "Rounds a number half away from zero to the given number of decimal places.",
	Params: []function.Parameter{
		{Name: "value", Type: cty.Number},
		{Name: "places", Type: cty.Number},
	},
	Type:         function.StaticReturnType(cty.Number),
	RefineResult: notNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		r, places, err := decimalArgs(args)
		if err != nil {
			return cty.NilVal, err
		}
		return numberVal(r, places), nil
	},
})

// decimalFunc is decimal(value, places): value rounded half away from zero
// and written with exactly places decimals, e.g. decimal(12.5, 2) = "12.50".
var decimalFunc = function.New(&function.Spec{
	Description: "Formats a number with exactly the given number of decimal places, rounding half away from zero.",
	Params: []function.Parameter{
		{Name: "value", Type: cty.Number},
		{Name: "places", Type: cty.Number},
	},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: notNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		r, places, err := decimalArgs(args)
		if err != nil {
			return cty.NilVal, err
		}
		return cty.StringVal(formatRat(r, places)), nil
	},
})

func notNull(b *cty.RefinementBuilder) *cty.RefinementBuilder { return b.NotNull() }

func decimalArgs(args []cty.Value) (*big.Rat, int, error) {
	r, err := ratOf(args[0])
	if err != nil {
		return nil, 0, function.NewArgError(0, err)
	}
	places, err := placesOf(args[1])
	if err != nil {
		return nil, 0, function.NewArgError(1, err)
	}
	return r, places, nil
}

// ratOf returns the exact value of a cty number. A cty number is a binary
// big.Float; it is read back through its shortest decimal form, so the
// literal 0.1 is exactly 1/10 here and not the nearest binary fraction.
func ratOf(v cty.Value) (*big.Rat, error) {
	f := v.AsBigFloat()
	if f.IsInf() {
		return nil, fmt.Errorf("the number must be finite")
	}
	r, ok := new(big.Rat).SetString(f.Text('g', -1))
	if !ok {
		return nil, fmt.Errorf("cannot read %s as a decimal", f.Text('g', -1))
	}
	return r, nil
}

func placesOf(v cty.Value) (int, error) {
	f := v.AsBigFloat()
	n, acc := f.Int64()
	if acc != big.Exact || n < 0 || n > maxPlaces {
		return 0, fmt.Errorf("places must be a whole number from 0 to %d", maxPlaces)
	}
	return int(n), nil
}

// scaledRound returns r*10^places rounded half away from zero to an integer.
func scaledRound(r *big.Rat, places int) *big.Int {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)
	num := new(big.Int).Mul(new(big.Int).Abs(r.Num()), scale)
	den := r.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if m.Lsh(m, 1).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if r.Sign() < 0 {
		q.Neg(q)
	}
	return q
}

// formatRat writes r rounded half away from zero with exactly places
// decimals. A result that rounds to zero has no minus sign.
func formatRat(r *big.Rat, places int) string {
	q := scaledRound(r, places)
	digits := new(big.Int).Abs(q).String()
	if len(digits) <= places {
		digits = strings.Repeat("0", places-len(digits)+1) + digits
	}
	var b strings.Builder
	if q.Sign() < 0 {
		b.WriteByte('-')
	}
	b.WriteString(digits[:len(digits)-places])
	if places > 0 {
		b.WriteByte('.')
		b.WriteString(digits[len(digits)-places:])
	}
	return b.String()
}

// numberVal is r rounded to places decimals as a cty number, built from its
// decimal text so that it equals the same number written as a literal.
func numberVal(r *big.Rat, places int) cty.Value {
	v, err := cty.ParseNumberVal(formatRat(r, places))
	if err != nil {
		// formatRat only writes plain decimal numbers.
		panic(fmt.Sprintf("lang: unparsable decimal: %v", err))
	}
	return v
}
