// Package lease holds the state lease: one writer process per state file
// (tote run, or tote apply while no tote run holds it), or, in replica
// mode, one lease per tote run replica, any number of them side by side
// on one state. A lease carries
// a fencing token; a holder that fails to renew it in time stops claiming
// and writing at once, and every claim and every write checks the token in
// the transaction that makes it, so a process paused past its lease (SIGSTOP,
// a long GC or swap) can never act beside the one that took over.
package lease

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/state"
)

// Name is the state lease.
const Name = "tote-run"

// ReplicaPrefix starts the name of every replica's own lease:
// "replica:<holder>".
const ReplicaPrefix = "replica:"

// DefaultTTL is how long the lease lasts without renewal.
const DefaultTTL = time.Minute

// Options configure Acquire.
type Options struct {
	// Kind says what holds the lease ("run", "apply"), for messages.
	Kind string
	TTL  time.Duration
	// Clock is the clock renewals are judged by (time.Now).
	Clock  func() time.Time
	Logger *slog.Logger
	// After is time.After, injectable.
	After func(time.Duration) <-chan time.Time
	// Replica takes a replica's own lease instead of the single state
	// lease: replicas run side by side, each fenced by its own lease, and
	// none starts while a single holder's lease is live (nor the reverse).
	Replica bool
	// Owner names this holder after its kind (run.ProcessOwner()); the
	// engine's intents are claimed under the same name.
	Owner string
}

// HeldError says another process holds the lease.
type HeldError struct {
	Holder string
	Until  time.Time
	// Replicas is how many tote run replicas hold the state (0: Holder
	// holds it alone).
	Replicas int
}

func (e *HeldError) Error() string {
	if e.Replicas > 0 {
		return fmt.Sprintf("the state is in use by %d tote run replica(s), %s among them, until %s at least (their leases are renewed while they run)",
			e.Replicas, Describe(e.Holder), e.Until.Local().Format(time.TimeOnly))
	}
	return fmt.Sprintf("the state file is in use by %s until %s (its lease is renewed while it runs)", Describe(e.Holder), e.Until.Local().Format(time.TimeOnly))
}

// Describe renders a holder name (kind:host:pid:start[:locked]) for people.
func Describe(holder string) string {
	p := strings.Split(holder, ":")
	if len(p) < 4 {
		return holder
	}
	return fmt.Sprintf("tote %s (pid %s on host %s)", p[0], p[2], p[1])
}

// Held is a lease this process holds.
type Held struct {
	store *state.Store
	opts  Options
	fence state.Fence
	lock  *os.File

	mu      sync.Mutex
	expires time.Time
	lost    chan struct{}
	once    sync.Once
}

// Acquire takes the lease, or fails with a *HeldError naming the holder.
//
// A holder that is gone without releasing the lease (kill -9) is taken over
// at once only when that is provably safe: every holder keeps an exclusive
// flock on "<state file>.lock" for as long as it runs, and marks its name
// ":locked" when it has it. SQLite's WAL mode needs every process using the
// state file to run on one kernel (it shares memory), so when this process
// gets the flock, no process holding it is alive, wherever its hostname or
// pid namespace says it runs. Otherwise the lease is taken only once it has
// expired.
func Acquire(ctx context.Context, store *state.Store, opts Options) (*Held, error) {
	if opts.TTL <= 0 {
		opts.TTL = DefaultTTL
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.After == nil {
		opts.After = time.After
	}
	if opts.Kind == "" {
		opts.Kind = "run"
	}
	if opts.Owner == "" {
		opts.Owner = run.ProcessOwner()
	}
	h := &Held{store: store, opts: opts, lost: make(chan struct{})}
	if opts.Replica {
		return h.join(ctx)
	}
	if store.Backend() == state.SQLite {
		// The flock proves a holder gone only where every holder runs on
		// this kernel: SQLite's WAL requires it, PostgreSQL does not.
		h.lock = tryLock(store.Path() + ".lock")
	}
	holder := opts.Kind + ":" + opts.Owner
	if h.lock != nil {
		holder += ":locked"
	}
	start := opts.Clock()
	f, ok, err := store.AcquireFence(ctx, Name, holder, opts.TTL)
	if err == nil && !ok && h.lock != nil {
		f, ok, err = h.takeFromDead(ctx, holder)
	}
	if err == nil && !ok {
		from, until, _, rerr := store.LeaseHolder(ctx, Name)
		err = errors.Join(&HeldError{Holder: from, Until: until}, rerr)
	}
	if err == nil {
		// Replicas never take the single lease, so one that is free says
		// nothing about them: a single holder starts only without them.
		err = h.refuseBesideReplicas(ctx, f)
	}
	if err != nil {
		h.unlock()
		return nil, err
	}
	h.fence, h.expires = f, start.Add(opts.TTL)
	return h, nil
}

// ReplicaName is the name of the lease of the replica of kind ("run")
// named owner.
func ReplicaName(kind, owner string) string { return ReplicaPrefix + kind + ":" + owner }

// join takes this replica's own lease, beside the other replicas'.
func (h *Held) join(ctx context.Context) (*Held, error) {
	holder := h.opts.Kind + ":" + h.opts.Owner
	start := h.opts.Clock()
	f, ok, err := h.store.JoinReplicas(ctx, Name, ReplicaName(h.opts.Kind, h.opts.Owner), holder, h.opts.TTL)
	if err == nil && !ok {
		from, until, _, rerr := h.store.LeaseHolder(ctx, Name)
		err = errors.Join(&HeldError{Holder: from, Until: until}, rerr)
	}
	if err != nil {
		return nil, err
	}
	h.fence, h.expires = f, start.Add(h.opts.TTL)
	return h, nil
}

// refuseBesideReplicas gives the single lease just taken back when tote run
// replicas hold the state. Taking it first and looking second (a replica
// looks for it and joins in one transaction) leaves no moment in which
// both start.
func (h *Held) refuseBesideReplicas(ctx context.Context, f state.Fence) error {
	live, err := h.store.LiveLeases(ctx, ReplicaPrefix)
	if err == nil && len(live) == 0 {
		return nil
	}
	rerr := h.store.ReleaseLease(context.WithoutCancel(ctx), Name, f.Holder)
	if err != nil {
		return errors.Join(err, rerr)
	}
	return errors.Join(&HeldError{Holder: live[0].Holder, Until: live[0].Until, Replicas: len(live)}, rerr)
}

// TryAcquire takes the named leader lease for holder until now+ttl, or
// renews it when holder has it, and reports false while another holder's
// lease is live. Of several replicas, the one that holds it does the work
// only one should do at a time; the others skip that work.
func TryAcquire(ctx context.Context, store *state.Store, name, holder string, ttl time.Duration) (bool, error) {
	return store.AcquireLease(ctx, name, holder, ttl)
}

// Reap ends the replica leases that expired: their running items go back
// to the queue at once. It returns the holders it ended.
func Reap(ctx context.Context, store *state.Store) ([]string, int, error) {
	gone, n, err := store.ReapLeases(ctx, ReplicaPrefix)
	holders := make([]string, 0, len(gone))
	for _, l := range gone {
		holders = append(holders, l.Holder)
	}
	return holders, n, err
}

// takeFromDead takes the lease from a holder that held the flock, which we
// now hold: it is gone.
func (h *Held) takeFromDead(ctx context.Context, holder string) (state.Fence, bool, error) {
	from, _, ok, err := h.store.LeaseHolder(ctx, Name)
	if err != nil || !ok || !strings.HasSuffix(from, ":locked") {
		return state.Fence{}, false, err
	}
	f, took, err := h.store.TakeLease(ctx, Name, from, holder, h.opts.TTL)
	if !took || err != nil {
		return f, took, err
	}
	h.opts.Logger.Info("took over the state lease from a tote that is gone", "holder", from)
	// Its writes are no longer in flight: their claims need not be waited
	// for (their pending intents are reconciled as usual).
	if p := strings.Split(from, ":"); len(p) >= 4 {
		if err := h.store.ReleaseClaimsOf(ctx, strings.Join(p[1:4], ":")); err != nil {
			return f, took, err
		}
	}
	return f, took, nil
}

// Fence is the held lease, for claims and writes to check.
func (h *Held) Fence() state.Fence { return h.fence }

// TTL is how long the lease lasts without renewal (Options.TTL, or
// DefaultTTL).
func (h *Held) TTL() time.Duration { return h.opts.TTL }

// Lost is closed once the lease is lost: a renewal failed, or its expiry
// passed without one.
func (h *Held) Lost() <-chan struct{} { return h.lost }

func (h *Held) lose(why string, err error) {
	h.once.Do(func() {
		h.opts.Logger.Error("lost the state lease; stopping claims and writes", "why", why, "err", err)
		close(h.lost)
	})
}

// Keep renews the lease every TTL/3 until ctx ends or the lease is lost.
func (h *Held) Keep(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.lost:
			return
		case <-h.opts.After(h.opts.TTL / 3):
		}
		h.Renew(ctx)
	}
}

// Renew renews the lease once. The lease is lost when its expiry has passed
// (this process was paused or starved: another may hold it now, and must
// not be second-guessed), or when the store says another holds it.
func (h *Held) Renew(ctx context.Context) {
	now := h.opts.Clock()
	h.mu.Lock()
	expired := !now.Before(h.expires)
	h.mu.Unlock()
	if expired {
		h.lose("its expiry passed before it was renewed", nil)
		return
	}
	err := h.store.RenewFence(ctx, h.fence, h.opts.TTL)
	switch {
	case errors.Is(err, state.ErrLeaseLost):
		h.lose("another process holds it", err)
	case err != nil:
		// A busy or failing store: try again at the next tick, and give up
		// if the expiry passes first.
		h.opts.Logger.Warn("renewing the state lease failed", "err", err)
	default:
		h.mu.Lock()
		h.expires = now.Add(h.opts.TTL)
		h.mu.Unlock()
	}
}

// Release gives the lease up and drops the flock.
func (h *Held) Release(ctx context.Context) error {
	err := h.store.ReleaseLease(ctx, h.fence.Name, h.fence.Holder)
	h.unlock()
	return err
}

func (h *Held) unlock() {
	if h.lock != nil {
		h.lock.Close() // closing the file drops its flock
		h.lock = nil
	}
}
