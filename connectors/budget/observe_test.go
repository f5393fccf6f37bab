package budget

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
)

type calls struct {
	mu     sync.Mutex
	waited []time.Duration
}

func (c *calls) VendorCall(d time.Duration) {
	c.mu.Lock()
	c.waited = append(c.waited, d)
	c.mu.Unlock()
}
func (c *calls) VendorThrottled() {}

// Each call granted is reported to the context's observer with the time it
// waited for the budget; a wait given up is not a call.
func TestWaitReportsCallsAndWaiting(t *testing.T) {
	ft := newFakeTime()
	b := New(Config{Quota: 1, Window: time.Minute, Clock: ft.Now, After: ft.After})
	obs := &calls{}
	ctx := connectors.WithCallObserver(context.Background(), obs)
	if err := b.Wait(ctx, Orders); err != nil {
		t.Fatal(err)
	}
	got := make(chan error)
	go func() { got <- b.Wait(ctx, Orders) }()
	<-ft.ch // waiting for the next window
	ft.advance(time.Minute)
	b.signal()
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	go func() { got <- b.Wait(cancelled, Orders) }()
	<-ft.ch
	cancel()
	<-got
	if len(obs.waited) != 2 || obs.waited[0] != 0 || obs.waited[1] != time.Minute {
		t.Fatalf("observed waits %v, want [0s 1m0s]", obs.waited)
	}
}
