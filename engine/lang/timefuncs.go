package lang

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // zones must work on hosts without zoneinfo

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// timeLayout is how one layout argument parses and formats.
type timeLayout struct {
	name   string
	parse  string // Go layout for parsing, unless rfc2822
	format string // Go layout for formatting
}

// The named layouts. Vendor formats are the connectors' business: they give
// pipelines RFC 3339 and accept it.
var namedLayouts = map[string]timeLayout{
	"rfc3339": {name: "rfc3339", parse: time.RFC3339, format: time.RFC3339Nano},
	"rfc2822": {name: "rfc2822", format: time.RFC1123Z},
}

var layoutName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func layoutOf(s string) (timeLayout, error) {
	if l, ok := namedLayouts[s]; ok {
		return l, nil
	}
	// A lower-case word is a misspelt name, not a Go layout: Go's reference
	// elements that start a layout are digits or capitalised (2006, Jan, Mon).
	if s == "shipstation" {
		return timeLayout{}, fmt.Errorf(`there is no layout "shipstation": the ShipStation connector reads and writes RFC 3339; for ShipStation's wall time elsewhere, use "2006-01-02T15:04:05.0000000" in America/Los_Angeles`)
	}
	if layoutName.MatchString(s) {
		return timeLayout{}, fmt.Errorf("layout %q is neither a Go layout (like 2006-01-02 15:04) nor one of rfc3339, rfc2822", s)
	}
	return timeLayout{name: s, parse: s, format: s}, nil
}

var zoneCache sync.Map // name -> *time.Location

func zoneOf(name string) (*time.Location, error) {
	if l, ok := zoneCache.Load(name); ok {
		return l.(*time.Location), nil
	}
	if strings.TrimSpace(name) == "" || name == "Local" {
		return nil, fmt.Errorf("zone must be an IANA time zone name like America/Los_Angeles, or UTC")
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	zoneCache.Store(name, l)
	return l, nil
}

// probeZone differs from UTC, so parsing a value in both tells whether the
// value carried its own offset.
var probeZone = time.FixedZone("probe", 3671)

// parseTime reads value with layout. A value with its own offset keeps it
// (an rfc2822 value always has one); otherwise its wall clock is read in loc
// (see resolveWall).
func parseTime(value string, l timeLayout, loc *time.Location) (time.Time, error) {
	if l.parse == "" {
		t, err := mail.ParseDate(value)
		if err != nil {
			return time.Time{}, fmt.Errorf("cannot parse %q as rfc2822: %w", value, err)
		}
		return t, nil
	}
	inUTC, err := time.ParseInLocation(l.parse, value, time.UTC)
	if err != nil {
		return time.Time{}, fmt.Errorf("cannot parse %q as %s: %w", value, l.name, err)
	}
	inProbe, err := time.ParseInLocation(l.parse, value, probeZone)
	if err != nil {
		return time.Time{}, fmt.Errorf("cannot parse %q as %s: %w", value, l.name, err)
	}
	if inUTC.Equal(inProbe) {
		// Parse again in loc so that zone abbreviations loc knows (PDT) count.
		return time.ParseInLocation(l.parse, value, loc)
	}
	return resolveWall(inUTC, loc), nil
}

// resolveWall returns the instant at which loc's clocks show the wall time
// held in w's UTC fields. It decides the two daylight-saving cases Go leaves
// open: a wall time that occurs twice (clocks go back) is the earlier
// instant; a wall time that never occurs (clocks go forward) is read with
// the offset in force before the change, so it lands after the gap by the
// same distance (02:30 on a spring-forward night in Los Angeles is 03:30 PDT).
func resolveWall(w time.Time, loc *time.Location) time.Time {
	// No zone changes offset twice within 36 hours, so the offsets a day and
	// a half either side are the only candidates.
	_, before := w.Add(-36 * time.Hour).In(loc).Zone()
	_, after := w.Add(36 * time.Hour).In(loc).Zone()
	offs := []int{before, after}
	if after > before {
		offs = []int{after, before} // the larger offset is the earlier instant
	}
	for _, off := range offs {
		u := w.Add(-time.Duration(off) * time.Second)
		if _, got := u.In(loc).Zone(); got == off {
			return u.In(loc)
		}
	}
	return w.Add(-time.Duration(before) * time.Second).In(loc)
}

// parseTimeFunc is parsetime(value, layout, zone) -> RFC 3339 in UTC.
var parseTimeFunc = function.New(&function.Spec{
	Description: "Parses a time with a Go layout or rfc3339, rfc2822, reading a value without an offset in the given IANA zone; returns RFC 3339 in UTC.",
	Params: []function.Parameter{
		{Name: "value", Type: cty.String},
		{Name: "layout", Type: cty.String},
		{Name: "zone", Type: cty.String},
	},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: notNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		l, err := layoutOf(args[1].AsString())
		if err != nil {
			return cty.NilVal, function.NewArgError(1, err)
		}
		loc, err := zoneOf(args[2].AsString())
		if err != nil {
			return cty.NilVal, function.NewArgError(2, err)
		}
		t, err := parseTime(args[0].AsString(), l, loc)
		if err != nil {
			return cty.NilVal, function.NewArgError(0, err)
		}
		return cty.StringVal(t.UTC().Format(time.RFC3339Nano)), nil
	},
})

// formatTimeFunc is formattime(rfc3339, layout, zone).
var formatTimeFunc = function.New(&function.Spec{
	Description: "Renders an RFC 3339 time in the given IANA zone with a Go layout or rfc3339, rfc2822.",
	Params: []function.Parameter{
		{Name: "time", Type: cty.String},
		{Name: "layout", Type: cty.String},
		{Name: "zone", Type: cty.String},
	},
	Type:         function.StaticReturnType(cty.String),
	RefineResult: notNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		t, err := time.Parse(time.RFC3339, args[0].AsString())
		if err != nil {
			return cty.NilVal, function.NewArgErrorf(0, "%q is not an RFC 3339 time like 2024-03-10T10:30:00Z", args[0].AsString())
		}
		l, err := layoutOf(args[1].AsString())
		if err != nil {
			return cty.NilVal, function.NewArgError(1, err)
		}
		loc, err := zoneOf(args[2].AsString())
		if err != nil {
			return cty.NilVal, function.NewArgError(2, err)
		}
		return cty.StringVal(t.In(loc).Format(l.format)), nil
	},
})
