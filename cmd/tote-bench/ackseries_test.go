package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestSummariseSpreadsTheRunsAndCountsThoseWithinTheGoal(t *testing.T) {
	run := func(sender, handler float64, drained int, floor *floorResult) *AckResult {
		r := &AckResult{ServerP99ms: handler, Drained: drained, FloorDraining: floor}
		r.P99ms = sender
		r.SenderAnswer.P99ms = sender - 1 // the sender took each request up a millisecond late
		return r
	}
	floor := func(p99 float64) *floorResult {
		f := &floorResult{}
		f.P99ms = p99
		return f
	}
	s := summarise([]*AckResult{
		run(12.5, 9.0, 3000, floor(6)),
		run(8.0, 7.5, 3500, nil),
		run(10.0, 9.5, 2000, floor(4)),
		run(9.9, 8.0, 4000, floor(12)),
	}, 10)
	if s.WithinGoal != 3 {
		t.Errorf("within the goal: %d runs, want 3 (10.0 ms is within 10)", s.WithinGoal)
	}
	if want := (spread{Min: 8, Median: 9.95, Max: 12.5}); s.SenderP99 != want {
		t.Errorf("sender p99 %+v, want %+v (an even count's median is the mean of the middle two)", s.SenderP99, want)
	}
	if want := (spread{Min: 7, Median: 8.95, Max: 11.5}); s.AnswerP99 != want {
		t.Errorf("p99 from when the sender took requests up %+v, want %+v", s.AnswerP99, want)
	}
	if want := (spread{Min: 7.5, Median: 8.5, Max: 9.5}); s.HandlerP99 != want {
		t.Errorf("handler p99 %+v, want %+v", s.HandlerP99, want)
	}
	if want := (spread{Min: 2000, Median: 3250, Max: 4000}); s.Drained != want {
		t.Errorf("drained %+v, want %+v", s.Drained, want)
	}
	if want := (spread{Min: 4, Median: 6, Max: 12}); s.FloorDrainingP99 == nil || *s.FloorDrainingP99 != want {
		t.Errorf("floor p99 %+v, want %+v over the three runs that measured it", s.FloorDrainingP99, want)
	}

	var out bytes.Buffer
	s.print(&out)
	for _, want := range []string{"over 4 runs", "least 8.00, median 9.95, most 12.50", "at most 10 ms in 3 of 4", "took each request up, p99 least 7.00, median 8.95", "median 3250"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the summary lacks %q:\n%s", want, out.String())
		}
	}

	if s := summarise([]*AckResult{run(11, 9, 1, nil)}, 10); s.WithinGoal != 0 || s.SenderP99.Median != 11 || s.FloorDrainingP99 != nil {
		t.Errorf("one run over the goal, no floor: %+v", s)
	}
}
