package state

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// Several processes on one state: each Store here stands for a process of
// its own (its own writer connection and read pool), as replicas of
// `tote run` on one PostgreSQL database or two tote commands on one SQLite
// file.

// openAt opens another store on location, closed when t ends.
func openAt(t *testing.T, location string, clock *testClock) *Store {
	t.Helper()
	s, err := Open(context.Background(), location, WithClock(clock.Now))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConcurrentFirstOpen(t *testing.T) {
	backends(t, func(t *testing.T) {
		loc := testLocation(t)
		clock := newTestClock()
		const n = 4
		var wg sync.WaitGroup
		errs := make([]error, n)
		stores := make([]*Store, n)
		for i := range n {
			wg.Go(func() { stores[i], errs[i] = Open(context.Background(), loc, WithClock(clock.Now)) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("Open %d: %v", i, err)
				continue
			}
			defer stores[i].Close()
		}
		if t.Failed() {
			return
		}
		var v int
		if err := stores[0].queryRow(context.Background(), `SELECT COUNT(*) FROM schema_migrations`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		ms, _ := loadMigrations(migrationFiles, "migrations/"+string(stores[0].Backend()))
		if v != len(ms) {
			t.Errorf("%d migrations recorded, want %d (each once)", v, len(ms))
		}
	})
}

func TestTwoProcessesClaimEachItemOnce(t *testing.T) {
	backends(t, func(t *testing.T) {
		a, clock := openTest(t)
		b := openAt(t, a.locationForTest(t), clock)
		ctx := context.Background()
		const total = 300
		items := make([]NewItem, total)
		for i := range items {
			items[i] = NewItem{Pipeline: "orders", Trigger: "changed", Key: fmt.Sprint(i)}
		}
		mustEnqueue(t, a, items...)

		var mu sync.Mutex
		claims := map[int64]int{}
		var wg sync.WaitGroup
		for w := range 8 {
			s := []*Store{a, b}[w%2]
			wg.Go(func() {
				for {
					got, err := s.Claim(ctx, 7, time.Minute)
					if err != nil {
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, it := range got {
						claims[it.ID]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(claims) != total {
			t.Errorf("%d items claimed, want %d", len(claims), total)
		}
		for id, n := range claims {
			if n != 1 {
				t.Errorf("item %d claimed %d times", id, n)
			}
		}
	})
}

func TestConcurrentAcquireHasOneWinner(t *testing.T) {
	backends(t, func(t *testing.T) {
		a, clock := openTest(t)
		b := openAt(t, a.locationForTest(t), clock)
		ctx := context.Background()
		for round := range 5 {
			name := fmt.Sprint("lease-", round)
			var mu sync.Mutex
			var winners []string
			var wg sync.WaitGroup
			for i := range 6 {
				s := []*Store{a, b}[i%2]
				holder := fmt.Sprint("holder-", i)
				wg.Go(func() {
					_, ok, err := s.AcquireFence(ctx, name, holder, time.Minute)
					if err != nil {
						t.Error(err)
					}
					if ok {
						mu.Lock()
						winners = append(winners, holder)
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if len(winners) != 1 {
				t.Errorf("%s: winners %v, want exactly one", name, winners)
			}
		}
	})
}

func TestConcurrentOverlapSkipEnqueuesOne(t *testing.T) {
	backends(t, func(t *testing.T) {
		a, clock := openTest(t)
		b := openAt(t, a.locationForTest(t), clock)
		ctx := context.Background()
		var wg sync.WaitGroup
		for i := range 10 {
			s := []*Store{a, b}[i%2]
			wg.Go(func() {
				if _, err := s.Enqueue(ctx, NewItem{Pipeline: "p", Trigger: "cron", Key: fmt.Sprint("tick-", i), Overlap: OverlapSkip}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		counts, err := a.InboxCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts[ItemPending] != 1 {
			t.Errorf("%d pending items, want 1 (the others skipped)", counts[ItemPending])
		}
	})
}

// TestDeadlockVictimIsRetried: two processes' batches take two keys in
// opposite orders. PostgreSQL aborts one request as a deadlock victim; it
// must run again after its batch commits instead of failing. PostgreSQL
// only: SQLite's writers exclude each other, so the batches cannot cross.
func TestDeadlockVictimIsRetried(t *testing.T) {
	requirePostgres(t)
	t.Run(string(Postgres), func(t *testing.T) {
		a, clock := openTest(t)
		b := openAt(t, a.locationForTest(t), clock)
		ctx := context.Background()
		a1, b1 := make(chan struct{}), make(chan struct{})
		var onceA, onceB sync.Once
		enqueue := func(key string) func(*wtx) error {
			return func(tx *wtx) error {
				return enqueue(tx, []NewItem{{Pipeline: "p", Trigger: "t", Key: key}}, make([]EnqueueResult, 1))
			}
		}
		releaseA, _ := gate(t, a)
		releaseB, _ := gate(t, b)
		var dones []<-chan error
		for _, r := range []struct {
			s  *Store
			fn func(*wtx) error
		}{
			{a, func(tx *wtx) error { err := enqueue("k1")(tx); onceA.Do(func() { close(a1) }); return err }},
			{a, func(tx *wtx) error { <-b1; return enqueue("k2")(tx) }},
			{b, func(tx *wtx) error { <-a1; err := enqueue("k2")(tx); onceB.Do(func() { close(b1) }); return err }},
			{b, enqueue("k1")},
		} {
			d, err := r.s.w.submit(ctx, r.fn)
			if err != nil {
				t.Fatal(err)
			}
			dones = append(dones, d)
		}
		releaseA()
		releaseB()
		for i, d := range dones {
			if err := <-d; err != nil {
				t.Errorf("request %d: %v", i, err)
			}
		}
		items, err := a.Items(ctx, ItemFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 2 {
			t.Errorf("%d items, want 2 (k1 and k2, once each)", len(items))
		}
	})
}

// locationForTest is the unredacted location a test store was opened at.
func (s *Store) locationForTest(t *testing.T) string {
	t.Helper()
	loc, ok := testLocations.Load(s)
	if !ok {
		t.Fatal("store not opened by openTest")
	}
	return loc.(string)
}

var testLocations sync.Map // *Store -> location
