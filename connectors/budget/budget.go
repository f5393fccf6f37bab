// Package budget paces a connector's calls to a vendor: a token bucket per
// credential that refills each rate-limit window, follows the limits the
// vendor reports in its response headers, keeps a share of the quota free
// for other apps, and hands tokens to waiting callers by priority.
package budget

import (
	"context"
	"sync"
	"time"

	"github.com/toteworks/tote/connectors"
)

// Priority orders waiting callers; lower values go first.
type Priority int

// Priorities, in the order the design gives them.
const (
	Orders Priority = iota
	Tracking
	Inventory
	Products
	levels
)

// Config describes a vendor's limit for one credential.
type Config struct {
	// Quota is the vendor's requests per Window.
	Quota  int
	Window time.Duration
	// Share is the part of the quota this process may use (0 < Share <= 1;
	// default 1). Other apps sharing the credential keep the rest.
	Share float64
	Clock func() time.Time
	// After is time.After, injectable for tests.
	After func(time.Duration) <-chan time.Time
}

// Budget is the token bucket of one credential. It is safe for concurrent use.
type Budget struct {
	cfg   Config
	limit int

	mu        sync.Mutex
	remaining int
	resetAt   time.Time
	blocked   time.Time // no calls before this (after a 429)
	queue     [levels][]*waiter
	wake      chan struct{}
	calls     int
	throttled int
}

type waiter struct {
	ready chan struct{}
	done  bool
}

// New returns a budget with a full window.
func New(cfg Config) *Budget {
	if cfg.Share <= 0 || cfg.Share > 1 {
		cfg.Share = 1
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.After == nil {
		cfg.After = time.After
	}
	limit := int(float64(cfg.Quota) * cfg.Share)
	if limit < 1 {
		limit = 1
	}
	b := &Budget{cfg: cfg, limit: limit, remaining: limit, wake: make(chan struct{}, 1)}
	b.resetAt = cfg.Clock().Add(cfg.Window)
	return b
}

// Limit is how many calls per window this budget allows.
func (b *Budget) Limit() int { return b.limit }

// Wait blocks until a call may be made at priority p, and takes its token.
// The call, and how long it waited, is reported to ctx's CallObserver.
func (b *Budget) Wait(ctx context.Context, p Priority) error {
	if p < 0 || p >= levels {
		p = Products
	}
	start := b.cfg.Clock()
	defer func() {
		if ctx.Err() == nil {
			connectors.ObserveCall(ctx, b.cfg.Clock().Sub(start))
		}
	}()
	w := &waiter{ready: make(chan struct{})}
	b.mu.Lock()
	b.queue[p] = append(b.queue[p], w)
	b.mu.Unlock()
	for {
		wait := b.grant()
		select {
		case <-w.ready:
			return nil
		default:
		}
		var timer <-chan time.Time
		if wait > 0 {
			timer = b.cfg.After(wait)
		}
		select {
		case <-w.ready:
			return nil
		case <-ctx.Done():
			b.mu.Lock()
			if w.done {
				// Granted at the same moment: give the token back.
				b.remaining++
				b.mu.Unlock()
				b.signal()
				return ctx.Err()
			}
			b.remove(w)
			b.mu.Unlock()
			return ctx.Err()
		case <-timer:
		case <-b.wake:
		}
	}
}

// grant hands tokens to waiters in priority order and returns how long
// until the next token when some are left waiting.
func (b *Budget) grant() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.cfg.Clock()
	if !now.Before(b.resetAt) {
		b.remaining = b.limit
		for !now.Before(b.resetAt) {
			b.resetAt = b.resetAt.Add(b.cfg.Window)
		}
	}
	if now.Before(b.blocked) {
		return b.blocked.Sub(now)
	}
	for p := range b.queue {
		for len(b.queue[p]) > 0 && b.remaining > b.reserved(Priority(p), now) {
			w := b.queue[p][0]
			b.queue[p] = b.queue[p][1:]
			b.remaining--
			b.calls++
			w.done = true
			close(w.ready)
		}
	}
	for p := range b.queue {
		if len(b.queue[p]) > 0 {
			if b.remaining > 0 {
				// Held back by the reserve, which shrinks as the window ends.
				return min(b.cfg.Window/time.Duration(b.limit), b.resetAt.Sub(now))
			}
			return b.resetAt.Sub(now)
		}
	}
	return 0
}

// reserved is how many of the window's remaining tokens priority p leaves
// to the others at now. Products, background work that can fill whole
// windows, leave up to a quarter of the window, shrinking to nothing as
// the window ends: an order that arrives mid-window is sent at once
// instead of after the reset, and an idle window still goes to products.
func (b *Budget) reserved(p Priority, now time.Time) int {
	if p != Products {
		return 0
	}
	left := b.resetAt.Sub(now)
	if left <= 0 || b.cfg.Window <= 0 {
		return 0
	}
	return int((int64(b.limit/4)*int64(left) + int64(b.cfg.Window) - 1) / int64(b.cfg.Window))
}

func (b *Budget) remove(w *waiter) {
	for p := range b.queue {
		for i, q := range b.queue[p] {
			if q == w {
				b.queue[p] = append(b.queue[p][:i], b.queue[p][i+1:]...)
				return
			}
		}
	}
}

func (b *Budget) signal() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// Observe folds in what the vendor's headers say: left calls in the window
// for the whole credential, and the time until it resets. The share of the
// quota that is not ours is subtracted from left.
func (b *Budget) Observe(left int, reset time.Duration) {
	if left < 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.cfg.Clock()
	ours := left - (b.cfg.Quota - b.limit)
	if ours < 0 {
		ours = 0
	}
	if reset > 0 {
		b.resetAt = now.Add(reset)
	}
	if ours < b.remaining {
		b.remaining = ours
	}
}

// Throttled records a 429: no call is made before the vendor's reset.
func (b *Budget) Throttled(retryAfter time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.cfg.Clock()
	b.throttled++
	b.remaining = 0
	if retryAfter <= 0 {
		retryAfter = time.Second
	}
	until := now.Add(retryAfter)
	if until.After(b.blocked) {
		b.blocked = until
	}
	// The vendor's reset is when its window starts again: a fresh budget.
	b.resetAt = until
}

// NextToken is when a call could next be made without waiting.
func (b *Budget) NextToken() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.cfg.Clock()
	switch {
	case now.Before(b.blocked):
		return b.blocked
	case b.remaining > 0 || !now.Before(b.resetAt):
		return now
	}
	return b.resetAt
}

// Remaining is how many calls the current window has left for this
// process, as far as the budget knows.
func (b *Budget) Remaining() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.cfg.Clock().Before(b.resetAt) {
		return b.limit
	}
	return b.remaining
}

// Stats are counters since the budget was made.
type Stats struct {
	Calls, Throttled int
}

// Stats returns the counters.
func (b *Budget) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return Stats{Calls: b.calls, Throttled: b.throttled}
}

var (
	sharedMu sync.Mutex
	shared   = map[string]*Budget{}
)

// Shared returns the process-wide budget for a credential key (a digest of
// the credential, never the credential itself), creating it with cfg. Every
// connection using the credential shares it.
func Shared(key string, cfg Config) *Budget {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if b, ok := shared[key]; ok {
		return b
	}
	b := New(cfg)
	shared[key] = b
	return b
}
