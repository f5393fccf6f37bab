// Package worker drains the inbox: it claims events, runs their pipelines in
// apply mode, and finishes, reschedules (exponential backoff with jitter,
// honouring a connector's retry-after) or buries each one after its retry
// budget.
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/cpugate"
	"github.com/toteworks/tote/engine/personal"
	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/state"
)

// Worker drains the inbox.
type Worker struct {
	Engine *run.Engine
	Store  *state.Store
	// Concurrency is how many runs go at once (default 8), and how many
	// settlements of runs that are over may wait for their commit.
	Concurrency int
	// CPUSlots, when positive, is how many of those runs compute at once;
	// the others wait on vendors, commits or a slot (see cpugate). Zero
	// bounds nothing (the default).
	CPUSlots int
	// Lease is how long a claimed item is ours before another start may
	// take it back (default 5m).
	Lease time.Duration
	// MaxAttempts is the retry budget per item, first attempt included
	// (default 8); then the item is dead.
	MaxAttempts int
	// Backoff and MaxBackoff shape the delay between attempts (1s, 10m).
	Backoff, MaxBackoff time.Duration
	Clock               func() time.Time
	// After is time.After, injectable.
	After  func(time.Duration) <-chan time.Time
	Logger *slog.Logger
	// MaxWait bounds how long an event may wait for its targets to be
	// ready before it is dead (default 30 days).
	MaxWait time.Duration
	// PollInterval bounds how long an idle worker waits before looking
	// for work (default 1s).
	PollInterval time.Duration
	// Wake, when signalled, makes the worker look for work at once; the
	// ingress and the scheduler signal it after each enqueue.
	Wake chan struct{}
	// OnSettled, if set, is called after each item settles (tests, metrics).
	OnSettled func(item state.Item, res *run.Result, outcome Outcome)
	// Fence, when set, is the state lease this worker claims under: a claim
	// fails once it is lost, and an item settles only under its own claim.
	Fence *state.Fence
	// ReclaimEvery is how often items whose lease expired (their run hung,
	// or their settlement failed for good) go back to pending (default
	// Lease/2).
	ReclaimEvery time.Duration
	// SettleAttempts bounds the tries of one settlement (default 6), with
	// backoff from SettleBackoff (default 100ms) up to 5s.
	SettleAttempts int
	SettleBackoff  time.Duration
	// SettleFunc commits a settlement (Store.Settle; tests inject faults).
	SettleFunc func(context.Context, state.Settlement) error

	mu sync.Mutex
	// inFlight are the items claimed and not yet settled, by id. They
	// point into their claim's slice, which nothing changes: items of
	// their size by value made the map's churn a cost per item.
	inFlight map[int64]*state.Item
}

// Outcome is how an item settled.
type Outcome string

// Outcomes.
const (
	Finished    Outcome = "done"
	Rescheduled Outcome = "retry"
	Buried      Outcome = "dead"
	// Parked: a write's outcome is unknown and cannot be read back; the
	// item waits for a person (tote retry).
	Parked Outcome = "parked"
)

func (w *Worker) defaults() {
	if w.Concurrency <= 0 {
		w.Concurrency = 8
	}
	if w.Lease <= 0 {
		w.Lease = 5 * time.Minute
	}
	if w.MaxAttempts <= 0 {
		w.MaxAttempts = 8
	}
	if w.Backoff <= 0 {
		w.Backoff = time.Second
	}
	if w.MaxBackoff <= 0 {
		w.MaxBackoff = 10 * time.Minute
	}
	if w.Clock == nil {
		w.Clock = time.Now
	}
	if w.PollInterval <= 0 {
		w.PollInterval = time.Second
	}
	if w.MaxWait <= 0 {
		w.MaxWait = 30 * 24 * time.Hour
	}
	if w.After == nil {
		w.After = time.After
	}
	if w.Logger == nil {
		w.Logger = slog.New(slog.DiscardHandler)
	}
	if w.Wake == nil {
		w.Wake = make(chan struct{}, 1)
	}
	if w.ReclaimEvery <= 0 {
		w.ReclaimEvery = w.Lease / 2
	}
	if w.SettleAttempts <= 0 {
		w.SettleAttempts = 6
	}
	if w.SettleFunc == nil {
		w.SettleFunc = w.Store.Settle
	}
	if w.SettleBackoff <= 0 {
		w.SettleBackoff = 100 * time.Millisecond
	}
}

// Run claims and runs items until intake is cancelled, then waits for the
// runs in flight. Those runs use runCtx, which the caller cancels when its
// grace period is over; an interrupted item is rescheduled and runs again
// on the next start.
func (w *Worker) Run(intake, runCtx context.Context) error {
	w.defaults()
	// A run holds a slot until it is over; its settlement, waiting for
	// its commit, holds one of settling instead. Were it to keep its slot
	// for the commit's round trip, most slots would be waiting for the
	// writer and too few items running to keep it busy.
	slots := make(chan struct{}, w.Concurrency)
	settling := make(chan struct{}, w.Concurrency)
	cpu := cpugate.New(w.CPUSlots)
	var wg sync.WaitGroup
	defer wg.Wait()
	// Items run on a pool of up to 2*Concurrency runners (running or
	// settling) that live as long as the worker: a runner's stack, grown by
	// its first run, stays grown, where a goroutine per item grew a new one
	// for every run.
	work := make(chan *state.Item)
	defer close(work)
	pool := 0
	// done wakes the loop when a run frees its slot; a pending wake-up is
	// enough, so senders never block.
	done := make(chan struct{}, 1)
	serve := func(it *state.Item) {
		defer w.untrack(it.ID)
		ctx, exit := cpu.Enter(runCtx)
		w.process(ctx, it, func() {
			// The run is over: its settlement waits on the writer, and
			// its CPU slot is another run's.
			exit()
			settling <- struct{}{}
			<-slots
			select {
			case done <- struct{}{}:
			default:
			}
		})
		<-settling
	}
	startItem := func(it *state.Item) {
		slots <- struct{}{}
		select {
		case work <- it:
		default:
			if pool < 2*w.Concurrency {
				pool++
				wg.Add(1)
				go func() {
					defer wg.Done()
					keepStack(func() {
						serve(it)
						for it := range work {
							serve(it)
						}
					})
				}()
			} else {
				work <- it // a runner is between two items
			}
		}
	}
	// Claims run beside the loop, one at a time, for up to Concurrency
	// items beyond those running: when a run is over, the next item is
	// ready, instead of a claim's commit later. What is claimed and never
	// started is given back when the worker stops.
	//
	// Items are queued, run and settled (Settlement.Claimed) by pointer
	// into their claim's slice, which nothing changes: copies of items
	// this size, queued and each moved to the heap to be settled, were a
	// cost per item run.
	var queue []*state.Item
	enqueue := func(items []state.Item) {
		for i := range items {
			queue = append(queue, &items[i])
		}
	}
	claims := make(chan claimed, 1)
	claiming := false
	more := true // the last claim found all it asked for, or something changed since
	defer func() {
		if claiming {
			r := <-claims
			w.trackAll(r.items, true)
			enqueue(r.items)
		}
		left := make([]state.Item, len(queue))
		for i, it := range queue {
			left[i] = *it
		}
		w.giveBack(context.WithoutCancel(intake), left)
	}()
	lastReclaim := w.Clock()
	for {
		if intake.Err() != nil {
			return nil
		}
		if now := w.Clock(); now.Sub(lastReclaim) >= w.ReclaimEvery {
			lastReclaim = now
			w.Reclaim(intake)
		}
		for len(queue) > 0 && len(slots) < w.Concurrency {
			startItem(queue[0])
			queue = queue[1:]
		}
		if want := 2*w.Concurrency - len(slots) - len(queue); !claiming && more && want > 0 {
			claiming = true
			go func() {
				// Not cancelled with intake: a claim cut short might still
				// commit, and its items would then wait out their lease
				// instead of being given back.
				items, err := w.claim(context.WithoutCancel(intake), want)
				claims <- claimed{items: items, asked: want, err: err}
			}()
		}
		// Without a claim to wait for, look again when the next item falls
		// due, and at least every PollInterval: another process (tote
		// retry) may have queued work. With every slot busy, only a
		// finished run (or a reclaim) matters.
		var timer <-chan time.Time
		if !claiming {
			wait := min(w.PollInterval, max(lastReclaim.Add(w.ReclaimEvery).Sub(w.Clock()), time.Millisecond))
			if !more {
				if next, ok, err := w.Store.NextDue(intake); err == nil && ok {
					wait = min(wait, max(next.Sub(w.Clock()), time.Millisecond))
				} else if err != nil && intake.Err() == nil {
					w.Logger.Error("reading the inbox", "err", err)
				}
			}
			timer = w.After(wait)
		}
		select {
		case <-intake.Done():
			return nil
		case r := <-claims:
			claiming = false
			if r.err != nil && intake.Err() == nil {
				w.Logger.Error("claiming inbox items", "err", r.err)
			}
			w.trackAll(r.items, true)
			enqueue(r.items)
			more = len(r.items) == r.asked // there may be more
		case <-w.Wake:
			more = true
		case <-done:
			more = true
		case <-timer:
			more = true
		}
	}
}

// claimed is what one claim brought.
type claimed struct {
	items []state.Item
	asked int
	err   error
}

// giveBack returns items claimed and never started to the inbox.
func (w *Worker) giveBack(ctx context.Context, items []state.Item) {
	if len(items) == 0 {
		return
	}
	if err := w.Store.Unclaim(ctx, items); err != nil {
		w.Logger.Warn("giving back items claimed but not run; they run once their lease expires", "items", len(items), "err", err)
	}
	w.trackAll(items, false)
}

func (w *Worker) claim(ctx context.Context, n int) ([]state.Item, error) {
	if w.Fence != nil {
		return w.Store.ClaimFenced(ctx, *w.Fence, n, w.Lease)
	}
	return w.Store.Claim(ctx, n, w.Lease)
}

// Reclaim returns items whose lease has expired to pending: their run
// hung past its lease, or their settlement failed for good. A late
// settlement of such an item is refused (its claim is gone), so it never
// overwrites the outcome of the run that follows.
func (w *Worker) Reclaim(ctx context.Context) {
	// The items this worker is running are alive: their leases go on.
	w.mu.Lock()
	live := make([]state.Item, 0, len(w.inFlight))
	for _, it := range w.inFlight {
		live = append(live, *it)
	}
	w.mu.Unlock()
	if err := w.Store.ExtendClaims(ctx, w.Lease, live); err != nil {
		if ctx.Err() == nil {
			w.Logger.Error("extending the leases of running items", "err", err)
		}
		return
	}
	n, err := w.Store.RecoverRunning(ctx, false)
	if err != nil && ctx.Err() == nil {
		w.Logger.Error("reclaiming expired items", "err", err)
	} else if n > 0 {
		w.Logger.Warn("reclaimed items whose lease expired", "items", n)
	}
}

func (w *Worker) trackAll(items []state.Item, running bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.inFlight == nil {
		w.inFlight = map[int64]*state.Item{}
	}
	for i := range items {
		if running {
			w.inFlight[items[i].ID] = &items[i]
		} else {
			delete(w.inFlight, items[i].ID)
		}
	}
}

func (w *Worker) untrack(id int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.inFlight, id)
}

// settle commits a settlement, trying again with backoff when the store
// fails, a bounded number of times. A settlement whose claim is gone is
// dropped at once: a newer claim owns the item.
func (w *Worker) settle(ctx context.Context, st state.Settlement) error {
	var err error
	for i := 1; ; i++ {
		err = w.SettleFunc(ctx, st)
		if err == nil || errors.Is(err, state.ErrClaimLost) || i >= w.SettleAttempts {
			return err
		}
		w.Logger.Warn("settling inbox item failed; trying again", "item", st.ItemID, "attempt", i, "err", err)
		// (No cpugate.Wait: a settlement runs after its run left the gate.)
		<-w.After(run.Backoff(w.SettleBackoff, 5*time.Second, i))
	}
}

// RunID names the run of one attempt of one item, "<item>.<attempt>". An
// item whose attempts started afresh (tote retry, a wait) names its runs
// "<item>.<attempt>.r<generation>", so earlier runs keep their records.
func (w *Worker) RunID(it state.Item) string {
	if it.Generation > 1 {
		return fmt.Sprintf("%d.%d.r%d", it.ID, it.Attempts, it.Generation)
	}
	return fmt.Sprintf("%d.%d", it.ID, it.Attempts)
}

// process runs an item and settles it; over is called once the run is,
// before its settlement.
func (w *Worker) process(ctx context.Context, claimed *state.Item, over func()) {
	it := *claimed
	t := w.trigger(it)
	res, rec, ev := w.runItem(ctx, it, t)
	over()
	outcome := Finished
	st := state.Settlement{Run: rec.Run, Attempts: rec.Attempts, ItemID: it.ID, Outcome: state.ItemDone, Claimed: claimed}
	st.Run.ItemID, st.Run.Attempt = it.ID, it.Attempts
	switch {
	case res.Err == nil && res.Deferred > 0 && w.Clock().Sub(it.CreatedAt) > w.MaxWait:
		outcome = Buried
		msg := fmt.Sprintf("gave up waiting after %s: %s", w.MaxWait, waitingText(res))
		st.Outcome, st.LastError = state.ItemDead, msg
		st.Run.Status, st.Run.Error = state.RunDead, msg
	case res.Err == nil && res.Deferred > 0:
		// Some writes wait for their target (a SKU ShipStation does not
		// know yet): the event stays, and waiting is no failed attempt.
		outcome = Rescheduled
		st.Outcome, st.NotBefore, st.ResetAttempts = state.ItemPending, w.Clock().Add(res.Deferred), true
		st.LastError = "waiting: " + waitingText(res)
	case res.Err == nil:
	case res.Parked:
		outcome = Parked
		msg := res.Err.Error()
		st.Outcome, st.LastError = state.ItemParked, msg
		st.Run.Status, st.Run.Error = state.RunParked, msg
	case ctx.Err() != nil:
		// Shutting down: the item goes back to the queue for the next start.
		outcome = Rescheduled
		st.Outcome, st.NotBefore, st.LastError = state.ItemPending, w.Clock(), "interrupted by shutdown"
	case res.Permanent || it.Attempts >= w.MaxAttempts:
		outcome = Buried
		msg := res.Err.Error()
		if !res.Permanent {
			msg = fmt.Sprintf("gave up after %d attempts: %s", it.Attempts, msg)
		}
		st.Outcome, st.LastError = state.ItemDead, msg
		st.Run.Status, st.Run.Error = state.RunDead, msg
	default:
		outcome = Rescheduled
		delay := max(run.Backoff(w.Backoff, w.MaxBackoff, it.Attempts), res.RetryAfter)
		st.Outcome, st.NotBefore, st.LastError = state.ItemPending, w.Clock().Add(delay), res.Err.Error()
	}
	if st.Run.ID == "" {
		st.Run = state.Run{} // the event never became a run (it could not be decoded)
	}
	st.Subjects, st.Intents, st.Links = rec.Subjects, rec.Intents, rec.Links
	if len(rec.Resolved) > 0 {
		st.Event = personal.JSON(rec.Resolved)
	}
	if err := w.settle(context.WithoutCancel(ctx), st); errors.Is(err, state.ErrClaimLost) {
		w.Logger.Warn("the item was claimed again meanwhile; this run's outcome is not recorded", "item", it.ID, "run", st.Run.ID)
	} else if err != nil {
		w.Logger.Error("settling inbox item failed; it runs again once its lease expires", "item", it.ID, "err", err)
	}
	level := slog.LevelInfo
	if res.Err != nil {
		level = slog.LevelWarn
	}
	var subjects []any
	if w.Logger.Enabled(ctx, level) { // the orders and SKUs are read only for a line that is written
		subjects = subjectAttrs(t, ev, rec.Subjects) // last, after the attributes every line has
	}
	if res.Err == nil && res.Deferred > 0 {
		w.Logger.Info("run waits", append([]any{"pipeline", it.Pipeline, "trigger", it.Trigger, "item", it.ID, "retry_in", res.Deferred.String(),
			"writes", res.Writes, "waiting", waitingText(res)}, subjects...)...)
	} else if res.Err != nil {
		w.Logger.Warn("run failed", append([]any{"pipeline", it.Pipeline, "trigger", it.Trigger, "item", it.ID,
			"attempt", it.Attempts, "outcome", string(outcome), "err", res.Err.Error()}, subjects...)...)
	} else {
		w.Logger.Info("run finished", append([]any{"pipeline", it.Pipeline, "trigger", it.Trigger, "item", it.ID, "writes", res.Writes}, subjects...)...)
	}
	if w.OnSettled != nil {
		w.OnSettled(it, res, outcome)
	}
}

// runItem runs it, whose trigger is t, and returns the event it decoded
// too.
func (w *Worker) runItem(ctx context.Context, it state.Item, t *compile.Trigger) (*run.Result, run.Record, run.Event) {
	ev := run.Event{Pipeline: it.Pipeline, Trigger: it.Trigger, Key: it.Key}
	if t != nil {
		data, err := run.DecodeEvent(t, it.Payload)
		if err != nil {
			return &run.Result{Err: err, Permanent: true}, run.Record{}, ev
		}
		ev.Data = data
	}
	res, rec := w.Engine.ExecuteDeferred(ctx, ev, w.RunID(it))
	return res, rec, ev
}

// trigger is the compiled trigger of it's event, nil when the program has
// none by that name.
func (w *Worker) trigger(it state.Item) *compile.Trigger {
	if pl := w.Engine.Program().Pipeline(it.Pipeline); pl != nil && it.Trigger != "" {
		return pl.Trigger(it.Trigger)
	}
	return nil
}

func waitingText(res *run.Result) string {
	var parts []string
	for _, f := range res.Plan.Waiting {
		parts = append(parts, f.Address+": "+f.Error)
	}
	return strings.Join(parts, "; ")
}
