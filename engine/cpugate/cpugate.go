// Package cpugate bounds how many runs compute at once. Go's scheduler has
// no priorities: with hundreds of runs runnable, a webhook handler waits for
// a core behind all of them. A run holds a slot of the gate while it
// computes and gives it up while it waits (on a vendor call, on a commit,
// on another run's lock), so at most the gate's size of runs take the CPU,
// and the handlers, which the gate does not hold back, find a core
// promptly. Runs that wait cost nothing: the vendors' latency is still
// overlapped by as many runs as the worker allows.
package cpugate

import (
	"context"
	"sync"
)

// Gate hands out slots. A nil Gate bounds nothing.
type Gate struct {
	slots chan struct{}
}

// New returns a gate of n slots, or nil (no bound) when n <= 0.
func New(n int) *Gate {
	if n <= 0 {
		return nil
	}
	return &Gate{slots: make(chan struct{}, n)}
}

type holdKey struct{}

// hold is one run's claim on the gate. A run may have several goroutines
// (steps in parallel); it holds its slot while none of them waits, which
// is close enough: a run mostly waits as a whole, on the step it needs.
type hold struct {
	g      *Gate
	done   <-chan struct{}
	resume func() // h.resume, bound once: Wait returns it without allocating

	mu      sync.Mutex
	waiting int  // the run's goroutines now inside Wait
	held    bool // the run holds a slot
	taking  bool // one of its goroutines is taking a slot back
	over    bool // exit was called: what the run still does (settle) takes no slot
}

// Enter waits for a slot for a run and returns the context the run is to
// use, which carries its hold, and exit, which gives the slot back once the
// run is over; waits after exit (its settlement's commit) take none back. If ctx ends first, the run goes on without a slot: it is
// being interrupted and will stop soon.
func (g *Gate) Enter(ctx context.Context) (context.Context, func()) {
	if g == nil {
		return ctx, func() {}
	}
	h := &hold{g: g, done: ctx.Done()}
	h.resume = h.resumeRun
	h.held = h.take()
	return context.WithValue(ctx, holdKey{}, h), h.exit
}

// Wait marks the run of ctx as waiting, not computing, until the returned
// resume is called: its slot goes to another run meanwhile, and resume
// takes one back (waiting for it) before the run computes again. Without a
// hold in ctx (work outside the worker), both do nothing.
func Wait(ctx context.Context) (resume func()) {
	h, _ := ctx.Value(holdKey{}).(*hold)
	if h == nil {
		return func() {}
	}
	h.mu.Lock()
	h.waiting++
	give := h.waiting == 1 && h.held
	if give {
		h.held = false
	}
	h.mu.Unlock()
	if give {
		<-h.g.slots
	}
	return h.resume
}

func (h *hold) resumeRun() {
	h.mu.Lock()
	h.waiting--
	need := h.waiting == 0 && !h.held && !h.taking && !h.over
	if need {
		h.taking = true
	}
	h.mu.Unlock()
	if !need {
		return
	}
	ok := h.take()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.taking = false
	switch {
	case !ok:
	case h.waiting > 0 || h.over:
		// Another of its goroutines began to wait meanwhile, or the
		// run is over.
		<-h.g.slots
	default:
		h.held = true
	}
}

// take waits for a slot; false when the run's context ended first.
func (h *hold) take() bool {
	select {
	case h.g.slots <- struct{}{}:
		return true
	default:
	}
	select {
	case h.g.slots <- struct{}{}:
		return true
	case <-h.done:
		return false
	}
}

func (h *hold) exit() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.over = true
	if h.held {
		h.held = false
		<-h.g.slots
	}
}
