// Package service is `tote run`: one process that holds the state lease,
// serves the webhook ingress, fires cron and poll triggers, and drains the
// inbox with a worker pool, until its context ends; then it stops intake,
// lets in-flight runs finish within a grace period, and returns. In replica
// mode any number of them share one state, each under its own lease.
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/connlimit"
	"github.com/toteworks/tote/engine/ingress"
	"github.com/toteworks/tote/engine/intake"
	"github.com/toteworks/tote/engine/lease"
	"github.com/toteworks/tote/engine/metrics"
	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/schedule"
	"github.com/toteworks/tote/engine/state"
	"github.com/toteworks/tote/engine/worker"
	"github.com/zclconf/go-cty/cty"
)

// Options configure a service.
type Options struct {
	Listen string
	// Grace bounds how long in-flight runs may finish after intake stops.
	Grace       time.Duration
	Concurrency int
	// CPUSlots, when positive, is how many of the Concurrency runs
	// compute at once (the worker's CPUSlots; zero bounds nothing).
	CPUSlots    int
	MaxAttempts int
	Backoff     time.Duration
	MaxBackoff  time.Duration
	Clock       func() time.Time
	Logger      *slog.Logger
	// Ready, if set, is called with the listening address once the service
	// takes traffic.
	Ready func(addr string)
	// OnSettled is passed to the worker.
	OnSettled func(item state.Item, res *run.Result, outcome worker.Outcome)
	// PublicURL, when set, is where vendors deliver webhooks: every
	// SubscriptionEvery (default 5m) the registrations there are checked,
	// and missing or deactivated ones are created or re-activated.
	PublicURL         string
	SubscriptionEvery time.Duration
	// Since, when set, makes each poll trigger without a cursor (a first
	// start, or a pipeline new to this state) poll that far back at once.
	// Without it, such triggers are named in a warning with the command
	// that catches up.
	Since time.Duration
	// HTTP bounds the webhook server's clients.
	HTTP HTTPLimits
	// LeaseTTL is how long the state lease lasts without renewal (1m); it
	// is renewed every third of it.
	LeaseTTL time.Duration
	// SummaryEvery is how often a one-line summary is logged (events done,
	// failed and dead since the last, the queue, vendor calls, 429s);
	// default a minute, negative for never.
	SummaryEvery time.Duration
	// Status, when set, serves the status page: every path but the
	// webhooks' and the probes' goes to it.
	Status http.Handler
	// Retention, when its Records period is set, prunes the state at start
	// and every PruneEvery (default 1h).
	Retention  state.Retention
	PruneEvery time.Duration
	// HealthEvery is how often connections are checked (default 5m); see Health.
	HealthEvery time.Duration
	// Metrics, when set, are served at /metrics and fed by the ingress and
	// the worker. Vendor calls reach them through run.Options.Observer.
	Metrics *metrics.Metrics
	// Replica runs this service as one of several on the state, each with
	// a lease of its own (lease.Options.Replica): they all take webhooks,
	// claim items and fire schedules, and each tick is acted on once.
	Replica bool
	// ClaimLease is how long a claimed item is this service's before
	// another may take it back (the worker's Lease, default 5m). The items
	// of a replica whose own lease expired come back sooner.
	ClaimLease time.Duration
	// Intake, when set, has webhooks served by a process of their own.
	Intake *IntakeProcess
}

// SubscriptionsLease is the leader lease of webhook subscription repair:
// of several replicas, the one holding it repairs, the others skip.
const SubscriptionsLease = "subscriptions"

// pollTickClaim is how long a replica holds a poll tick it is polling
// before another may poll it; a poll that took longer is dropped, and the
// next tick covers its window from the cursor.
const pollTickClaim = 5 * time.Minute

// LeaseName is the state lease that makes one `tote run` per state file.
const LeaseName = lease.Name

// Run serves until ctx is done, or until the state lease is lost (then it
// stops claiming and writing at once and returns an error).
func Run(ctx context.Context, eng *run.Engine, opts Options) error {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Grace <= 0 {
		opts.Grace = 30 * time.Second
	}
	store := eng.Store()
	sum := &summary{}
	ctx = connectors.WithCallObserver(ctx, sum)
	held, release, err := lease.Hold(ctx, store, lease.Options{Kind: "run", TTL: opts.LeaseTTL, Clock: opts.Clock, Logger: opts.Logger,
		Replica: opts.Replica, Owner: eng.Owner()}, eng)
	if err != nil {
		return fmt.Errorf("taking the lease of the state file %s: %w", store.Path(), err)
	}
	defer release()
	fence := held.Fence()
	if opts.Replica {
		// Other replicas' claims are alive; those of replicas whose lease
		// expired are void.
		reap(ctx, store, opts.Logger)
	} else if n, err := store.RecoverRunning(ctx, true); err != nil {
		// Claims from before this lease are void: their holder is gone, or
		// is fenced off and can neither write nor settle.
		return fmt.Errorf("recovering interrupted items: %w", err)
	} else if n > 0 {
		opts.Logger.Info("requeued items interrupted by the last stop", "items", n)
	}
	ctx, stopOnLoss := context.WithCancelCause(ctx)
	defer stopOnLoss(nil)
	go func() {
		select {
		case <-held.Lost():
			stopOnLoss(errLeaseLost)
		case <-ctx.Done():
		}
	}()

	wake := make(chan struct{}, 1)
	var ready atomic.Bool
	health := NewHealth(eng, opts.Logger)
	h := &ingress.Handler{Engine: eng, Inbox: store, Logger: opts.Logger, Wake: wake, Ready: ready.Load, Status: opts.Status,
		NotReady: health.NotReady}
	rejected := observe(h, store, &opts, sum)
	stopRecording, recorded := make(chan struct{}), make(chan struct{})
	go func() { defer close(recorded); rejected.run(stopRecording) }()
	defer func() { close(stopRecording); <-recorded }()
	// The polls without a cursor are found (and, without -since, warned
	// about) before the service listens; their catch-up runs beside it.
	fresh, err := freshPolls(ctx, eng, store, opts)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return fmt.Errorf("listening: %w", err)
	}
	addr := ln.Addr().String()
	limits := opts.HTTP.withDefaults()
	var srv *http.Server
	var proc *intake.Process
	if opts.Intake != nil {
		// The public listener goes to the intake process; this process's
		// server takes what it passes on.
		own, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			ln.Close()
			return fmt.Errorf("listening: %w", err)
		}
		if proc, err = startIntake(ctx, ln, own.Addr().String(), store, h.Observer, signalWake(wake), opts); err != nil {
			ln.Close()
			own.Close()
			return err
		}
		ln, srv = own, newServer(trustIntake(h, proc), limits)
	} else {
		ln, srv = connlimit.Listen(ln, limits.MaxConns), newServer(h, limits)
	}

	runCtx, cancelRuns := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRuns()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs <- fmt.Errorf("serving: %w", err)
		}
	}()
	sched := scheduler(eng, store, opts, wake)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := catchUp(ctx, eng, store, opts, fresh, signalWake(wake)); err != nil {
			errs <- err
			return
		}
		if err := sched.Run(ctx); err != nil {
			errs <- fmt.Errorf("scheduler: %w", err)
		}
	}()
	w := &worker.Worker{Engine: eng, Store: store, Concurrency: opts.Concurrency, CPUSlots: opts.CPUSlots, MaxAttempts: opts.MaxAttempts,
		Backoff: opts.Backoff, MaxBackoff: opts.MaxBackoff, Clock: opts.Clock, Logger: opts.Logger, Wake: wake,
		OnSettled: func(item state.Item, res *run.Result, outcome worker.Outcome) {
			sum.settled(outcome)
			if opts.OnSettled != nil {
				opts.OnSettled(item, res, outcome)
			}
		},
		Fence: &fence, Lease: opts.ClaimLease}
	workerDone := make(chan struct{})
	go func() {
		defer close(workerDone)
		_ = w.Run(ctx, runCtx)
	}()
	if opts.Replica {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for sleep(ctx, held.TTL()/3) {
				reap(ctx, store, opts.Logger)
			}
		}()
	}
	if every := opts.SummaryEvery; every >= 0 {
		if every == 0 {
			every = time.Minute
		}
		t := time.NewTicker(every)
		defer t.Stop()
		wg.Add(1)
		go func() {
			defer wg.Done()
			sum.loop(ctx, t.C, store, opts.Clock, opts.Logger)
		}()
	}
	wg.Add(1)
	go func() { defer wg.Done(); health.Run(ctx, opts.HealthEvery) }()
	if opts.PublicURL != "" {
		wg.Add(1)
		go func() {
			defer wg.Done()
			repairSubscriptions(ctx, eng, opts)
		}()
	}

	if opts.Retention.Records > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			prunePeriodically(ctx, store, opts.Retention, opts.PruneEvery, opts.Logger)
		}()
	}

	if proc != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-proc.Exited():
				errs <- fmt.Errorf("the webhook intake process exited: %v", proc.Err())
			case <-ctx.Done():
			}
		}()
	}

	ready.Store(true)
	opts.Logger.Info("tote run is serving", "listen", addr)
	if opts.Ready != nil {
		opts.Ready(addr)
	}

	var failure error
	select {
	case <-ctx.Done():
		if errors.Is(context.Cause(ctx), errLeaseLost) {
			// Runs in flight cannot write any more (their fence fails);
			// they end at once and another process takes the items over.
			failure = errLeaseLost
			cancelRuns()
		}
	case failure = <-errs:
	}
	// Stop intake first: no new deliveries, no new ticks, no new claims.
	ready.Store(false)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), opts.Grace)
	defer cancel()
	if proc != nil {
		// The intake stops first, and what it took is moved into the
		// inbox; the runs in flight go on meanwhile, their grace
		// counted from the signal as without an intake process.
		if err := proc.Stop(shutdownCtx); err != nil {
			opts.Logger.Error("moving the intake's last deliveries into the state; they are moved on the next start", "err", err)
		}
	}
	// The server drains beside the runs, so clients that hold their
	// requests open (until their timeout, or the grace period's end, when
	// they are cut) take none of the runs' time.
	served := make(chan struct{})
	go func() {
		defer close(served)
		if err := srv.Shutdown(shutdownCtx); err != nil {
			_ = srv.Close()
		}
	}()
	select {
	case <-workerDone:
	case <-shutdownCtx.Done():
		opts.Logger.Warn("grace period over; interrupting runs still in flight", "grace", opts.Grace)
		cancelRuns()
		<-workerDone
	}
	<-served
	if failure == nil {
		wg.Wait()
	}
	stats := h.Stats()
	if proc != nil {
		stats = proc.Stats()
	}
	opts.Logger.Info("tote run stopped", "accepted", stats.Accepted, "duplicates", stats.Duplicates, "rejected", stats.Rejected)
	return failure
}

// errLeaseLost ends a service whose state lease was lost.
var errLeaseLost = errors.New("lost the state lease (a renewal failed or came too late); stopped claiming and writing")

// scheduler fires cron and poll triggers. Ticks are enqueued with their
// time as key, so a double dispatch is a no-op; polls enqueue what they find
// together with their new cursor.
func scheduler(eng *run.Engine, store *state.Store, opts Options, wake chan struct{}) *schedule.Scheduler {
	prog := eng.Program()
	type target struct {
		pl *compile.Pipeline
		t  *compile.Trigger
	}
	targets := map[string]target{}
	var entries []schedule.Entry
	for _, pl := range prog.Pipelines {
		for _, t := range pl.Triggers {
			if t.Schedule == nil {
				continue
			}
			name := run.CursorName(pl.Name, t.Name)
			targets[name] = target{pl, t}
			entries = append(entries, schedule.Entry{Name: name, Schedule: t.Schedule, MaxCatchUp: t.CatchUp})
		}
	}
	signal := signalWake(wake)
	return &schedule.Scheduler{
		Entries:    entries,
		Clock:      schedule.Clock(opts.Clock),
		Watermarks: watermarks{store},
		Logger:     opts.Logger,
		Fire: func(ctx context.Context, e schedule.Entry, tick time.Time) error {
			tg := targets[e.Name]
			if tg.t.Mode == compile.ModeCron {
				stamp := tick.UTC().Format(time.RFC3339)
				data := cty.ObjectVal(map[string]cty.Value{"tick": cty.StringVal(stamp)})
				_, err := store.Enqueue(ctx, state.NewItem{Pipeline: tg.pl.Name, Trigger: tg.t.Name, Key: stamp,
					Payload: run.EncodeEvent(tg.t, data), Overlap: tg.t.Overlap})
				signal()
				return err
			}
			// Of the replicas that fire this tick, the one that claims it
			// polls; the others go on to their next tick.
			if mine, err := store.ClaimTick(ctx, e.Name, tick, tickHolder(eng, opts), pollTickClaim); err != nil || !mine {
				return err
			}
			events, cursor, err := eng.Poll(ctx, tg.pl, tg.t, time.Time{}, time.Time{})
			if err != nil {
				return errors.New(eng.Redact(err.Error()))
			}
			if err := finishPoll(ctx, store, tickHolder(eng, opts), e.Name, tick, tg.pl, tg.t, events, cursor); errors.Is(err, state.ErrTickLost) {
				opts.Logger.Warn("a poll took longer than its claim; another replica's poll of the tick counts", "poll", e.Name, "tick", tick)
				return nil
			} else if err != nil {
				return err
			}
			if len(events) > 0 {
				signal()
			}
			return nil
		},
	}
}

func signalWake(wake chan struct{}) func() {
	return func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
}

// freshPoll is a poll trigger without a cursor: tote has never polled it.
type freshPoll struct {
	pl *compile.Pipeline
	t  *compile.Trigger
}

// freshPolls finds the poll triggers without a cursor. Without opts.Since
// it warns that what happened before their lookback is not caught up, and
// names the commands that do it, and returns none to catch up.
func freshPolls(ctx context.Context, eng *run.Engine, store *state.Store, opts Options) ([]freshPoll, error) {
	var todo []freshPoll
	var names []string
	for _, pl := range eng.Program().Pipelines {
		for _, t := range pl.Triggers {
			if t.Mode != compile.ModePoll {
				continue
			}
			name := run.CursorName(pl.Name, t.Name)
			if _, ok, err := store.Cursor(ctx, name); err != nil {
				return nil, fmt.Errorf("reading the cursor of %s: %w", name, err)
			} else if !ok {
				todo = append(todo, freshPoll{pl, t})
				names = append(names, name)
			}
		}
	}
	if len(todo) > 0 && opts.Since <= 0 {
		opts.Logger.Warn("first start: these polls have no cursor and reach back only their lookback, so older changes are not caught up; "+
			"run `tote plan -since 72h` and `tote apply`, or start with `tote run -since 72h`", "polls", strings.Join(names, ","))
		return nil, nil
	}
	return todo, nil
}

// catchUp polls each fresh poll over [now-Since, now] and enqueues what it
// finds together with the cursor, before the schedules start.
func catchUp(ctx context.Context, eng *run.Engine, store *state.Store, opts Options, todo []freshPoll, signal func()) error {
	if len(todo) == 0 {
		return nil
	}
	now := opts.Clock()
	from := now.Add(-opts.Since)
	for _, f := range todo {
		name := run.CursorName(f.pl.Name, f.t.Name)
		// Replicas starting together catch up once: the catch-up is the
		// tick at the zero time.
		if mine, err := store.ClaimTick(ctx, name, firstTick, tickHolder(eng, opts), pollTickClaim); err != nil {
			return fmt.Errorf("first start: claiming the catch-up of %s: %w", name, err)
		} else if !mine {
			continue
		}
		events, cursor, err := eng.Poll(ctx, f.pl, f.t, from, now)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			// The schedule polls it again from its lookback.
			opts.Logger.Error("first start: catching up failed", "poll", name, "err", eng.Redact(err.Error()))
			continue
		}
		if err := finishPoll(ctx, store, tickHolder(eng, opts), name, firstTick, f.pl, f.t, events, cursor); errors.Is(err, state.ErrTickLost) {
			continue
		} else if err != nil {
			return fmt.Errorf("first start: enqueueing the catch-up of %s: %w", name, err)
		}
		opts.Logger.Info("first start: caught up", "poll", name, "since", from.UTC().Format(time.RFC3339), "events", len(events))
		if len(events) > 0 {
			signal()
		}
	}
	return nil
}

// finishPoll commits what holder's poll of trigger t found for tick of
// the poll named name: the events are enqueued and the poll's cursor moves
// to cursor, together (state.Store.FinishTick). It fails with
// state.ErrTickLost when the tick's claim passed to another replica.
func finishPoll(ctx context.Context, store *state.Store, holder, name string, tick time.Time,
	pl *compile.Pipeline, t *compile.Trigger, events []run.Event, cursor string) error {
	items := make([]state.NewItem, 0, len(events))
	for _, ev := range events {
		items = append(items, run.NewItem(pl.Name, t, ev.Key, ev.Data))
	}
	_, err := store.FinishTick(ctx, name, tick, holder, name, cursor, items...)
	return err
}

// tickHolder names this process in the claims of poll ticks. A single
// tote run is the only one: what an earlier one left claimed (it was
// killed mid-poll) is its own to poll again.
func tickHolder(eng *run.Engine, opts Options) string {
	if opts.Replica {
		return eng.Owner()
	}
	return "single"
}

// firstTick is the tick a first start's catch-up is claimed as.
var firstTick = time.Unix(0, 0)

// reap returns the items of replicas whose lease expired to the queue.
func reap(ctx context.Context, store *state.Store, log *slog.Logger) {
	gone, n, err := lease.Reap(ctx, store)
	switch {
	case err != nil && ctx.Err() == nil:
		log.Error("ending the leases of stopped replicas", "err", err)
	case len(gone) > 0:
		log.Warn("replicas stopped without renewing their leases; their items are queued again", "replicas", strings.Join(gone, ","), "items", n)
	}
}

// watermarks keeps scheduler watermarks as state cursors.
type watermarks struct{ store *state.Store }

func (w watermarks) Watermark(ctx context.Context, name string) (time.Time, bool, error) {
	v, ok, err := w.store.Cursor(ctx, "watermark:"+name)
	if err != nil || !ok {
		return time.Time{}, false, err
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("watermark %s: %w", name, err)
	}
	return t, true, nil
}

func (w watermarks) SetWatermark(ctx context.Context, name string, t time.Time) error {
	return w.store.SetCursor(ctx, "watermark:"+name, t.UTC().Format(time.RFC3339Nano))
}

// repairSubscriptions keeps the webhook registrations the triggers need in
// place: a vendor that deactivated a hook after failed deliveries gets it
// re-activated, and the reconcile polls cover what was missed meanwhile.
// Stale registrations are only removed by tote apply. Of several replicas,
// the one holding the subscriptions lease does it.
func repairSubscriptions(ctx context.Context, eng *run.Engine, opts Options) {
	every := opts.SubscriptionEvery
	if every <= 0 {
		every = 5 * time.Minute
	}
	defer func() { _ = eng.Store().ReleaseLease(context.WithoutCancel(ctx), SubscriptionsLease, eng.Owner()) }()
	r := &repairer{eng: eng, opts: opts, every: every}
	for r.round(ctx) && sleep(ctx, every) {
	}
}

// repairer is the state of subscription repair across its rounds.
type repairer struct {
	eng      *run.Engine
	opts     Options
	every    time.Duration
	led      bool // a round was led before: creations after it are repairs
	repaired int
}

// round checks and repairs the registrations once, if this replica leads
// (holds the subscriptions lease, renewed each round; should it stop,
// another takes over once the lease has run out). It reports false once
// ctx is done.
func (r *repairer) round(ctx context.Context) bool {
	eng, opts := r.eng, r.opts
	lead, err := lease.TryAcquire(ctx, eng.Store(), SubscriptionsLease, eng.Owner(), 2*r.every)
	if err != nil && ctx.Err() == nil {
		opts.Logger.Error("taking the lease of webhook subscription repair", "err", err)
	}
	if !lead {
		return ctx.Err() == nil
	}
	first := !r.led
	r.led = true
	subs, err := eng.PlanSubscriptions(ctx, opts.PublicURL)
	if err != nil && ctx.Err() == nil {
		opts.Logger.Error("checking webhook subscriptions", "err", eng.Redact(err.Error()))
	}
	for _, s := range subs {
		if s.Op != connectors.OpCreate && s.Op != connectors.OpUpdate {
			continue
		}
		if err := eng.ApplySubscription(ctx, s); err != nil {
			opts.Logger.Error("repairing a webhook subscription", "connection", s.Connection, "topic", s.Topic, "err", eng.Redact(err.Error()))
			continue
		}
		if first && s.Op == connectors.OpCreate {
			// Registering what the pipelines need on start is no repair.
			opts.Logger.Info("created a webhook subscription", "connection", s.Connection, "topic", s.Topic)
			continue
		}
		r.repaired++
		opts.Logger.Warn("repaired a webhook subscription", "connection", s.Connection, "topic", s.Topic,
			"op", string(s.Op), "reason", s.Reason, "repaired_total", r.repaired)
	}
	return ctx.Err() == nil
}
