package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"
)

// retryDelay is how long a failed tick waits before it is fired again,
// unless the entry's next tick comes sooner.
const retryDelay = 30 * time.Second

// Entry is one cron trigger.
type Entry struct {
	Name     string // unique; the key of its watermark
	Schedule cron.Schedule
	// MaxCatchUp caps how many ticks missed during downtime fire, the
	// latest ones; <= 0 means 1.
	MaxCatchUp int
}

// Watermarks persists the last tick fired for each entry.
type Watermarks interface {
	// Watermark returns the stored tick; ok is false if there is none.
	Watermark(ctx context.Context, name string) (t time.Time, ok bool, err error)
	SetWatermark(ctx context.Context, name string, t time.Time) error
}

// Scheduler fires the ticks of its entries.
type Scheduler struct {
	Entries []Entry
	Clock   Clock // default time.Now
	// After waits like time.After, its default; tests inject their own.
	After      func(d time.Duration) <-chan time.Time
	Watermarks Watermarks
	// Fire hands one tick on, e.g. into the inbox. The entry's watermark
	// advances to tick only once Fire returns nil; on an error the tick
	// stays due and is fired again later.
	Fire   func(ctx context.Context, e Entry, tick time.Time) error
	Logger *slog.Logger // default discards
}

// Run fires ticks until ctx is done, then returns nil. It first loads each
// entry's watermark (storing now for an entry seen for the first time) and
// catches up on what fell due meanwhile, capped by MaxCatchUp. Then it
// sleeps until the earliest next tick and fires what is due, in entry order.
// A failed Fire is logged and retried after 30 seconds or at the entry's
// next tick, whichever is sooner. It returns an error only for an invalid
// configuration or a watermark store that fails at start.
//
// If saving a watermark fails after a successful Fire, the failure is logged
// and the tick is not fired again while Run lasts; after a restart the older
// stored watermark makes it due once more, so Fire must be idempotent per
// (entry, tick).
func (s *Scheduler) Run(ctx context.Context) error {
	if err := s.validate(); err != nil {
		return err
	}
	clock, after, log := s.Clock, s.After, s.Logger
	if clock == nil {
		clock = time.Now
	}
	if after == nil {
		after = time.After
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}

	marks, err := s.loadWatermarks(ctx, clock(), log)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	for {
		now := clock()
		var wake time.Time
		for i, e := range s.Entries {
			ok := s.fireDue(ctx, e, &marks[i], now, log)
			if ctx.Err() != nil {
				return nil
			}
			next := e.Schedule.Next(marks[i].In(now.Location()))
			if !ok {
				next = earliest(e.Schedule.Next(now), now.Add(retryDelay))
			}
			wake = earliest(wake, next)
		}
		var timer <-chan time.Time // nil, waiting forever, if nothing will fire
		if !wake.IsZero() {
			// Measured afresh: firing may have taken a while.
			timer = after(max(wake.Sub(clock()), 0))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-timer:
		}
	}
}

func (s *Scheduler) validate() error {
	if s.Watermarks == nil || s.Fire == nil {
		return errors.New("schedule: Watermarks and Fire must be set")
	}
	seen := map[string]bool{}
	for i, e := range s.Entries {
		switch {
		case e.Name == "":
			return fmt.Errorf("schedule: entry %d has no name", i)
		case seen[e.Name]:
			return fmt.Errorf("schedule: duplicate entry %q", e.Name)
		case e.Schedule == nil:
			return fmt.Errorf("schedule: entry %q has no schedule", e.Name)
		}
		seen[e.Name] = true
	}
	return nil
}

// loadWatermarks reads every entry's watermark. An entry without one starts
// now, and that is stored so that downtime before its first tick is caught
// up after a restart.
func (s *Scheduler) loadWatermarks(ctx context.Context, now time.Time, log *slog.Logger) ([]time.Time, error) {
	marks := make([]time.Time, len(s.Entries))
	for i, e := range s.Entries {
		t, ok, err := s.Watermarks.Watermark(ctx, e.Name)
		if err != nil {
			return nil, fmt.Errorf("schedule: load watermark of %q: %w", e.Name, err)
		}
		if !ok || t.IsZero() {
			t = now
			if err := s.Watermarks.SetWatermark(ctx, e.Name, t); err != nil {
				return nil, fmt.Errorf("schedule: store first watermark of %q: %w", e.Name, err)
			}
			log.Info("schedule: first start, nothing to catch up", "entry", e.Name, "watermark", t)
		}
		marks[i] = t
	}
	return marks, nil
}

// fireDue fires e's due ticks in order, advancing *mark after each success.
// It reports false if a Fire failed, leaving that tick and later ones due.
func (s *Scheduler) fireDue(ctx context.Context, e Entry, mark *time.Time, now time.Time, log *slog.Logger) bool {
	ticks, dropped := Due(e.Schedule, *mark, now, e.MaxCatchUp)
	if dropped > 0 {
		log.Warn("schedule: catch-up capped, older missed ticks not fired",
			"entry", e.Name, "dropped", dropped, "fired", len(ticks))
	}
	for _, tick := range ticks {
		if ctx.Err() != nil {
			return true
		}
		if err := s.Fire(ctx, e, tick); err != nil {
			if ctx.Err() == nil {
				log.Error("schedule: fire failed, will retry", "entry", e.Name, "tick", tick, "err", err)
			}
			return false
		}
		*mark = tick
		if err := s.Watermarks.SetWatermark(ctx, e.Name, tick); err != nil {
			log.Error("schedule: save watermark failed", "entry", e.Name, "tick", tick, "err", err)
		}
	}
	return true
}

// earliest returns the earlier of two times, a zero time counting as never.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}
