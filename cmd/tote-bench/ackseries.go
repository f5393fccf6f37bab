package main

import (
	"fmt"
	"io"
	"slices"
)

// AckSeries is the ack bench run several times, one after another
// (-runs): on a shared machine one run's p99 says little of the next, so
// a figure to compare with a goal is a spread, with how many runs met it.
type AckSeries struct {
	Runs   []*AckResult `json:"runs"`
	GoalMs float64      `json:"goal_ms"`
	// WithinGoal counts the runs whose sender p99 was at most GoalMs.
	WithinGoal int    `json:"within_goal"`
	SenderP99  spread `json:"sender_p99_ms"`
	// AnswerP99 spreads the sender's p99 from when it took each request
	// up, without its own delay.
	AnswerP99  spread `json:"answer_p99_ms"`
	HandlerP99 spread `json:"handler_p99_ms"`
	Drained    spread `json:"drained"`
	// FloorDrainingP99 spreads the floor probe's p99 while the worker
	// drained, over the runs that measured it.
	FloorDrainingP99 *spread `json:"floor_draining_p99_ms,omitempty"`
}

// spread is the least, the median and the most of a figure over runs.
type spread struct {
	Min    float64 `json:"min"`
	Median float64 `json:"median"`
	Max    float64 `json:"max"`
}

// spreadOf returns the spread of vs, which must not be empty; the median
// of an even number is the mean of the middle two.
func spreadOf(vs []float64) spread {
	s := slices.Sorted(slices.Values(vs))
	n := len(s)
	median := s[n/2]
	if n%2 == 0 {
		median = (s[n/2-1] + s[n/2]) / 2
	}
	return spread{Min: s[0], Median: median, Max: s[n-1]}
}

// summarise spreads runs' figures and counts those within goalMs.
func summarise(runs []*AckResult, goalMs float64) *AckSeries {
	s := &AckSeries{Runs: runs, GoalMs: goalMs}
	var sender, answer, handler, drained, floor []float64
	for _, r := range runs {
		sender = append(sender, r.P99ms)
		answer = append(answer, r.SenderAnswer.P99ms)
		handler = append(handler, r.ServerP99ms)
		drained = append(drained, float64(r.Drained))
		if r.FloorDraining != nil {
			floor = append(floor, r.FloorDraining.P99ms)
		}
		if r.P99ms <= goalMs {
			s.WithinGoal++
		}
	}
	if len(runs) == 0 {
		return s
	}
	s.SenderP99, s.AnswerP99 = spreadOf(sender), spreadOf(answer)
	s.HandlerP99, s.Drained = spreadOf(handler), spreadOf(drained)
	if len(floor) > 0 {
		f := spreadOf(floor)
		s.FloorDrainingP99 = &f
	}
	return s
}

// printRun prints one line of run i of n, as it ends.
func printRun(w io.Writer, i, n int, r *AckResult) {
	fmt.Fprintf(w, "run %d of %d: sender p50 %.2f ms, p99 %.2f ms (taken up late by the sender: p99 %.2f ms; answered from then: p99 %.2f ms); handler p99 %.1f ms; %d acknowledged, %d failed; %d orders drained meanwhile",
		i, n, r.P50ms, r.P99ms, r.SenderLate.P99ms, r.SenderAnswer.P99ms, r.ServerP99ms, r.Acknowledged, r.Failed, r.Drained)
	if r.FloorDraining != nil {
		fmt.Fprintf(w, "; the floor's p99 %.2f ms while the worker drained alone", r.FloorDraining.P99ms)
	}
	fmt.Fprintln(w)
}

// print prints the series' spreads.
func (s *AckSeries) print(w io.Writer) {
	fmt.Fprintf(w, "over %d runs: sender p99 %s ms, at most %g ms in %d of %d; from when the sender took each request up, p99 %s ms; "+
		"handler p99 %s ms; orders drained meanwhile %s\n",
		len(s.Runs), s.SenderP99, s.GoalMs, s.WithinGoal, len(s.Runs), s.AnswerP99, s.HandlerP99, s.Drained.whole())
	if f := s.FloorDrainingP99; f != nil {
		fmt.Fprintf(w, "the machine's floor while the worker drained alone: p99 %s ms\n", f)
	}
}

func (s spread) String() string {
	return fmt.Sprintf("least %.2f, median %.2f, most %.2f", s.Min, s.Median, s.Max)
}

// whole prints a spread of counts.
func (s spread) whole() string {
	return fmt.Sprintf("least %.0f, median %.0f, most %.0f", s.Min, s.Median, s.Max)
}
