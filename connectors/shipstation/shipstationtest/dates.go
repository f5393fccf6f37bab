package shipstationtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // Pacific time must work on hosts without zoneinfo.
)

// pacific is the zone of every v1 timestamp, in responses and in filters.
var pacific = mustLoad("America/Los_Angeles")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("shipstationtest: load %s: %v", name, err))
	}
	return loc
}

// Response layouts: orders carry seven fractional digits, everything else up
// to three with trailing zeros trimmed, date-only fields no time at all.
const (
	layoutOrder = "2006-01-02T15:04:05.0000000"
	layoutStamp = "2006-01-02T15:04:05.999"
	layoutDate  = "2006-01-02"
)

// wallLayouts are the offset-less input forms ShipStation accepts.
var wallLayouts = []string{
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05.9999999",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
}

// parsePacific reads a v1 date as US Pacific wall time. A value carrying an
// offset ("Z", "+02:00") has its offset ignored unless honorOffset is set:
// the reference warns that ShipStation does not honour it.
func parsePacific(s string, honorOffset bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range wallLayouts {
		if t, err := time.ParseInLocation(l, s, pacific); err == nil {
			return t, nil
		}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q: not a ShipStation date", s)
	}
	if honorOffset {
		return t, nil
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), pacific), nil
}

// unmarshalPacific decodes a JSON string date; null leaves t zero.
func unmarshalPacific(b []byte, t *time.Time) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*t = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date: %w", err)
	}
	v, err := parsePacific(s, false)
	if err != nil {
		return err
	}
	*t = v
	return nil
}

func marshalPacific(t time.Time, layout string) ([]byte, error) {
	return json.Marshal(t.In(pacific).Format(layout))
}

// OrderTime is an order timestamp, written "2006-01-02T15:04:05.0000000" in
// Pacific time without an offset.
type OrderTime struct{ time.Time }

// MarshalJSON writes the Pacific wall time with seven fractional digits.
func (t OrderTime) MarshalJSON() ([]byte, error) { return marshalPacific(t.Time, layoutOrder) }

// UnmarshalJSON reads any accepted v1 date form as Pacific time.
func (t *OrderTime) UnmarshalJSON(b []byte) error { return unmarshalPacific(b, &t.Time) }

// Time is a shipment, fulfillment, product or account timestamp, written in
// Pacific time with up to three fractional digits and no offset.
type Time struct{ time.Time }

// MarshalJSON writes the Pacific wall time with trimmed milliseconds.
func (t Time) MarshalJSON() ([]byte, error) { return marshalPacific(t.Time, layoutStamp) }

// UnmarshalJSON reads any accepted v1 date form as Pacific time.
func (t *Time) UnmarshalJSON(b []byte) error { return unmarshalPacific(b, &t.Time) }

// Date is a date-only field such as shipDate or holdUntilDate, held as
// midnight Pacific and written "2006-01-02".
type Date struct{ time.Time }

// MarshalJSON writes the Pacific calendar date.
func (d Date) MarshalJSON() ([]byte, error) { return marshalPacific(d.Time, layoutDate) }

// UnmarshalJSON reads a date (a time part, if any, is dropped).
func (d *Date) UnmarshalJSON(b []byte) error {
	if err := unmarshalPacific(b, &d.Time); err != nil {
		return err
	}
	if !d.Time.IsZero() {
		d.Time = pacificMidnight(d.Time)
	}
	return nil
}

// pacificMidnight is the start of t's calendar day in Pacific time.
func pacificMidnight(t time.Time) time.Time {
	p := t.In(pacific)
	return time.Date(p.Year(), p.Month(), p.Day(), 0, 0, 0, 0, pacific)
}

func orderTimePtr(t time.Time) *OrderTime { return &OrderTime{t} }
func timePtr(t time.Time) *Time           { return &Time{t} }
func datePtr(t time.Time) *Date           { return &Date{pacificMidnight(t)} }
