// Package schedule fires tote's cron triggers. It parses cron expressions
// with robfig/cron's parser, keeps a persisted watermark per entry (the last
// tick fired), catches up on ticks missed while tote was down, capped, and
// hands each tick to a callback that enqueues the run.
package schedule

import "time"

// Clock returns the current time. The Scheduler reads time only through
// one, so tests drive it explicitly.
type Clock func() time.Time
