package lang

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestRound(t *testing.T) {
	runCases(t, Options{}, []evalCase{
		{src: `round(2.5, 0)`, want: num("3")},
		{src: `round(-2.5, 0)`, want: num("-3")},
		{src: `round(2.4999, 0)`, want: num("2")},
		{src: `round(1.005, 2)`, want: num("1.01")}, // 1.005 is exact here, unlike in float64
		{src: `round(-1.005, 2)`, want: num("-1.01")},
		{src: `round(0.125, 2)`, want: num("0.13")},
		{src: `round(12.3456, 3)`, want: num("12.346")},
		{src: `round(7, 2)`, want: num("7")},
		{src: `round(0.1 + 0.2, 10)`, want: num("0.3")},
		{src: `round("19.995", 2)`, want: num("20")},
		{src: `round(1, 2.5)`, wantErr: "places must be a whole number from 0 to 50"},
		{src: `round(1, -1)`, wantErr: "places must be a whole number from 0 to 50"},
		{src: `round(1, 51)`, wantErr: "places must be a whole number from 0 to 50"},
		{src: `round(1/0, 2)`, wantErr: "the number must be finite"},
		{src: `round("x", 2)`, wantErr: "a number is required"},
	})
}

func TestDecimal(t *testing.T) {
	runCases(t, Options{}, []evalCase{
		{src: `decimal(12.5, 2)`, want: str("12.50")},
		{src: `decimal("12.5", 2)`, want: str("12.50")},
		{src: `decimal(0, 2)`, want: str("0.00")},
		{src: `decimal(1.005, 2)`, want: str("1.01")},
		{src: `decimal(2.675, 2)`, want: str("2.68")},
		{src: `decimal(-2.675, 2)`, want: str("-2.68")},
		{src: `decimal(-0.001, 2)`, want: str("0.00")},
		{src: `decimal(0.05, 1)`, want: str("0.1")},
		{src: `decimal(0.04, 1)`, want: str("0.0")},
		{src: `decimal(1234.5, 0)`, want: str("1235")},
		{src: `decimal(0.1 * 3, 20)`, want: str("0.30000000000000000000")},
		{src: `decimal(123456789012345678901234567890.125, 2)`, want: str("123456789012345678901234567890.13")},
		{src: `decimal(5e-7, 6)`, want: str("0.000001")},
		{src: `decimal(18.5 * 2, 2)`, want: str("37.00")},
		{src: `decimal(1, 0.5)`, wantErr: "places must be a whole number"},
		{src: `decimal(null, 2)`, wantErr: "must not be null"},
	})
}

func TestDecimalUnknown(t *testing.T) {
	got, err := eval(t, `decimal(tonumber(var.unknown_str), 2)`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got.IsKnown() || got.Type() != cty.String {
		t.Fatalf("got %#v, want an unknown string", got)
	}
}
