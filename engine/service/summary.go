package service

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/toteworks/tote/engine/state"
	"github.com/toteworks/tote/engine/worker"
)

// summary counts what the service did between two summary log lines. It
// observes vendor calls as a connectors.CallObserver.
type summary struct {
	done, retried, dead, calls, throttled atomic.Int64
	// Webhook deliveries stored, and the longest a sender of one waited
	// (nanoseconds): a minute's worst acknowledgement, for operators who
	// read the log rather than tote_webhook_ack_seconds.
	webhooks, ackMax atomic.Int64
}

// delivered counts a stored delivery that took took.
func (s *summary) delivered(took time.Duration) {
	s.webhooks.Add(1)
	for {
		m := s.ackMax.Load()
		if int64(took) <= m || s.ackMax.CompareAndSwap(m, int64(took)) {
			return
		}
	}
}

func (s *summary) VendorCall(time.Duration) { s.calls.Add(1) }
func (s *summary) VendorThrottled()         { s.throttled.Add(1) }

func (s *summary) settled(o worker.Outcome) {
	switch o {
	case worker.Finished:
		s.done.Add(1)
	case worker.Rescheduled:
		s.retried.Add(1)
	case worker.Buried:
		s.dead.Add(1)
	}
}

// log writes one line with the counts since the previous line, and the
// queue as it is now.
func (s *summary) log(ctx context.Context, store *state.Store, now time.Time, logger *slog.Logger) {
	var pending, waiting, running, dead int
	queues, err := store.QueueDepths(ctx, now)
	if err != nil {
		logger.Error("summary: reading the queue", "err", err)
	}
	for _, q := range queues {
		pending, waiting, running, dead = pending+q.Pending, waiting+q.Waiting, running+q.Running, dead+q.Dead
	}
	logger.Info("summary", "done", s.done.Swap(0), "failed", s.retried.Swap(0), "dead", s.dead.Swap(0),
		"queue_pending", pending, "queue_waiting", waiting, "queue_running", running, "queue_dead", dead,
		"vendor_calls", s.calls.Swap(0), "rate_limited", s.throttled.Swap(0),
		"webhooks", s.webhooks.Swap(0), "slowest_ack", time.Duration(s.ackMax.Swap(0)).Round(100*time.Microsecond))
}

// loop logs a summary on every tick until ctx is done.
func (s *summary) loop(ctx context.Context, tick <-chan time.Time, store *state.Store, clock func() time.Time, logger *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			s.log(ctx, store, clock(), logger)
		}
	}
}
