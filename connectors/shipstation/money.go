package shipstation

import (
	"bytes"
	"fmt"

	"github.com/shopspring/decimal"
)

// Money is an amount ShipStation writes as a bare JSON number. It is held as
// a decimal so that no cent is lost between BigCommerce and ShipStation.
type Money struct{ decimal.Decimal }

// MarshalJSON writes the amount as a JSON number.
func (m Money) MarshalJSON() ([]byte, error) { return []byte(m.Decimal.String()), nil }

// UnmarshalJSON reads a JSON number or a numeric string.
func (m *Money) UnmarshalJSON(b []byte) error {
	b = bytes.Trim(bytes.TrimSpace(b), `"`)
	d, err := decimal.NewFromString(string(b))
	if err != nil {
		return fmt.Errorf("amount %q: %w", b, err)
	}
	m.Decimal = d
	return nil
}
