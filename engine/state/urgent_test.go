package state

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// An urgent write queued behind ordinary ones runs and commits first: a
// webhook's sender does not wait for the worker's backlog of writes.
func TestUrgentWriteGoesBeforeQueuedOrdinaryWrites(t *testing.T) {
	s, _ := openTest(t)
	release, gateDone := gate(t, s)
	var mu sync.Mutex
	var order []string
	note := func(name string) func(*wtx) error {
		return func(tx *wtx) error {
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			return enqueueReq(name)(tx)
		}
	}
	var dones []<-chan error
	for i := range 50 {
		d, err := s.w.submit(context.Background(), note(fmt.Sprint("ordinary-", i)))
		if err != nil {
			t.Fatal(err)
		}
		dones = append(dones, d)
	}
	urgentDone, err := s.w.submit(Urgent(context.Background()), note("urgent"))
	if err != nil {
		t.Fatal(err)
	}
	release()
	for _, d := range append(dones, gateDone, urgentDone) {
		if err := <-d; err != nil {
			t.Fatal(err)
		}
	}
	if len(order) != 51 || order[0] != "urgent" {
		t.Fatalf("the urgent write ran as number %d of %d: %v", indexOf(order, "urgent")+1, len(order), order[:min(5, len(order))])
	}
	counts, err := s.InboxCounts(context.Background())
	if err != nil || counts[ItemPending] != 51 {
		t.Fatalf("pending %v, %v; want all 51 committed", counts, err)
	}
}

// A batch of ordinary writes in progress is cut short when an urgent one
// waits, after the ordinary ones had their share: the urgent caller waits
// for about one commit, and the rest of the batch commits after it.
func TestUrgentWriteCutsAnOrdinaryBatchShort(t *testing.T) {
	s, _ := openTest(t)
	release, gateDone := gate(t, s)
	urgentQueued := make(chan struct{})
	var mu sync.Mutex
	var order []string
	slow := func(name string, first bool) func(*wtx) error {
		return func(tx *wtx) error {
			if first {
				<-urgentQueued // the urgent write arrives while this batch runs
			}
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			time.Sleep(urgentYield) // work that takes time, not synchronisation
			return enqueueReq(name)(tx)
		}
	}
	var dones []<-chan error
	for i := range 20 {
		d, err := s.w.submit(context.Background(), slow(fmt.Sprint("ordinary-", i), i == 0))
		if err != nil {
			t.Fatal(err)
		}
		dones = append(dones, d)
	}
	release()
	<-gateDone
	urgentDone, err := s.w.submit(Urgent(context.Background()), func(tx *wtx) error {
		mu.Lock()
		order = append(order, "urgent")
		mu.Unlock()
		return enqueueReq("urgent")(tx)
	})
	if err != nil {
		t.Fatal(err)
	}
	close(urgentQueued)
	for _, d := range append(dones, urgentDone) {
		if err := <-d; err != nil {
			t.Fatal(err)
		}
	}
	if i := indexOf(order, "urgent"); i < 1 || i > 2 {
		t.Fatalf("the urgent write ran as number %d of %d, want right after the ordinary batch's share: %v", i+1, len(order), order)
	}
	counts, err := s.InboxCounts(context.Background())
	if err != nil || counts[ItemPending] != 21 {
		t.Fatalf("pending %v, %v; want all 21 committed", counts, err)
	}
}

// Ordinary writes still commit while urgent ones keep coming.
func TestOrdinaryWritesProgressUnderUrgentFlood(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.Enqueue(Urgent(ctx), NewItem{Pipeline: "p", Trigger: "hook", Key: fmt.Sprint(g, "-", i)}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for i := range 50 {
		if _, err := s.Enqueue(ctx, NewItem{Pipeline: "p", Trigger: "worker", Key: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}
