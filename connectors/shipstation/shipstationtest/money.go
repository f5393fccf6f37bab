package shipstationtest

import (
	"bytes"
	"fmt"

	"github.com/shopspring/decimal"
)

// Money is an amount that ShipStation writes as a bare JSON number. It is a
// decimal so that no cent is lost on the way through the fake.
type Money struct{ decimal.Decimal }

// NewMoney parses s (for example "18.50") into Money; it panics on a bad
// literal, so it is meant for constants in tests and seeds.
func NewMoney(s string) Money { return Money{decimal.RequireFromString(s)} }

// MarshalJSON writes the amount as a JSON number.
func (m Money) MarshalJSON() ([]byte, error) { return []byte(m.Decimal.String()), nil }

// UnmarshalJSON reads a JSON number, a numeric string, or null (zero).
func (m *Money) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		m.Decimal = decimal.Zero
		return nil
	}
	b = bytes.Trim(b, `"`)
	d, err := decimal.NewFromString(string(b))
	if err != nil {
		return fmt.Errorf("money %q: %w", b, err)
	}
	m.Decimal = d
	return nil
}
