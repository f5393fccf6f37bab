package bigcommercetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Money is a v2 amount. It is written as a string with four decimals
// ("12.5000") and read from a JSON number or a numeric string, as v2 does.
type Money struct{ decimal.Decimal }

// MoneyOf returns the Money for a decimal string such as "12.50"; it panics on
// a malformed literal, so use it with constants only.
func MoneyOf(s string) Money { return Money{decimal.RequireFromString(s)} }

// MarshalJSON writes the amount as a 4-decimal string.
func (m Money) MarshalJSON() ([]byte, error) {
	return []byte(`"` + m.StringFixed(4) + `"`), nil
}

// UnmarshalJSON accepts a number, a numeric string or null.
func (m *Money) UnmarshalJSON(b []byte) error {
	d, err := parseLenientDecimal(b)
	if err != nil {
		return err
	}
	m.Decimal = d
	return nil
}

// Number is a v3 amount or measure: written as a JSON number.
type Number struct{ decimal.Decimal }

// NumberOf returns the Number for a decimal literal; it panics on a malformed one.
func NumberOf(s string) Number { return Number{decimal.RequireFromString(s)} }

// MarshalJSON writes the value as a bare JSON number.
func (n Number) MarshalJSON() ([]byte, error) { return []byte(n.String()), nil }

// UnmarshalJSON accepts a number or a numeric string.
func (n *Number) UnmarshalJSON(b []byte) error {
	d, err := parseLenientDecimal(b)
	if err != nil {
		return err
	}
	n.Decimal = d
	return nil
}

func parseLenientDecimal(b []byte) (decimal.Decimal, error) {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return decimal.Zero, nil
	}
	s := string(b)
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return decimal.Zero, err
		}
		if strings.TrimSpace(s) == "" {
			return decimal.Zero, nil
		}
	}
	d, err := decimal.NewFromString(strings.TrimSpace(s))
	if err != nil {
		return decimal.Zero, fmt.Errorf("not a number: %s", b)
	}
	return d, nil
}

// Date2822 is a v2 timestamp: RFC 2822 in UTC ("Tue, 04 Mar 2025 18:02:11
// +0000"), or "" when unset.
type Date2822 struct{ time.Time }

// MarshalJSON writes the RFC 2822 form, or "" for the zero time.
func (d Date2822) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte(`""`), nil
	}
	return json.Marshal(d.UTC().Format(time.RFC1123Z))
}

// UnmarshalJSON accepts RFC 2822, ISO 8601 or "".
func (d *Date2822) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		d.Time = time.Time{}
		return nil
	}
	t, err := parseFilterTime(s)
	if err != nil {
		return err
	}
	d.Time = t
	return nil
}

// DateISO is a v3 timestamp: ISO 8601 with a numeric offset
// ("2025-03-04T18:02:11+00:00").
type DateISO struct{ time.Time }

const isoLayout = "2006-01-02T15:04:05-07:00"

// MarshalJSON writes the ISO 8601 form in UTC.
func (d DateISO) MarshalJSON() ([]byte, error) {
	return json.Marshal(d.UTC().Format(isoLayout))
}

// UnmarshalJSON accepts RFC 3339.
func (d *DateISO) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	t, err := parseFilterTime(s)
	if err != nil {
		return err
	}
	d.Time = t
	return nil
}

// parseFilterTime reads the date forms v2 and v3 filters accept: RFC 2822,
// ISO 8601 with or without fractional seconds, a bare date, or Unix seconds.
func parseFilterTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	layouts := []string{
		time.RFC1123Z, time.RFC1123, "Mon, 2 Jan 2006 15:04:05 -0700",
		time.RFC3339Nano, "2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700",
		"2006-01-02T15:04:05", "2006-01-02",
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	var unix int64
	if _, err := fmt.Sscanf(s, "%d", &unix); err == nil && fmt.Sprint(unix) == s {
		return time.Unix(unix, 0), nil
	}
	return time.Time{}, fmt.Errorf("unrecognised date %q", s)
}

func dec(i int) decimal.Decimal { return decimal.NewFromInt(int64(i)) }

func money(d decimal.Decimal) Money { return Money{d} }

func number(d decimal.Decimal) Number { return Number{d} }
