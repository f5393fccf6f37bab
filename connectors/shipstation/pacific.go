package shipstation

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // Pacific time must work on hosts without zoneinfo.
)

// pacific is the zone of every v1 timestamp, in responses and in filters.
var pacific = func() *time.Location {
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		panic("shipstation: " + err.Error())
	}
	return loc
}()

// wallLayout is how tote sends Pacific wall time to ShipStation.
const wallLayout = "2006-01-02 15:04:05"

// wallLayouts are the offset-less forms ShipStation writes and accepts.
var wallLayouts = []string{
	"2006-01-02T15:04:05.9999999",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
}

// parseTime reads a time as either RFC 3339 with an offset (as pipelines
// write it) or ShipStation's offset-less Pacific wall time. A wall time that
// a daylight-saving change makes ambiguous is read as its first occurrence.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, l := range wallLayouts {
		if t, err := time.ParseInLocation(l, s, pacific); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is neither RFC 3339 nor a ShipStation date", s)
}

// wall renders t as Pacific wall time for a v1 request.
func wall(t time.Time) string { return t.In(pacific).Format(wallLayout) }

// Stamp is a v1 timestamp. On the wire it is Pacific wall time without an
// offset; in tote it is RFC 3339 in UTC.
type Stamp struct{ time.Time }

// MarshalJSON writes Pacific wall time, the form ShipStation asks for.
func (s Stamp) MarshalJSON() ([]byte, error) { return json.Marshal(wall(s.Time)) }

// UnmarshalJSON reads RFC 3339 or Pacific wall time.
func (s *Stamp) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return fmt.Errorf("time: %w", err)
	}
	t, err := parseTime(str)
	s.Time = t
	return err
}

// view is how tote shows the time.
func (s Stamp) view() string { return s.UTC().Format(time.RFC3339Nano) }

// Day is a date-only field (shipDate, holdUntilDate): a Pacific calendar
// day, written "2006-01-02" both on the wire and in tote.
type Day struct{ Y, M, D int }

// dayOf is the Pacific calendar day of t.
func dayOf(t time.Time) Day {
	p := t.In(pacific)
	return Day{p.Year(), int(p.Month()), p.Day()}
}

func (d Day) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Y, d.M, d.D) }

// MarshalJSON writes "2006-01-02".
func (d Day) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a date, or a time whose Pacific day is taken.
func (d *Day) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return fmt.Errorf("date: %w", err)
	}
	v, err := parseDay(str)
	*d = v
	return err
}

func parseDay(s string) (Day, error) {
	if t, err := time.Parse("2006-01-02", strings.TrimSpace(s)); err == nil {
		return Day{t.Year(), int(t.Month()), t.Day()}, nil
	}
	t, err := parseTime(s)
	if err != nil {
		return Day{}, err
	}
	return dayOf(t), nil
}
