package schedule

import (
	"slices"
	"time"

	"github.com/robfig/cron/v3"
)

// Due returns the ticks of s in (watermark, now] to fire, oldest first,
// keeping only the latest maxCatchUp of them; dropped is how many older ones
// were left out. maxCatchUp <= 0 counts as 1, so a due tick always fires.
// A zero watermark means a first start: nothing is due, and the caller
// should take now as the watermark.
//
// The watermark is read in now's zone, so a schedule without CRON_TZ keeps
// the clock's wall time even when the stored watermark comes back in UTC.
func Due(s cron.Schedule, watermark, now time.Time, maxCatchUp int) (ticks []time.Time, dropped int) {
	if watermark.IsZero() {
		return nil, 0
	}
	maxCatchUp = max(maxCatchUp, 1)
	// ring keeps the latest maxCatchUp ticks; total counts all of them.
	var ring []time.Time
	total := 0
	prev := watermark.In(now.Location())
	for t := s.Next(prev); !t.IsZero() && !t.After(now) && t.After(prev); prev, t = t, s.Next(t) {
		if len(ring) < maxCatchUp {
			ring = append(ring, t)
		} else {
			ring[total%maxCatchUp] = t
		}
		total++
	}
	if total <= maxCatchUp {
		return ring, 0
	}
	start := total % maxCatchUp
	return slices.Concat(ring[start:], ring[:start]), total - maxCatchUp
}
