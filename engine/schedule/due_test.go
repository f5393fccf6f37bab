package schedule

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/robfig/cron/v3"
)

func mustParse(t *testing.T, expr string) cron.Schedule {
	t.Helper()
	s, err := Parse(expr)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// at is 2025-03-10 at h:m:s UTC.
func at(h, m, s int) time.Time { return time.Date(2025, 3, 10, h, m, s, 0, time.UTC) }

func TestDue(t *testing.T) {
	tests := []struct {
		name        string
		expr        string
		watermark   time.Time
		now         time.Time
		max         int
		want        []time.Time
		wantDropped int
	}{
		{
			name: "first start fires nothing",
			expr: "* * * * *", now: at(10, 0, 30), max: 5,
		},
		{
			name: "nothing due yet", expr: "*/5 * * * *",
			watermark: at(10, 0, 0), now: at(10, 4, 59), max: 5,
		},
		{
			name: "one tick due", expr: "*/5 * * * *",
			watermark: at(10, 0, 0), now: at(10, 7, 0), max: 5,
			want: []time.Time{at(10, 5, 0)},
		},
		{
			name: "tick at now is included", expr: "*/5 * * * *",
			watermark: at(10, 0, 0), now: at(10, 5, 0), max: 5,
			want: []time.Time{at(10, 5, 0)},
		},
		{
			name: "tick at the watermark is excluded", expr: "*/5 * * * *",
			watermark: at(10, 5, 0), now: at(10, 9, 59), max: 5,
		},
		{
			name: "catch-up under the cap", expr: "0 * * * *",
			watermark: at(6, 30, 0), now: at(10, 0, 0), max: 5,
			want: []time.Time{at(7, 0, 0), at(8, 0, 0), at(9, 0, 0), at(10, 0, 0)},
		},
		{
			name: "catch-up exactly at the cap", expr: "0 * * * *",
			watermark: at(5, 0, 0), now: at(10, 0, 0), max: 5,
			want: []time.Time{at(6, 0, 0), at(7, 0, 0), at(8, 0, 0), at(9, 0, 0), at(10, 0, 0)},
		},
		{
			name: "catch-up capped keeps the latest, oldest first", expr: "0 * * * *",
			watermark: at(0, 0, 0), now: at(10, 30, 0), max: 3,
			want:        []time.Time{at(8, 0, 0), at(9, 0, 0), at(10, 0, 0)},
			wantDropped: 7,
		},
		{
			name: "cap of zero counts as one", expr: "*/10 * * * *",
			watermark: at(9, 0, 0), now: at(10, 0, 0), max: 0,
			want:        []time.Time{at(10, 0, 0)},
			wantDropped: 5,
		},
		{
			name: "seconds field", expr: "*/20 * * * * *",
			watermark: at(10, 0, 0), now: at(10, 1, 0), max: 10,
			want: []time.Time{at(10, 0, 20), at(10, 0, 40), at(10, 1, 0)},
		},
		{
			name: "@every counts from the watermark", expr: "@every 45s",
			watermark: at(10, 0, 10), now: at(10, 3, 0), max: 2,
			want:        []time.Time{at(10, 1, 40), at(10, 2, 25)},
			wantDropped: 1,
		},
		{
			name: "watermark in the future", expr: "* * * * *",
			watermark: at(11, 0, 0), now: at(10, 0, 0), max: 5,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, dropped := Due(mustParse(t, tt.expr), tt.watermark, tt.now, tt.max)
			if diff := cmp.Diff(tt.want, got, cmpEmptyTimes); diff != "" {
				t.Errorf("ticks mismatch (-want +got):\n%s", diff)
			}
			if dropped != tt.wantDropped {
				t.Errorf("dropped = %d, want %d", dropped, tt.wantDropped)
			}
		})
	}
}

var cmpEmptyTimes = cmp.FilterValues(func(a, b []time.Time) bool { return len(a) == 0 && len(b) == 0 }, cmp.Ignore())

// A watermark read back from the store in UTC must not shift a wall-clock
// schedule into UTC.
func TestDueUsesTheClockZone(t *testing.T) {
	zone := time.FixedZone("UTC+2", 2*60*60)
	watermark := time.Date(2025, 3, 10, 6, 0, 0, 0, time.UTC) // 08:00 in zone
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, zone)
	got, _ := Due(mustParse(t, "0 9 * * *"), watermark, now, 5)
	want := time.Date(2025, 3, 10, 9, 0, 0, 0, zone)
	if len(got) != 1 || !got[0].Equal(want) {
		t.Errorf("Due = %v, want [%v]", got, want)
	}
}
