package cpugate_test

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/toteworks/tote/engine/cpugate"
)

// computing counts the runs between Enter (or a resume) and their next
// Wait (or exit), and remembers the most at once.
type computing struct {
	now, most atomic.Int32
}

// start marks a run computing, and yields the processor a while so that
// another run computing at the same time would overlap it.
func (c *computing) start() {
	n := c.now.Add(1)
	defer func() {
		for range 50 {
			runtime.Gosched()
		}
	}()
	for {
		m := c.most.Load()
		if n <= m || c.most.CompareAndSwap(m, n) {
			return
		}
	}
}

func (c *computing) stop() { c.now.Add(-1) }

func TestOneSlotRunsNeverComputeAtOnce(t *testing.T) {
	g := cpugate.New(1)
	var c computing
	// Every run waits on a "vendor" that answers only once all of them
	// are waiting on it: with the slot kept during the wait, the second
	// run could never enter and this would never end.
	const runs = 8
	var arrived sync.WaitGroup
	arrived.Add(runs)
	answer := make(chan struct{})
	go func() { arrived.Wait(); close(answer) }()
	var wg sync.WaitGroup
	for range runs {
		wg.Go(func() {
			ctx, exit := g.Enter(context.Background())
			defer exit()
			c.start()
			c.stop()
			resume := cpugate.Wait(ctx)
			arrived.Done()
			<-answer
			resume()
			c.start()
			c.stop()
			// A second wait, as for the run's commit.
			resume = cpugate.Wait(ctx)
			resume()
			c.start()
			c.stop()
		})
	}
	wg.Wait()
	if m := c.most.Load(); m != 1 {
		t.Errorf("at most %d runs computed at once, want 1", m)
	}
}

func TestRunWithWaitingStepsKeepsNoSlot(t *testing.T) {
	g := cpugate.New(1)
	ctx, exit := g.Enter(context.Background())
	// Two steps of one run wait at once: the slot is another run's until
	// both are back (each Enter below would block for good otherwise).
	r1, r2 := cpugate.Wait(ctx), cpugate.Wait(ctx)
	_, exitOther := g.Enter(context.Background())
	exitOther()
	r1()
	_, exitOther = g.Enter(context.Background())
	exitOther()
	r2()
	exit()
	_, exitOther = g.Enter(context.Background())
	exitOther()
}

func TestNilGateBoundsNothing(t *testing.T) {
	var g *cpugate.Gate = cpugate.New(0)
	ctx, exit := g.Enter(context.Background())
	cpugate.Wait(ctx)()
	exit()
	resume := cpugate.Wait(context.Background())
	resume()
}

func TestCanceledRunGoesOnWithoutSlot(t *testing.T) {
	g := cpugate.New(1)
	_, exit := g.Enter(context.Background())
	defer exit()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ctx2, exit2 := g.Enter(ctx) // would block forever if it waited
	cpugate.Wait(ctx2)()
	exit2()
}

// A run that is over may still wait (its settlement's commit); coming back
// from that wait takes no slot, which nothing would ever give back.
func TestWaitAfterExitTakesNoSlot(t *testing.T) {
	g := cpugate.New(1)
	ctx, exit := g.Enter(context.Background())
	exit()
	cpugate.Wait(ctx)()                           // a settlement's commit
	_, exitOther := g.Enter(context.Background()) // blocks for good if the slot leaked
	exitOther()
}
