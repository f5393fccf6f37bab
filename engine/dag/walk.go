package dag

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
)

// DefaultParallelism is the number of nodes Walk runs at once when asked for
// zero or fewer.
const DefaultParallelism = 10

// WalkResult is what a walk did to each node. Every node ends up in exactly
// one of Errors, Skipped or Done.
type WalkResult struct {
	// Errors holds each node whose function failed or panicked, and each
	// node on a cycle (a *CycleError, never run).
	Errors map[string]error
	// Skipped maps each node that was never run to its root cause: the id
	// of the failed node upstream of it, or the context's error text
	// ("context canceled") when the walk was cancelled before it started.
	Skipped map[string]string
	// Done lists the nodes that succeeded, in completion order.
	Done []string
}

// NodeError is one node's failure as reported by WalkResult.Err.
type NodeError struct {
	ID  string
	Err error
}

func (e *NodeError) Error() string { return e.ID + ": " + e.Err.Error() }
func (e *NodeError) Unwrap() error { return e.Err }

// Err returns nil when no node failed, and otherwise one *NodeError per
// failed node, sorted by id, joined with errors.Join. Skipped nodes are not
// listed: each failure appears once, not once per dependent.
func (r *WalkResult) Err() error {
	if len(r.Errors) == 0 {
		return nil
	}
	errs := make([]error, 0, len(r.Errors))
	for _, id := range sortedKeys(r.Errors) {
		errs = append(errs, &NodeError{ID: id, Err: r.Errors[id]})
	}
	return errors.Join(errs...)
}

// PanicError is the error recorded for a node whose function panicked.
type PanicError struct {
	Value any
	Stack []byte // the panicking goroutine's stack
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

type nodeState int

const (
	waiting nodeState = iota
	running
	settled // done, failed or skipped
)

type outcome struct {
	id  string
	err error
}

// walk is the state of one Walk. Only the goroutine running Walk touches
// it; node functions report back over results.
type walk struct {
	g     *Graph
	x     *index
	res   *WalkResult
	nodes []nodeWalk // by the node's position in x.nodes
	ready []string   // waiting nodes with no pending dependencies, sorted
}

type nodeWalk struct {
	state   nodeState
	pending int // unfinished dependencies
}

// node is the walk state of node id.
func (w *walk) node(id string) *nodeWalk { return &w.nodes[w.x.pos[id]] }

// Walk calls fn for every node, each only after all its dependencies
// succeeded, running up to parallelism independent nodes at once
// (DefaultParallelism when parallelism <= 0). A failed node's transitive
// dependents are skipped. Once ctx is done no further node starts; Walk
// waits for the running ones before it returns, so no call to fn outlives
// it. A panic in fn becomes that node's *PanicError.
func (g *Graph) Walk(ctx context.Context, parallelism int, fn func(ctx context.Context, id string) error) *WalkResult {
	if parallelism <= 0 {
		parallelism = DefaultParallelism
	}
	x := g.index()
	w := &walk{
		g:     g,
		x:     x,
		res:   &WalkResult{Errors: map[string]error{}, Skipped: map[string]string{}, Done: make([]string, 0, len(x.nodes))},
		nodes: make([]nodeWalk, len(x.nodes)),
	}
	w.failCycles()
	for i, id := range x.nodes {
		w.nodes[i].pending = x.ndeps[i]
		if w.nodes[i].pending == 0 && w.nodes[i].state == waiting {
			w.ready = append(w.ready, id)
		}
	}

	// Buffered so that a finishing node never blocks, even after the loop
	// below has stopped starting new ones (no more are ever in flight than
	// there are nodes). Made with the first node that runs in a goroutine:
	// a chain's walk needs none.
	var results chan outcome
	inFlight := 0
	done := ctx.Done()
	for {
		for inFlight < parallelism && len(w.ready) > 0 && ctx.Err() == nil {
			id := w.ready[0]
			w.ready = w.ready[1:]
			w.node(id).state = running
			if inFlight == 0 && len(w.ready) == 0 {
				// The only node that can run now (a chain's next link)
				// runs here: a goroutine of its own would only wait.
				w.finish(outcome{id, call(ctx, fn, id)})
				continue
			}
			if results == nil {
				results = make(chan outcome, min(parallelism, len(x.nodes)))
			}
			inFlight++
			go func() { results <- outcome{id, call(ctx, fn, id)} }()
		}
		if ctx.Err() != nil && done != nil {
			w.skipUnstarted(ctx.Err().Error())
			done = nil // stop selecting on it; only results matter now
		}
		if inFlight == 0 {
			return w.res
		}
		select {
		case o := <-results:
			inFlight--
			w.finish(o)
		case <-done:
		}
	}
}

// call runs fn for one node, turning a panic into a *PanicError.
func call(ctx context.Context, fn func(context.Context, string) error, id string) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return fn(ctx, id)
}

// failCycles marks every node on a cycle as failed, since none of them can
// ever have all its dependencies finished, and skips what depends on them.
func (w *walk) failCycles() {
	for _, c := range w.x.cycles {
		err := &CycleError{Cycles: [][]string{slices.Clone(c)}}
		for _, id := range c {
			w.res.Errors[id] = err
			w.node(id).state = settled
		}
		for _, id := range c {
			w.skipDependents(id, id)
		}
	}
}

func (w *walk) finish(o outcome) {
	w.node(o.id).state = settled
	if o.err != nil {
		w.res.Errors[o.id] = o.err
		w.skipDependents(o.id, o.id)
		return
	}
	w.res.Done = append(w.res.Done, o.id)
	for _, d := range w.x.dependents[o.id] {
		n := w.node(d)
		n.pending--
		if n.pending == 0 && n.state == waiting {
			i, _ := slices.BinarySearch(w.ready, d)
			w.ready = slices.Insert(w.ready, i, d)
		}
	}
}

// skipDependents skips every waiting node downstream of id, naming cause as
// the reason. A node already skipped keeps its first cause.
func (w *walk) skipDependents(id, cause string) {
	for _, d := range w.x.dependents[id] {
		n := w.node(d)
		if n.state != waiting {
			continue
		}
		n.state = settled
		w.res.Skipped[d] = cause
		w.skipDependents(d, cause)
	}
}

// skipUnstarted skips every node that has not started, after cancellation.
func (w *walk) skipUnstarted(cause string) {
	for i, id := range w.x.nodes {
		if w.nodes[i].state == waiting {
			w.nodes[i].state = settled
			w.res.Skipped[id] = cause
		}
	}
	w.ready = nil
}
