package dag

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// guard bounds how long a test waits on a channel before declaring a hang.
// It is a failure timeout, never a synchronisation delay.
const guard = 10 * time.Second

func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(guard):
		t.Fatal("timed out waiting on channel")
		panic("unreachable")
	}
}

// checkNoLeak fails if goroutines started during the test are still alive.
// Workers exit just after handing back their result, so it yields to the
// scheduler until they are gone.
func checkNoLeak(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(guard)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("goroutines: %d before the walk, %d after", before, runtime.NumGoroutine())
		}
		runtime.Gosched()
	}
}

func TestWalkRunsNodesAfterTheirDependencies(t *testing.T) {
	g := build([]string{"lone"}, [][2]string{
		{"b", "a"}, {"c", "a"}, {"d", "b"}, {"d", "c"}, {"e", "d"}, {"f", "a"},
	})
	var mu sync.Mutex
	finished := map[string]bool{}
	var calls atomic.Int32
	res := g.Walk(context.Background(), 4, func(_ context.Context, id string) error {
		calls.Add(1)
		mu.Lock()
		defer mu.Unlock()
		for _, dep := range g.DependenciesOf(id) {
			if !finished[dep] {
				return fmt.Errorf("started before dependency %s finished", dep)
			}
		}
		finished[id] = true
		return nil
	})
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	if got := calls.Load(); got != 7 {
		t.Errorf("fn called %d times, want 7", got)
	}
	if got := slices.Sorted(slices.Values(res.Done)); !slices.Equal(got, g.Nodes()) {
		t.Errorf("Done = %q, want every node", res.Done)
	}
	if len(res.Skipped) != 0 {
		t.Errorf("Skipped = %v, want none", res.Skipped)
	}
}

func TestWalkWithParallelismOneFollowsTopoOrder(t *testing.T) {
	g := build([]string{"z", "m"}, [][2]string{{"c", "b"}, {"b", "a"}, {"a0", "y"}})
	res := g.Walk(context.Background(), 1, func(context.Context, string) error { return nil })
	want, err := g.TopoOrder()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Done, want) {
		t.Errorf("Done = %q, want %q", res.Done, want)
	}
}

// blockingFn holds every node running until the test releases one, and
// measures how many run at once.
type blockingFn struct {
	started chan string
	release chan struct{}
	active  atomic.Int32
	maxSeen atomic.Int32
}

func newBlockingFn() *blockingFn {
	return &blockingFn{started: make(chan string), release: make(chan struct{})}
}

func (b *blockingFn) run(_ context.Context, id string) error {
	n := b.active.Add(1)
	for {
		m := b.maxSeen.Load()
		if n <= m || b.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	b.started <- id
	<-b.release
	b.active.Add(-1)
	return nil
}

func TestWalkParallelismIsReachedAndNeverExceeded(t *testing.T) {
	for _, tt := range []struct {
		parallelism, want, nodes int
	}{
		{parallelism: 3, want: 3, nodes: 20},
		{parallelism: 0, want: DefaultParallelism, nodes: 25},
		{parallelism: -1, want: DefaultParallelism, nodes: 12},
	} {
		t.Run(fmt.Sprint(tt.parallelism), func(t *testing.T) {
			before := runtime.NumGoroutine()
			g := New()
			for i := range tt.nodes {
				g.Add(fmt.Sprintf("step.n%02d", i))
			}
			b := newBlockingFn()
			walked := make(chan *WalkResult)
			go func() { walked <- g.Walk(context.Background(), tt.parallelism, b.run) }()

			// All of the first batch must be running at once before any
			// is released: they are independent, so they run concurrently.
			for range tt.want {
				recv(t, b.started)
			}
			// Then free one slot at a time; each frees room for exactly
			// one more node.
			for range tt.nodes - tt.want {
				b.release <- struct{}{}
				recv(t, b.started)
			}
			for range tt.want {
				b.release <- struct{}{}
			}
			res := recv(t, walked)

			if got := b.maxSeen.Load(); got != int32(tt.want) {
				t.Errorf("max concurrent = %d, want %d", got, tt.want)
			}
			if len(res.Done) != tt.nodes || res.Err() != nil {
				t.Errorf("Done %d of %d nodes, Err() = %v", len(res.Done), tt.nodes, res.Err())
			}
			checkNoLeak(t, before)
		})
	}
}

func TestWalkSkipsTransitiveDependentsOfAFailure(t *testing.T) {
	boom := errors.New("boom")
	// a <- b <- c <- x ; a <- d ; f needs b and e ; e is independent.
	g := build(nil, [][2]string{
		{"b", "a"}, {"c", "b"}, {"x", "c"}, {"d", "a"}, {"f", "b"}, {"f", "e"},
	})
	tests := []struct {
		name        string
		fail        string
		wantDone    []string
		wantSkipped map[string]string
	}{
		{
			name:        "root fails",
			fail:        "a",
			wantDone:    []string{"e"},
			wantSkipped: map[string]string{"b": "a", "c": "a", "x": "a", "d": "a", "f": "a"},
		},
		{
			name:        "middle fails, root cause kept downstream",
			fail:        "b",
			wantDone:    []string{"a", "d", "e"},
			wantSkipped: map[string]string{"c": "b", "x": "b", "f": "b"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var called []string
			res := g.Walk(context.Background(), 0, func(_ context.Context, id string) error {
				mu.Lock()
				called = append(called, id)
				mu.Unlock()
				if id == tt.fail {
					return boom
				}
				return nil
			})
			if diff := cmp.Diff(tt.wantSkipped, res.Skipped); diff != "" {
				t.Errorf("Skipped mismatch (-want +got):\n%s", diff)
			}
			if got := slices.Sorted(slices.Values(res.Done)); !slices.Equal(got, tt.wantDone) {
				t.Errorf("Done = %q, want %q", got, tt.wantDone)
			}
			for id := range tt.wantSkipped {
				if slices.Contains(called, id) {
					t.Errorf("skipped node %s was run", id)
				}
			}
			if len(res.Errors) != 1 || res.Errors[tt.fail] != boom {
				t.Errorf("Errors = %v, want only %s: boom", res.Errors, tt.fail)
			}
			err := res.Err()
			if !errors.Is(err, boom) {
				t.Errorf("Err() = %v, want it to wrap boom", err)
			}
			if got, want := err.Error(), tt.fail+": boom"; got != want {
				t.Errorf("Err() text = %q, want %q (each failure once)", got, want)
			}
		})
	}
}

func TestWalkErrListsEachFailureOnceSortedByID(t *testing.T) {
	g := build([]string{"c", "a", "b"}, [][2]string{{"d", "a"}, {"d", "c"}})
	res := g.Walk(context.Background(), 0, func(_ context.Context, id string) error {
		if id == "a" || id == "c" {
			return errors.New("bad " + id)
		}
		return nil
	})
	if got, want := res.Err().Error(), "a: bad a\nc: bad c"; got != want {
		t.Errorf("Err() = %q, want %q", got, want)
	}
	var ne *NodeError
	if !errors.As(res.Err(), &ne) || ne.ID != "a" {
		t.Errorf("errors.As NodeError = %+v, want the first failure, a", ne)
	}
	if cause := res.Skipped["d"]; cause != "a" && cause != "c" {
		t.Errorf("Skipped[d] = %q, want a or c", cause)
	}
}

func TestWalkRecoversPanics(t *testing.T) {
	g := build([]string{"other"}, [][2]string{{"after", "bad"}})
	res := g.Walk(context.Background(), 0, func(_ context.Context, id string) error {
		if id == "bad" {
			panic("kaboom")
		}
		return nil
	})
	var pe *PanicError
	if !errors.As(res.Errors["bad"], &pe) || pe.Value != "kaboom" {
		t.Fatalf("Errors[bad] = %v, want a PanicError with kaboom", res.Errors["bad"])
	}
	if !strings.Contains(string(pe.Stack), "TestWalkRecoversPanics") {
		t.Errorf("panic stack does not show the panicking function:\n%s", pe.Stack)
	}
	if got, want := res.Err().Error(), "bad: panic: kaboom"; got != want {
		t.Errorf("Err() = %q, want %q", got, want)
	}
	if res.Skipped["after"] != "bad" || !slices.Equal(res.Done, []string{"other"}) {
		t.Errorf("Skipped = %v, Done = %q", res.Skipped, res.Done)
	}
}

func TestWalkCancelStopsStartingAndWaitsForRunning(t *testing.T) {
	before := runtime.NumGoroutine()
	// With parallelism 2, "a" and "b" start first (lexical order).
	g := build([]string{"b", "d", "e"}, [][2]string{{"c", "a"}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	release := make(chan struct{})
	bCancelled := make(chan struct{})
	var returned atomic.Int32
	var mu sync.Mutex
	var called []string
	walked := make(chan int32)
	var res *WalkResult
	go func() {
		res = g.Walk(ctx, 2, func(ctx context.Context, id string) error {
			mu.Lock()
			called = append(called, id)
			mu.Unlock()
			defer returned.Add(1)
			switch id {
			case "a":
				<-release
				return nil
			case "b":
				cancel()
				close(bCancelled)
				return ctx.Err()
			}
			return nil
		})
		walked <- returned.Load() // how many calls had returned when Walk did
	}()

	recv(t, bCancelled)
	close(release)
	if got := recv(t, walked); got != 2 {
		t.Errorf("Walk returned with %d of 2 running calls finished", got)
	}

	if diff := cmp.Diff([]string{"a", "b"}, slices.Sorted(slices.Values(called))); diff != "" {
		t.Errorf("nodes run after cancel (-want +got):\n%s", diff)
	}
	want := map[string]string{"c": "context canceled", "d": "context canceled", "e": "context canceled"}
	if diff := cmp.Diff(want, res.Skipped); diff != "" {
		t.Errorf("Skipped mismatch (-want +got):\n%s", diff)
	}
	if !errors.Is(res.Errors["b"], context.Canceled) || !slices.Equal(res.Done, []string{"a"}) {
		t.Errorf("Errors = %v, Done = %q", res.Errors, res.Done)
	}
	checkNoLeak(t, before)
}

func TestWalkWithCancelledContextRunsNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	g := build(nil, [][2]string{{"b", "a"}})
	res := g.Walk(ctx, 0, func(context.Context, string) error {
		t.Error("fn called after cancellation")
		return nil
	})
	want := map[string]string{"a": "context canceled", "b": "context canceled"}
	if diff := cmp.Diff(want, res.Skipped); diff != "" {
		t.Errorf("Skipped mismatch (-want +got):\n%s", diff)
	}
	if res.Err() != nil {
		t.Errorf("Err() = %v, want nil: nothing failed", res.Err())
	}
}

func TestWalkFailsCycleMembersWithoutRunningThem(t *testing.T) {
	g := build([]string{"free"}, [][2]string{{"a", "b"}, {"b", "a"}, {"c", "a"}})
	res := g.Walk(context.Background(), 0, func(_ context.Context, id string) error {
		if id != "free" {
			t.Errorf("fn called for %s, which is on or after a cycle", id)
		}
		return nil
	})
	for _, id := range []string{"a", "b"} {
		var ce *CycleError
		if !errors.As(res.Errors[id], &ce) {
			t.Errorf("Errors[%s] = %v, want *CycleError", id, res.Errors[id])
		}
	}
	if diff := cmp.Diff(map[string]string{"c": "a"}, res.Skipped); diff != "" {
		t.Errorf("Skipped mismatch (-want +got):\n%s", diff)
	}
	if !slices.Equal(res.Done, []string{"free"}) {
		t.Errorf("Done = %q, want [free]", res.Done)
	}
}

func TestWalkEmptyGraph(t *testing.T) {
	res := New().Walk(context.Background(), 0, func(context.Context, string) error {
		t.Error("fn called on an empty graph")
		return nil
	})
	if res.Err() != nil || len(res.Done) != 0 || len(res.Skipped) != 0 {
		t.Errorf("result = %+v, want empty", res)
	}
}

// A walk sees the graph as it is now, not as an earlier walk saw it.
func TestWalkSeesEdgesAddedAfterAWalk(t *testing.T) {
	g := New()
	g.Connect("b", "a")
	noop := func(context.Context, string) error { return nil }
	if err := g.Walk(context.Background(), 1, noop).Err(); err != nil {
		t.Fatalf("first walk: %v", err)
	}
	g.Connect("c", "b")
	var order []string
	res := g.Walk(context.Background(), 1, func(_ context.Context, id string) error {
		order = append(order, id)
		return nil
	})
	if diff := cmp.Diff([]string{"a", "b", "c"}, order); diff != "" || res.Err() != nil {
		t.Fatalf("second walk order (-want +got):\n%s err %v", diff, res.Err())
	}
	g.Connect("a", "c")
	res = g.Walk(context.Background(), 1, noop)
	var cyc *CycleError
	if !errors.As(res.Errors["a"], &cyc) {
		t.Fatalf("after closing a cycle, a = %v, want a CycleError", res.Errors["a"])
	}
}
