package run

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/cpugate"
	"github.com/toteworks/tote/engine/state"
)

// retry calls fn under the step's timeout, as often as its retry block
// allows, backing off exponentially with jitter and honouring a retry-after
// the connector reports. Permanent errors are not retried. Each attempt is
// recorded.
func (x *execution) retry(ctx context.Context, n *compile.Node, addr string, fn func(context.Context) error) error {
	attempts, backoff, maxDelay := 1, time.Second, time.Minute
	if r := n.Step.Retry; r != nil {
		attempts, backoff, maxDelay = r.Attempts, r.Backoff, r.MaxDelay
	}
	for i := 1; ; i++ {
		started := x.e.opts.Clock()
		cctx, cancel := ctx, context.CancelFunc(func() {})
		if n.Step.Timeout > 0 {
			cctx, cancel = context.WithTimeout(ctx, n.Step.Timeout)
		}
		err := fn(cctx)
		cancel()
		x.recordAttempt(addr, i, started, err)
		if err == nil {
			return nil
		}
		_, deferred := connectors.Deferred(err)
		if i >= attempts || connectors.IsPermanent(err) || deferred || ctx.Err() != nil {
			return err
		}
		wait := Backoff(backoff, maxDelay, i)
		if ra, ok := connectors.RetryAfter(err); ok {
			if ra > maxDelay {
				return err // longer than this step waits: the run is retried later
			}
			wait = max(wait, ra)
		}
		t := time.NewTimer(wait)
		resume := cpugate.Wait(ctx)
		select {
		case <-t.C:
			resume()
		case <-ctx.Done():
			t.Stop()
			resume()
			return err
		}
	}
}

// Backoff is the delay before attempt n+1: base doubled per attempt, capped,
// with full jitter over its upper half so retries of many runs spread out.
func Backoff(base, ceiling time.Duration, attempt int) time.Duration {
	d := base
	for i := 1; i < attempt && d < ceiling; i++ {
		d *= 2
	}
	d = min(d, ceiling)
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

func (x *execution) recordAttempt(addr string, attempt int, started time.Time, err error) {
	if x.runID == "" || x.mode != Apply {
		return
	}
	a := state.StepAttempt{RunID: x.runID, Step: addr, Attempt: attempt, Status: "succeeded",
		StartedAt: started, FinishedAt: x.e.opts.Clock()}
	if err != nil {
		a.Status, a.Error = "failed", x.redact.String(err.Error())
	}
	x.mu.Lock()
	x.attempts = append(x.attempts, a)
	x.mu.Unlock()
}
