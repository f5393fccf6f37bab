package schedule

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseAccepts(t *testing.T) {
	from := time.Date(2025, 3, 10, 10, 7, 30, 0, time.UTC) // a Monday
	tests := []struct {
		expr string
		next time.Time // the first tick after from
	}{
		{"*/5 * * * *", time.Date(2025, 3, 10, 10, 10, 0, 0, time.UTC)},
		{"0 9 * * 1-5", time.Date(2025, 3, 11, 9, 0, 0, 0, time.UTC)},
		{"  15 10 * * *  ", time.Date(2025, 3, 10, 10, 15, 0, 0, time.UTC)},
		{"0 0 1 jan *", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"45 * * * * *", time.Date(2025, 3, 10, 10, 7, 45, 0, time.UTC)}, // leading seconds
		{"*/20 * * * * *", time.Date(2025, 3, 10, 10, 7, 40, 0, time.UTC)},
		{"@hourly", time.Date(2025, 3, 10, 11, 0, 0, 0, time.UTC)},
		{"@daily", time.Date(2025, 3, 11, 0, 0, 0, 0, time.UTC)},
		{"@weekly", time.Date(2025, 3, 16, 0, 0, 0, 0, time.UTC)},
		{"@every 5s", from.Add(5 * time.Second)},
		{"@every 1h30m", from.Add(90 * time.Minute)},
		{"CRON_TZ=America/New_York 0 9 * * *", time.Date(2025, 3, 10, 13, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		s, err := Parse(tt.expr)
		if err != nil {
			t.Errorf("Parse(%q) error: %v", tt.expr, err)
			continue
		}
		if got := s.Next(from); !got.Equal(tt.next) {
			t.Errorf("Parse(%q).Next(%v) = %v, want %v", tt.expr, from, got, tt.next)
		}
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		expr string
		want string // a fragment of the message
	}{
		{"", "empty; want five fields"},
		{"   ", "empty; want five fields"},
		{"* * *", "expected 5 to 6 fields, found 3"},
		{"* * * * * * *", "expected 5 to 6 fields, found 7"},
		{"60 * * * *", "above maximum (59)"},
		{"* 24 * * *", "above maximum (23)"},
		{"*/0 * * * *", "step of range should be a positive number"},
		{"five * * * *", "failed to parse int from five"},
		{"@hourlyy", "unrecognized descriptor: @hourlyy"},
		{"@every", "unrecognized descriptor"},
		{"@every soon", `@every: time: invalid duration "soon"`},
		{"@every 500ms", "whole number of seconds, at least 1s"},
		{"@every 1500ms", "whole number of seconds"},
		{"@every -5s", "at least 1s"},
		{"CRON_TZ=UTC", "CRON_TZ=UTC must be followed by a schedule"},
		{"TZ=Nowhere/City * * * * *", "bad location Nowhere/City"},
	}
	for _, tt := range tests {
		s, err := Parse(tt.expr)
		if err == nil {
			t.Errorf("Parse(%q) = %v, want an error", tt.expr, s)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "invalid cron expression "+strconv.Quote(tt.expr)+": ") || !strings.Contains(msg, tt.want) {
			t.Errorf("Parse(%q) error = %q, want it to name the expression and contain %q", tt.expr, msg, tt.want)
		}
	}
}
