package main

import (
	"context"
	"time"
)

// schedule is an open-loop schedule: request i is due i periods after the
// start, whatever became of the ones before it, and its latency counts
// from then, so a slow answer hides none queued behind it (no coordinated
// omission). The sender and the floor probe keep it.
type schedule struct {
	start  time.Time
	period time.Duration
}

// newSchedule starts a schedule of rate requests a second now.
func newSchedule(rate float64) schedule {
	return schedule{start: time.Now(), period: time.Duration(float64(time.Second) / rate)}
}

// due is when request i is due.
func (s schedule) due(i int) time.Time { return s.start.Add(time.Duration(i) * s.period) }

// run calls send with each of n requests when it is due, from one loop
// that wakes once for all the requests then due (not once a request, whose
// wake-ups would take a core from what is measured), and returns how many
// it sent: fewer if ctx ended first.
func (s schedule) run(ctx context.Context, n int, send func(i int)) int {
	i := 0
	for i < n {
		now := time.Now()
		for ; i < n && !s.due(i).After(now); i++ {
			send(i)
		}
		if i < n {
			if ctx.Err() != nil {
				return i
			}
			sleepFor(min(s.due(i).Sub(now), maxSleep))
		}
	}
	return i
}

// maxSleep bounds one sleep of the schedule, so that it sees its context
// end promptly.
const maxSleep = 10 * time.Millisecond
