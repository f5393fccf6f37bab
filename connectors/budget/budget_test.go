package budget

import (
	"context"
	"sync"
	"testing"
	"time"
)

type fakeTime struct {
	mu  sync.Mutex
	now time.Time
	ch  chan time.Duration
}

func newFakeTime() *fakeTime {
	return &fakeTime{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), ch: make(chan time.Duration, 100)}
}

func (f *fakeTime) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeTime) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

// After returns a channel that never fires on its own; tests wake waiters
// by advancing the clock and signalling.
func (f *fakeTime) After(d time.Duration) <-chan time.Time {
	f.ch <- d
	return make(chan time.Time)
}

func TestWindowQuotaAndShare(t *testing.T) {
	ft := newFakeTime()
	b := New(Config{Quota: 10, Window: 30 * time.Second, Share: 0.8, Clock: ft.Now, After: ft.After})
	if b.Limit() != 8 {
		t.Fatalf("limit = %d, want 8 (80%% of 10)", b.Limit())
	}
	ctx := context.Background()
	for i := 0; i < 8; i++ {
		if err := b.Wait(ctx, Orders); err != nil {
			t.Fatal(err)
		}
	}
	got := make(chan error)
	go func() { got <- b.Wait(ctx, Orders) }()
	if d := <-ft.ch; d != 30*time.Second {
		t.Fatalf("the ninth call waits %s, want the 30s reset", d)
	}
	ft.advance(30 * time.Second)
	b.signal()
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if s := b.Stats(); s.Calls != 9 {
		t.Fatalf("calls = %d", s.Calls)
	}
}

func TestObserveFollowsVendorHeaders(t *testing.T) {
	ft := newFakeTime()
	b := New(Config{Quota: 150, Window: 30 * time.Second, Share: 0.8, Clock: ft.Now, After: ft.After})
	// Another app spent most of the window: 35 left for the store means 5
	// for us (30 are kept for others).
	b.Observe(35, 12*time.Second)
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		if err := b.Wait(ctx, Orders); err != nil {
			t.Fatal(err)
		}
	}
	got := make(chan error)
	go func() { got <- b.Wait(ctx, Tracking) }()
	if d := <-ft.ch; d != 12*time.Second {
		t.Fatalf("waits %s, want the vendor's 12s reset", d)
	}
	ft.advance(12 * time.Second)
	b.signal()
	<-got
}

func TestThrottledBlocksUntilReset(t *testing.T) {
	ft := newFakeTime()
	b := New(Config{Quota: 40, Window: time.Minute, Clock: ft.Now, After: ft.After})
	b.Throttled(20 * time.Second)
	if next := b.NextToken(); !next.Equal(ft.Now().Add(20 * time.Second)) {
		t.Fatalf("next token at %s", next)
	}
	got := make(chan error)
	go func() { got <- b.Wait(context.Background(), Orders) }()
	if d := <-ft.ch; d != 20*time.Second {
		t.Fatalf("waits %s after a 429, want 20s", d)
	}
	ft.advance(20 * time.Second)
	b.signal()
	<-got
	if s := b.Stats(); s.Throttled != 1 {
		t.Fatalf("throttled = %d", s.Throttled)
	}
}

// When tokens come back, higher priorities are served first.
func TestPriorityOrder(t *testing.T) {
	ft := newFakeTime()
	b := New(Config{Quota: 1, Window: time.Minute, Clock: ft.Now, After: ft.After})
	ctx := context.Background()
	_ = b.Wait(ctx, Orders) // spend the only token
	order := make(chan Priority, 3)
	var wg sync.WaitGroup
	for _, p := range []Priority{Products, Inventory, Orders} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = b.Wait(ctx, p)
			order <- p
		}()
		<-ft.ch // queued and waiting
	}
	for i := 0; i < 3; i++ {
		ft.advance(time.Minute)
		b.signal()
		b.signal()
		p := <-order
		want := []Priority{Orders, Inventory, Products}[i]
		if p != want {
			t.Fatalf("grant %d went to %d, want %d", i, p, want)
		}
		if i < 2 {
			<-ft.ch
		}
	}
	wg.Wait()
}

func TestCancelledWaitReturnsItsToken(t *testing.T) {
	ft := newFakeTime()
	b := New(Config{Quota: 1, Window: time.Minute, Clock: ft.Now, After: ft.After})
	_ = b.Wait(context.Background(), Orders)
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan error)
	go func() { got <- b.Wait(ctx, Orders) }()
	<-ft.ch
	cancel()
	if err := <-got; err == nil {
		t.Fatal("want the context error")
	}
	ft.advance(time.Minute)
	if err := b.Wait(context.Background(), Orders); err != nil {
		t.Fatal(err)
	}
}

// Products leave a quarter of a fresh window to the other priorities: an
// order arriving after a products sweep took what it could goes at once.
// As the window ends the reserve goes to products too.
func TestProductsLeaveOrdersHeadroom(t *testing.T) {
	ft := newFakeTime()
	b := New(Config{Quota: 40, Window: time.Minute, Clock: ft.Now, After: ft.After})
	ctx := context.Background()
	for i := 0; i < 30; i++ {
		if err := b.Wait(ctx, Products); err != nil {
			t.Fatal(err)
		}
	}
	product := make(chan error)
	go func() { product <- b.Wait(ctx, Products) }()
	select {
	case d := <-ft.ch:
		if d <= 0 || d > time.Minute {
			t.Fatalf("the 31st product call waits %s", d)
		}
	case <-product:
		t.Fatal("the 31st product call took a token left for orders")
	}
	for i := 0; i < 5; i++ {
		done := make(chan error)
		go func() { done <- b.Wait(ctx, Orders) }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case d := <-ft.ch:
			t.Fatalf("order %d waits %s after the products' 30 calls", i, d)
		}
	}
	// Near the window's end the products take what is left.
	ft.advance(59 * time.Second)
	b.signal()
	if err := <-product; err != nil {
		t.Fatal(err)
	}
}
