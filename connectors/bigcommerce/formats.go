package bigcommerce

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// amount is a decimal the API sends as a string ("12.5000", v2) or a JSON
// number (v3, consignments). Null and "" read as zero. It is never a float.
type amount struct{ decimal.Decimal }

func (a *amount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	s := string(b)
	if s == "null" {
		a.Decimal = decimal.Zero
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			a.Decimal = decimal.Zero
			return nil
		}
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return fmt.Errorf("amount %s: %w", b, err)
	}
	a.Decimal = d
	return nil
}

// MarshalJSON writes a bare JSON number, as v3 request bodies want.
func (a amount) MarshalJSON() ([]byte, error) { return []byte(a.String()), nil }

// optAmount is a nullable v3 number (a variant's price or weight: null
// inherits the product's).
type optAmount struct {
	amount
	Valid bool
}

func (o *optAmount) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		*o = optAmount{}
		return nil
	}
	o.Valid = true
	return o.amount.UnmarshalJSON(b)
}

// flexInt is an integer sent as a number, a numeric string or "" (ids in
// some webhook payloads, customer_id, order_address_id in examples).
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	if s == "" || s == "null" {
		*f = 0
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("not an integer: %s", b)
	}
	*f = flexInt(n)
	return nil
}

// flexString is a string the API sometimes sends as a number
// (payment_provider_id).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*f = ""
	case bytes.HasPrefix(b, []byte(`"`)):
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	default:
		*f = flexString(b)
	}
	return nil
}

// date2822 is a v2 timestamp: RFC 2822 in UTC, or "" when unset.
type date2822 struct{ time.Time }

func (d *date2822) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		if string(bytes.TrimSpace(b)) == "null" {
			d.Time = time.Time{}
			return nil
		}
		return err
	}
	t, err := parseDate(s)
	if err != nil {
		return err
	}
	d.Time = t
	return nil
}

// dateISO is a v3 timestamp: ISO 8601 with an offset or Z.
type dateISO struct{ time.Time }

func (d *dateISO) UnmarshalJSON(b []byte) error { return (*date2822)(d).UnmarshalJSON(b) }

// parseDate reads the date forms BigCommerce sends: RFC 2822 (v2), ISO 8601
// (v3), or "" for unset.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC1123Z, "Mon, 2 Jan 2006 15:04:05 -0700", time.RFC1123, time.RFC3339Nano, "2006-01-02T15:04:05-0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unrecognised date %q", s)
}

// formatTime renders a time for outputs: RFC 3339 in UTC, "" when unset.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// filterTime renders a time for v2 date filters. ISO 8601 is accepted there;
// url.Values encodes its "+" so it is not read as a space.
func filterTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
