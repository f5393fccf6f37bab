package lang

import (
	"regexp"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"
)

// The US Pacific changes of 2024: clocks went forward from 02:00 PST to
// 03:00 PDT on 10 March (10:00Z) and back from 02:00 PDT to 01:00 PST on
// 3 November (09:00Z).

func TestParseTime(t *testing.T) {
	runCases(t, Options{}, []evalCase{
		// ShipStation local times in Pacific time, around both changes.
		{src: `parsetime("2024-03-10T01:59:59.0000000", "2006-01-02T15:04:05", "America/Los_Angeles")`, want: str("2024-03-10T09:59:59Z")},
		{src: `parsetime("2024-03-10T03:00:00.0000000", "2006-01-02T15:04:05", "America/Los_Angeles")`, want: str("2024-03-10T10:00:00Z")},
		{src: `parsetime("2024-03-10T02:30:00.0000000", "2006-01-02T15:04:05", "America/Los_Angeles")`, want: str("2024-03-10T10:30:00Z")}, // in the gap: read as PST
		{src: `parsetime("2024-11-03T00:59:59.0000000", "2006-01-02T15:04:05", "America/Los_Angeles")`, want: str("2024-11-03T07:59:59Z")},
		{src: `parsetime("2024-11-03T01:30:00.0000000", "2006-01-02T15:04:05", "America/Los_Angeles")`, want: str("2024-11-03T08:30:00Z")}, // twice: the first (PDT)
		{src: `parsetime("2024-11-03T02:00:00.0000000", "2006-01-02T15:04:05", "America/Los_Angeles")`, want: str("2024-11-03T10:00:00Z")},
		{src: `parsetime("2024-07-01T12:00:00.0000000", "2006-01-02T15:04:05", "America/Los_Angeles")`, want: str("2024-07-01T19:00:00Z")},
		{src: `parsetime("2024-01-15T12:00:00.0000000", "2006-01-02T15:04:05", "America/Los_Angeles")`, want: str("2024-01-15T20:00:00Z")},
		{src: `parsetime("2024-07-01T12:00:00.123", "2006-01-02T15:04:05", "America/Los_Angeles")`, want: str("2024-07-01T19:00:00.123Z")},
		{src: `parsetime("2024-07-01T12:00:00", "2006-01-02T15:04:05", "America/Los_Angeles")`, want: str("2024-07-01T19:00:00Z")},
		{src: `parsetime("2024-07-01T12:00:00", "2006-01-02T15:04:05", "UTC")`, want: str("2024-07-01T12:00:00Z")},
		{src: `parsetime("2024-03-31T02:30:00", "2006-01-02T15:04:05", "Europe/Berlin")`, want: str("2024-03-31T01:30:00Z")},
		{src: `parsetime("2024-10-27T02:30:00", "2006-01-02T15:04:05", "Europe/Berlin")`, want: str("2024-10-27T00:30:00Z")},
		// A value with its own offset keeps it, whatever the zone.
		{src: `parsetime("2024-07-01T12:00:00-04:00", "rfc3339", "America/Los_Angeles")`, want: str("2024-07-01T16:00:00Z")},
		{src: `parsetime("2024-03-10T02:30:00Z", "rfc3339", "America/Los_Angeles")`, want: str("2024-03-10T02:30:00Z")},
		{src: `parsetime("Mon, 01 Jul 2024 12:00:00 -0700", "rfc2822", "UTC")`, want: str("2024-07-01T19:00:00Z")},
		{src: `parsetime("1 Jul 2024 12:00:00 +0000", "rfc2822", "UTC")`, want: str("2024-07-01T12:00:00Z")},
		// Go layouts.
		{src: `parsetime("07/01/2024 3:04 PM", "01/02/2006 3:04 PM", "America/New_York")`, want: str("2024-07-01T19:04:00Z")},
		{src: `parsetime("2024-07-01 12:00 PDT", "2006-01-02 15:04 MST", "America/Los_Angeles")`, want: str("2024-07-01T19:00:00Z")},
		{src: `parsetime("2024-07-01 12:00 +0200", "2006-01-02 15:04 -0700", "America/Los_Angeles")`, want: str("2024-07-01T10:00:00Z")},
		// Bad input.
		{src: `parsetime("2024-07-01T12:00:00", "rfc3339", "UTC")`, wantErr: `cannot parse "2024-07-01T12:00:00" as rfc3339`},
		{src: `parsetime("yesterday", "2006-01-02T15:04:05", "UTC")`, wantErr: `cannot parse "yesterday" as 2006-01-02T15:04:05`},
		{src: `parsetime("12:00", "rfc2822", "UTC")`, wantErr: `cannot parse "12:00" as rfc2822`},
		{src: `parsetime("2024-07-01", "rfc3399", "UTC")`, wantErr: `layout "rfc3399" is neither a Go layout`},
		{src: `parsetime("2024-07-01T12:00:00", "shipstation", "America/Los_Angeles")`, wantErr: `the ShipStation connector reads and writes RFC 3339`},
		{src: `parsetime("2024-07-01", "2006-01-02", "")`, wantErr: "zone must be an IANA time zone name"},
		{src: `parsetime("2024-07-01", "2006-01-02", "Local")`, wantErr: "zone must be an IANA time zone name"},
		{src: `parsetime("2024-07-01", "2006-01-02", "Mars/Olympus_Mons")`, wantErr: `unknown time zone "Mars/Olympus_Mons"`},
	})
}

func TestFormatTime(t *testing.T) {
	runCases(t, Options{}, []evalCase{
		{src: `formattime("2024-03-10T09:59:59Z", "2006-01-02T15:04:05.0000000", "America/Los_Angeles")`, want: str("2024-03-10T01:59:59.0000000")},
		{src: `formattime("2024-03-10T10:00:00Z", "2006-01-02T15:04:05.0000000", "America/Los_Angeles")`, want: str("2024-03-10T03:00:00.0000000")},
		{src: `formattime("2024-11-03T08:30:00Z", "2006-01-02 15:04 MST", "America/Los_Angeles")`, want: str("2024-11-03 01:30 PDT")},
		{src: `formattime("2024-11-03T09:30:00Z", "2006-01-02 15:04 MST", "America/Los_Angeles")`, want: str("2024-11-03 01:30 PST")},
		{src: `formattime("2024-07-01T19:00:00Z", "rfc3339", "America/Los_Angeles")`, want: str("2024-07-01T12:00:00-07:00")},
		{src: `formattime("2024-07-01T19:00:00.5Z", "rfc3339", "UTC")`, want: str("2024-07-01T19:00:00.5Z")},
		{src: `formattime("2024-01-15T20:00:00Z", "rfc2822", "America/Los_Angeles")`, want: str("Mon, 15 Jan 2024 12:00:00 -0800")},
		{src: `formattime("2024-07-01T12:00:00+02:00", "rfc3339", "UTC")`, want: str("2024-07-01T10:00:00Z")},
		{src: `formattime("2024-07-01T12:00:00Z", "Jan 2, 2006", "Asia/Tokyo")`, want: str("Jul 1, 2024")},
		{src: `formattime("2024-07-01 12:00", "rfc3339", "UTC")`, wantErr: `"2024-07-01 12:00" is not an RFC 3339 time`},
		{src: `formattime("2024-07-01T12:00:00Z", "shipstaton", "UTC")`, wantErr: `layout "shipstaton" is neither a Go layout`},
		{src: `formattime("2024-07-01T12:00:00Z", "rfc3339", "Pacific")`, wantErr: `unknown time zone "Pacific"`},
	})
}

// Every wall time outside the changes survives parse then format; the sweep
// crosses both 2024 US Pacific changes in 15-minute steps.
func TestParseFormatRoundTrip(t *testing.T) {
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	fns := Functions(Options{})
	zone := str("America/Los_Angeles")
	layout := str("2006-01-02T15:04:05.0000000")
	for _, day := range []time.Time{
		time.Date(2024, 3, 9, 12, 0, 0, 0, time.UTC),
		time.Date(2024, 11, 2, 12, 0, 0, 0, time.UTC),
	} {
		for u := day; u.Before(day.Add(36 * time.Hour)); u = u.Add(15 * time.Minute) {
			wall := u.In(loc).Format("2006-01-02T15:04:05.0000000")
			back, err := fns["parsetime"].Call([]cty.Value{str(wall), layout, zone})
			if err != nil {
				t.Fatalf("parsetime(%s): %v", wall, err)
			}
			again, err := fns["formattime"].Call([]cty.Value{back, layout, zone})
			if err != nil {
				t.Fatalf("formattime(%s): %v", back.AsString(), err)
			}
			if again.AsString() != wall {
				t.Errorf("%s -> %s -> %s", wall, back.AsString(), again.AsString())
			}
			// A wall time shown twice resolves to its first instant.
			want := u
			if u.Add(-time.Hour).In(loc).Format("2006-01-02T15:04:05.0000000") == wall {
				want = u.Add(-time.Hour)
			}
			if back.AsString() != want.Format(time.RFC3339) {
				t.Errorf("parsetime(%s) = %s, want %s", wall, back.AsString(), want.Format(time.RFC3339))
			}
		}
	}
}

func TestNow(t *testing.T) {
	clock := func() time.Time {
		return time.Date(2024, 3, 10, 2, 30, 0, 123456789, time.FixedZone("PST", -8*3600))
	}
	runCases(t, Options{Now: clock}, []evalCase{
		{src: `now()`, want: str("2024-03-10T10:30:00Z")},
		{src: `formattime(now(), "2006-01-02T15:04:05.0000000", "America/Los_Angeles")`, want: str("2024-03-10T03:30:00.0000000")},
		{src: `now(1)`, wantErr: "Too many function arguments"},
	})
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestUUID(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		v, err := eval(t, `uuid()`, Options{})
		if err != nil {
			t.Fatal(err)
		}
		s := v.AsString()
		if !uuidPattern.MatchString(s) {
			t.Fatalf("uuid() = %q, not a version 4 UUID", s)
		}
		if seen[s] {
			t.Fatalf("uuid() repeated %q", s)
		}
		seen[s] = true
	}
}

func TestPlanMakesNowAndUUIDUnknown(t *testing.T) {
	clockCalled := false
	o := Options{Plan: true, Now: func() time.Time { clockCalled = true; return time.Now() }}
	for _, src := range []string{`now()`, `uuid()`, `"order-${uuid()}"`, `formattime(now(), "rfc3339", "UTC")`} {
		v, err := eval(t, src, o)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if v.IsKnown() || v.Type() != cty.String {
			t.Errorf("%s = %#v, want an unknown string", src, v)
		}
		if v.Range().CouldBeNull() {
			t.Errorf("%s: unknown result may be null, want refined not null", src)
		}
	}
	if clockCalled {
		t.Error("the clock was read during a plan")
	}
	v, err := eval(t, `now()`, Options{Now: func() time.Time { return time.Unix(0, 0) }})
	if err != nil || !v.IsKnown() {
		t.Fatalf("without Plan now() = %#v, %v; want known", v, err)
	}
}
