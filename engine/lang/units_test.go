package lang

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestUnitConversions(t *testing.T) {
	runCases(t, Options{}, []evalCase{
		// weights
		{src: `weight_oz(1, "lb")`, want: num("16")},
		{src: `weight_oz(2.5, "pounds")`, want: num("40")},
		{src: `weight_oz(1, "LBS")`, want: num("16")},
		{src: `weight_oz(1, "kg")`, want: num("35.27396194958041")},
		{src: `weight_oz(1, "KGS")`, want: num("35.27396194958041")},
		{src: `weight_oz(28.349523125, "Grams")`, want: num("1")},
		{src: `weight_oz(100, "g")`, want: num("3.52739619495804")},
		{src: `weight_oz(14, "ounces")`, want: num("14")},
		{src: `weight_oz(0.1, "oz")`, want: num("0.1")},
		{src: `weight_oz("12.5", " Ounces ")`, want: num("12.5")},
		{src: `weight_g(1, "lb")`, want: num("453.59237")},
		{src: `weight_g(1, "oz")`, want: num("28.349523125")},
		{src: `weight_g(16, "oz")`, want: num("453.59237")},
		{src: `weight_g(0.25, "kilograms")`, want: num("250")},
		{src: `weight_g(-1, "kg")`, want: num("-1000")},
		{src: `weight_g(0, "lb")`, want: num("0")},
		// lengths
		{src: `length_in(2.54, "cm")`, want: num("1")},
		{src: `length_in(1, "ft")`, want: num("12")},
		{src: `length_in(1, "m")`, want: num("39.37007874015748")},
		{src: `length_in(10, "Centimeters")`, want: num("3.93700787401575")},
		{src: `length_in(25.4, "millimetres")`, want: num("1")},
		{src: `length_in(7, "inches")`, want: num("7")},
		{src: `length_cm(1, "in")`, want: num("2.54")},
		{src: `length_cm(12, "Inches")`, want: num("30.48")},
		{src: `length_cm(1, "feet")`, want: num("30.48")},
		{src: `length_cm(1.5, "metres")`, want: num("150")},
		{src: `length_cm(5, "mm")`, want: num("0.5")},
		// bad input
		{src: `weight_oz(1, "stone")`, wantErr: `unknown weight unit "stone"; use g, kg, oz or lb`},
		{src: `weight_g(1, "cm")`, wantErr: `unknown weight unit "cm"`},
		{src: `length_in(1, "lb")`, wantErr: `unknown length unit "lb"; use mm, cm, m, in or ft`},
		{src: `length_cm("ten", "in")`, wantErr: `a number is required`},
		{src: `weight_oz(1)`, wantErr: `Not enough function arguments`},
	})
}

// A conversion there and back is exact wherever the intermediate result
// needs no rounding.
func TestUnitRoundTrip(t *testing.T) {
	runCases(t, Options{}, []evalCase{
		{src: `weight_g(weight_oz(453.59237, "g"), "oz")`, want: num("453.59237")},
		{src: `length_cm(length_in(30.48, "cm"), "in")`, want: num("30.48")},
		{src: `weight_oz(1, "lb") == 16`, want: cty.True},
	})
}
