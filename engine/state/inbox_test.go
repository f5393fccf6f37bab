package state

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestEnqueueStoresItem(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		res := mustEnqueue(t, s, NewItem{Pipeline: "orders", Trigger: "changed", Key: "h1", Payload: []byte(`{"id":1}`)})
		got := mustItem(t, s, res[0].ID)
		now := clock.Now()
		want := Item{ID: res[0].ID, Pipeline: "orders", Trigger: "changed", Key: "h1", Payload: []byte(`{"id":1}`),
			Status: ItemPending, Generation: 1, NotBefore: now, CreatedAt: now, UpdatedAt: now}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("item (-want +got):\n%s", diff)
		}
		if _, err := s.Item(context.Background(), 999); !errors.Is(err, ErrNotFound) {
			t.Errorf("Item(999) = %v, want ErrNotFound", err)
		}
	})
}

func TestEnqueueDeduplicates(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		first := mustEnqueue(t, s, NewItem{Pipeline: "orders", Trigger: "changed", Key: "h1"})[0]
		res := mustEnqueue(t, s,
			NewItem{Pipeline: "orders", Trigger: "changed", Key: "h1", Payload: []byte("again")},
			NewItem{Pipeline: "orders", Trigger: "sweep", Key: "h1"},     // other trigger: not a duplicate
			NewItem{Pipeline: "tracking", Trigger: "changed", Key: "h1"}, // other pipeline
			NewItem{Pipeline: "orders", Trigger: "changed", Key: "h2"},
			NewItem{Pipeline: "orders", Trigger: "changed", Key: "h2"}, // duplicate within one call
			NewItem{Pipeline: "orders", Trigger: "changed"},            // no key: never a duplicate
			NewItem{Pipeline: "orders", Trigger: "changed"},
		)
		if !res[0].Duplicate || res[0].ID != first.ID {
			t.Errorf("same key: %+v, want duplicate of %d", res[0], first.ID)
		}
		if res[4].ID != res[3].ID || !res[4].Duplicate || res[3].Duplicate {
			t.Errorf("duplicate within a call: %+v %+v", res[3], res[4])
		}
		for _, i := range []int{1, 2, 3, 5, 6} {
			if res[i].Duplicate || res[i].Skipped || res[i].ID == 0 {
				t.Errorf("item %d: %+v, want inserted", i, res[i])
			}
		}
		if res[5].ID == res[6].ID {
			t.Error("two items without a key share an id")
		}
		if p := mustItem(t, s, first.ID).Payload; p != nil {
			t.Errorf("duplicate overwrote payload: %q", p)
		}
		counts, err := s.InboxCounts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if counts[ItemPending] != 6 {
			t.Errorf("pending = %d, want 6", counts[ItemPending])
		}
	})
}

// A call of many items, inserted a statement of many rows at a time, gives
// each the result it would have alone: new items in order (and claimed in
// it), with their subjects; duplicates, of earlier calls or of an item
// before them in the call, with the id of the item they repeat.
func TestEnqueueManyItems(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		ctx := context.Background()
		old := mustEnqueue(t, s, NewItem{Pipeline: "p", Trigger: "t", Key: "k7"})[0]
		var items []NewItem
		for i := range 70 {
			items = append(items, NewItem{Pipeline: "p", Trigger: "t", Key: fmt.Sprintf("k%d", i), Payload: []byte(fmt.Sprint(i)),
				Subjects: []Subject{{Kind: "order", Value: fmt.Sprint(1000 + i)}}})
		}
		items[40].Key = "k39"                                                                          // a duplicate of the item before it
		items = append(items[:50], append([]NewItem{{Pipeline: "p", Trigger: "t"}}, items[50:]...)...) // no key, between
		res := mustEnqueue(t, s, items...)
		var inserted []int64
		for i, r := range res {
			switch {
			case items[i].Key == "k7":
				if !r.Duplicate || r.ID != old.ID {
					t.Errorf("item %d: %+v, want a duplicate of %d", i, r, old.ID)
				}
			case i == 40:
				if !r.Duplicate || r.ID != res[39].ID {
					t.Errorf("item 40: %+v, want a duplicate of item 39 (%d)", r, res[39].ID)
				}
			default:
				if r.Duplicate || r.ID == 0 {
					t.Fatalf("item %d: %+v, want inserted", i, r)
				}
				if n := len(inserted); n > 0 && r.ID <= inserted[n-1] {
					t.Errorf("item %d has id %d, after %d", i, r.ID, inserted[n-1])
				}
				inserted = append(inserted, r.ID)
				if it := mustItem(t, s, r.ID); string(it.Payload) != string(items[i].Payload) {
					t.Errorf("item %d: payload %q, want %q", i, it.Payload, items[i].Payload)
				}
				if subs := items[i].Subjects; len(subs) > 0 {
					got, err := s.SubjectsOf(ctx, r.ID)
					if err != nil || len(got) != 1 || got[0] != subs[0] {
						t.Errorf("item %d: subjects %v, %v; want %v", i, got, err, subs)
					}
				}
			}
		}
		claimed, err := s.Claim(ctx, 200, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		var order []int64
		for _, it := range claimed {
			if it.ID != old.ID {
				order = append(order, it.ID)
			}
		}
		if diff := cmp.Diff(inserted, order); diff != "" {
			t.Errorf("claimed in another order than enqueued (-enqueued +claimed):\n%s", diff)
		}
	})
}

func TestEnqueueRejectsInvalidItems(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		for _, it := range []NewItem{
			{Trigger: "t"},
			{Pipeline: "p"},
			{Pipeline: "p", Trigger: "t", Overlap: Overlap(7)},
		} {
			if _, err := s.Enqueue(context.Background(), NewItem{Pipeline: "ok", Trigger: "ok"}, it); err == nil {
				t.Errorf("Enqueue(%+v) succeeded", it)
			}
		}
		if items, _ := s.Items(context.Background(), ItemFilter{}); len(items) != 0 {
			t.Errorf("%d items stored after rejected calls", len(items))
		}
	})
}

func TestOverlapAll(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		mustEnqueue(t, s, NewItem{Pipeline: "p", Trigger: "cron", Key: "a"})
		res := mustEnqueue(t, s, NewItem{Pipeline: "p", Trigger: "cron", Key: "b", Overlap: OverlapAll})
		if res[0].Skipped || res[0].Duplicate {
			t.Fatalf("OverlapAll: %+v", res[0])
		}
		counts, _ := s.InboxCounts(context.Background())
		if counts[ItemPending] != 2 {
			t.Errorf("pending = %d, want 2", counts[ItemPending])
		}
	})
}

func TestOverlapSkip(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		ctx := context.Background()
		a := mustEnqueue(t, s, NewItem{Pipeline: "p", Trigger: "cron", Key: "t1"})[0]

		skip := func(key string) EnqueueResult {
			t.Helper()
			return mustEnqueue(t, s, NewItem{Pipeline: "p", Trigger: "cron", Key: key, Overlap: OverlapSkip})[0]
		}
		if r := skip("t2"); !r.Skipped || r.ID != 0 {
			t.Errorf("while pending: %+v, want skipped", r)
		}
		if r := skip("t1"); !r.Duplicate || r.ID != a.ID || r.Skipped {
			t.Errorf("same key: %+v, want duplicate of %d", r, a.ID)
		}
		// Another trigger of the same pipeline is independent.
		if r := mustEnqueue(t, s, NewItem{Pipeline: "p", Trigger: "other", Key: "t2", Overlap: OverlapSkip})[0]; r.Skipped {
			t.Errorf("other trigger skipped: %+v", r)
		}
		if _, err := s.Claim(ctx, 10, time.Minute); err != nil {
			t.Fatal(err)
		}
		if r := skip("t3"); !r.Skipped {
			t.Errorf("while running: %+v, want skipped", r)
		}
		if err := s.Finish(ctx, a.ID, "run-1"); err != nil {
			t.Fatal(err)
		}
		if r := skip("t4"); r.Skipped || r.ID == 0 {
			t.Errorf("after finish: %+v, want inserted", r)
		}
	})
}

func TestOverlapLatest(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		ctx := context.Background()
		running := mustEnqueue(t, s, NewItem{Pipeline: "p", Trigger: "poll", Key: "k0"})[0]
		if _, err := s.Claim(ctx, 1, time.Minute); err != nil {
			t.Fatal(err)
		}
		old := mustEnqueue(t, s,
			NewItem{Pipeline: "p", Trigger: "poll", Key: "k1"},
			NewItem{Pipeline: "p", Trigger: "poll", Key: "k2"},
			NewItem{Pipeline: "p", Trigger: "other", Key: "k3"},
		)
		// A duplicate supersedes nothing.
		if r := mustEnqueue(t, s, NewItem{Pipeline: "p", Trigger: "poll", Key: "k1", Overlap: OverlapLatest})[0]; !r.Duplicate {
			t.Fatalf("duplicate: %+v", r)
		}
		if st := mustItem(t, s, old[0].ID).Status; st != ItemPending {
			t.Fatalf("duplicate superseded k1: %s", st)
		}

		latest := mustEnqueue(t, s, NewItem{Pipeline: "p", Trigger: "poll", Key: "k4", Overlap: OverlapLatest})[0]
		want := map[int64]ItemStatus{
			running.ID: ItemRunning, // running items carry on
			old[0].ID:  ItemSuperseded,
			old[1].ID:  ItemSuperseded,
			old[2].ID:  ItemPending, // other trigger untouched
			latest.ID:  ItemPending,
		}
		for id, st := range want {
			if got := mustItem(t, s, id).Status; got != st {
				t.Errorf("item %d status = %s, want %s", id, got, st)
			}
		}
	})
}

func TestClaim(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		t0 := clock.Now()
		res := mustEnqueue(t, s,
			NewItem{Pipeline: "p", Trigger: "t", Key: "later", NotBefore: t0.Add(time.Minute)},
			NewItem{Pipeline: "p", Trigger: "t", Key: "a"},
			NewItem{Pipeline: "p", Trigger: "t", Key: "earlier", NotBefore: t0.Add(-time.Minute)},
			NewItem{Pipeline: "p", Trigger: "t", Key: "b"},
		)
		later, a, earlier, b := res[0].ID, res[1].ID, res[2].ID, res[3].ID

		got, err := s.Claim(ctx, 2, 30*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != earlier || got[1].ID != a {
			t.Fatalf("first claim = %v, want [%d %d]", ids(got), earlier, a)
		}
		for _, it := range got {
			if it.Status != ItemRunning || it.Attempts != 1 || !it.LeaseUntil.Equal(t0.Add(30*time.Second)) {
				t.Errorf("claimed item %+v: want running, 1 attempt, lease until t0+30s", it)
			}
		}
		got, err = s.Claim(ctx, 10, 30*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].ID != b {
			t.Fatalf("second claim = %v, want [%d] (not_before in the future held back)", ids(got), b)
		}
		if got, _ := s.Claim(ctx, 10, time.Second); len(got) != 0 {
			t.Fatalf("third claim = %v, want none", ids(got))
		}
		clock.Advance(time.Minute)
		got, err = s.Claim(ctx, 10, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].ID != later {
			t.Fatalf("claim after not_before = %v, want [%d]", ids(got), later)
		}
		if _, err := s.Claim(ctx, 0, time.Second); err == nil {
			t.Error("Claim with limit 0 succeeded")
		}
		if _, err := s.Claim(ctx, 1, 0); err == nil {
			t.Error("Claim with lease 0 succeeded")
		}
	})
}

func TestFinishRescheduleBury(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		id := mustEnqueue(t, s, NewItem{Pipeline: "p", Trigger: "t", Key: "k"})[0].ID
		claim := func() {
			t.Helper()
			got, err := s.Claim(ctx, 1, time.Minute)
			if err != nil || len(got) != 1 {
				t.Fatalf("Claim = %v, %v", ids(got), err)
			}
		}

		claim()
		retryAt := clock.Now().Add(10 * time.Second)
		if err := s.Reschedule(ctx, id, retryAt, "503 from ShipStation"); err != nil {
			t.Fatal(err)
		}
		it := mustItem(t, s, id)
		if it.Status != ItemPending || !it.NotBefore.Equal(retryAt) || it.LastError != "503 from ShipStation" || !it.LeaseUntil.IsZero() {
			t.Errorf("after reschedule: %+v", it)
		}
		if got, _ := s.Claim(ctx, 1, time.Minute); len(got) != 0 {
			t.Fatal("rescheduled item claimed before its time")
		}
		clock.Advance(10 * time.Second)
		claim()
		if it := mustItem(t, s, id); it.Attempts != 2 {
			t.Errorf("attempts = %d, want 2", it.Attempts)
		}
		if err := s.Bury(ctx, id, "400: invalid address"); err != nil {
			t.Fatal(err)
		}
		if it := mustItem(t, s, id); it.Status != ItemDead || it.LastError != "400: invalid address" {
			t.Errorf("after bury: %+v", it)
		}

		id2 := mustEnqueue(t, s, NewItem{Pipeline: "p", Trigger: "t", Key: "k2"})[0].ID
		claim()
		clock.Advance(time.Second)
		if err := s.Finish(ctx, id2, "run-9"); err != nil {
			t.Fatal(err)
		}
		if it := mustItem(t, s, id2); it.Status != ItemDone || it.RunID != "run-9" || !it.UpdatedAt.Equal(clock.Now()) {
			t.Errorf("after finish: %+v", it)
		}

		for name, err := range map[string]error{
			"finish":     s.Finish(ctx, 999, "r"),
			"reschedule": s.Reschedule(ctx, 999, time.Time{}, ""),
			"bury":       s.Bury(ctx, 999, ""),
		} {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("%s unknown item = %v, want ErrNotFound", name, err)
			}
		}
	})
}

func TestRequeue(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		res := mustEnqueue(t, s,
			NewItem{Pipeline: "p", Trigger: "t", Key: "dead"},
			NewItem{Pipeline: "p", Trigger: "t", Key: "done"},
			NewItem{Pipeline: "p", Trigger: "t", Key: "pending", NotBefore: clock.Now().Add(time.Hour)},
		)
		if _, err := s.Claim(ctx, 2, time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := s.Bury(ctx, res[0].ID, "boom"); err != nil {
			t.Fatal(err)
		}
		if err := s.Finish(ctx, res[1].ID, "r1"); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
		for _, r := range res[:2] {
			if err := s.Requeue(ctx, r.ID); err != nil {
				t.Fatalf("Requeue(%d): %v", r.ID, err)
			}
			it := mustItem(t, s, r.ID)
			if it.Status != ItemPending || it.Attempts != 0 || !it.NotBefore.Equal(clock.Now()) {
				t.Errorf("requeued item: %+v", it)
			}
		}
		if err := s.Requeue(ctx, res[2].ID); !errors.Is(err, ErrInvalidStatus) {
			t.Errorf("Requeue(pending) = %v, want ErrInvalidStatus", err)
		}
		if err := s.Requeue(ctx, 999); !errors.Is(err, ErrNotFound) {
			t.Errorf("Requeue(999) = %v, want ErrNotFound", err)
		}
	})
}

func TestRequeueDead(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		res := mustEnqueue(t, s,
			NewItem{Pipeline: "p", Trigger: "t", Key: "1"},
			NewItem{Pipeline: "p", Trigger: "t", Key: "2"},
			NewItem{Pipeline: "p", Trigger: "t", Key: "3"},
		)
		if _, err := s.Claim(ctx, 3, time.Minute); err != nil {
			t.Fatal(err)
		}
		for _, r := range res[:2] {
			if err := s.Bury(ctx, r.ID, "x"); err != nil {
				t.Fatal(err)
			}
		}
		clock.Advance(time.Hour)
		n, err := s.RequeueDead(ctx)
		if err != nil || n != 2 {
			t.Fatalf("RequeueDead = %d, %v; want 2", n, err)
		}
		for _, r := range res[:2] {
			if it := mustItem(t, s, r.ID); it.Status != ItemPending || it.Attempts != 0 || !it.NotBefore.Equal(clock.Now()) {
				t.Errorf("item %+v", it)
			}
		}
		if st := mustItem(t, s, res[2].ID).Status; st != ItemRunning {
			t.Errorf("running item became %s", st)
		}
		if n, err := s.RequeueDead(ctx); err != nil || n != 0 {
			t.Errorf("second RequeueDead = %d, %v; want 0", n, err)
		}
	})
}

func TestRecoverRunning(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		res := mustEnqueue(t, s, NewItem{Pipeline: "p", Trigger: "t", Key: "short"}, NewItem{Pipeline: "p", Trigger: "t", Key: "long"})
		if _, err := s.Claim(ctx, 1, time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Claim(ctx, 1, time.Hour); err != nil {
			t.Fatal(err)
		}
		if n, err := s.RecoverRunning(ctx, false); err != nil || n != 0 {
			t.Fatalf("RecoverRunning before expiry = %d, %v; want 0", n, err)
		}
		clock.Advance(time.Minute)
		if n, err := s.RecoverRunning(ctx, false); err != nil || n != 1 {
			t.Fatalf("RecoverRunning after short lease = %d, %v; want 1", n, err)
		}
		if it := mustItem(t, s, res[0].ID); it.Status != ItemPending || it.Attempts != 1 || !it.LeaseUntil.IsZero() {
			t.Errorf("recovered item: %+v", it)
		}
		if st := mustItem(t, s, res[1].ID).Status; st != ItemRunning {
			t.Errorf("item with a live lease became %s", st)
		}
		if n, err := s.RecoverRunning(ctx, true); err != nil || n != 1 {
			t.Fatalf("RecoverRunning(all) = %d, %v; want 1", n, err)
		}
		if st := mustItem(t, s, res[1].ID).Status; st != ItemPending {
			t.Errorf("after RecoverRunning(all): %s", st)
		}
	})
}

func TestNextDue(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		if _, ok, err := s.NextDue(ctx); err != nil || ok {
			t.Fatalf("NextDue on empty inbox = %v, %v", ok, err)
		}
		t0 := clock.Now()
		mustEnqueue(t, s,
			NewItem{Pipeline: "p", Trigger: "t", Key: "1", NotBefore: t0.Add(time.Hour)},
			NewItem{Pipeline: "p", Trigger: "t", Key: "2", NotBefore: t0.Add(time.Minute)},
			NewItem{Pipeline: "p", Trigger: "t", Key: "3", NotBefore: t0.Add(2 * time.Minute)},
		)
		due, ok, err := s.NextDue(ctx)
		if err != nil || !ok || !due.Equal(t0.Add(time.Minute)) {
			t.Fatalf("NextDue = %v, %v, %v; want t0+1m", due, ok, err)
		}
		clock.Advance(time.Minute)
		if _, err := s.Claim(ctx, 1, time.Minute); err != nil {
			t.Fatal(err)
		}
		if due, _, _ := s.NextDue(ctx); !due.Equal(t0.Add(2 * time.Minute)) {
			t.Errorf("NextDue after claim = %v, want t0+2m (running items are not due)", due)
		}
	})
}

func TestItemsAndCounts(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		ctx := context.Background()
		res := mustEnqueue(t, s,
			NewItem{Pipeline: "orders", Trigger: "t", Key: "1"},
			NewItem{Pipeline: "orders", Trigger: "t", Key: "2"},
			NewItem{Pipeline: "tracking", Trigger: "t", Key: "3"},
			NewItem{Pipeline: "orders", Trigger: "t", Key: "4"},
		)
		if _, err := s.Claim(ctx, 1, time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := s.Bury(ctx, res[0].ID, "x"); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			f    ItemFilter
			want []int64
		}{
			{ItemFilter{}, []int64{res[3].ID, res[2].ID, res[1].ID, res[0].ID}},
			{ItemFilter{Pipeline: "orders"}, []int64{res[3].ID, res[1].ID, res[0].ID}},
			{ItemFilter{Pipeline: "orders", Limit: 2}, []int64{res[3].ID, res[1].ID}},
			{ItemFilter{Status: ItemDead}, []int64{res[0].ID}},
			{ItemFilter{Pipeline: "tracking", Status: ItemPending}, []int64{res[2].ID}},
			{ItemFilter{Pipeline: "none"}, nil},
		} {
			items, err := s.Items(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, ids(items)); diff != "" {
				t.Errorf("Items(%+v) (-want +got):\n%s", tc.f, diff)
			}
		}
		counts, err := s.InboxCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[ItemStatus]int{ItemPending: 3, ItemRunning: 0, ItemDone: 0, ItemDead: 1, ItemParked: 0, ItemSuperseded: 0}
		if diff := cmp.Diff(want, counts); diff != "" {
			t.Errorf("InboxCounts (-want +got):\n%s", diff)
		}
	})
}

func TestEnqueueAndSetCursorIsAtomic(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		ctx := context.Background()
		res, err := s.EnqueueAndSetCursor(ctx, "orders.sweep", "2025-03-01T12:00:00Z",
			NewItem{Pipeline: "orders", Trigger: "sweep", Key: "101"})
		if err != nil || len(res) != 1 || res[0].ID == 0 {
			t.Fatalf("EnqueueAndSetCursor = %+v, %v", res, err)
		}
		if v, ok, _ := s.Cursor(ctx, "orders.sweep"); !ok || v != "2025-03-01T12:00:00Z" {
			t.Errorf("cursor = %q, %v", v, ok)
		}
		// An empty cursor name fails inside the transaction: the items go too.
		if _, err := s.EnqueueAndSetCursor(ctx, "", "x", NewItem{Pipeline: "orders", Trigger: "sweep", Key: "102"}); err == nil {
			t.Fatal("EnqueueAndSetCursor with empty cursor name succeeded")
		}
		items, err := s.Items(ctx, ItemFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 {
			t.Errorf("%d items, want 1: the failed call must not leave its item", len(items))
		}
	})
}

// A cursor moved by another process since its mover read it is not moved
// again, and its items are not enqueued.
func TestEnqueueMovingCursorFailsWhenMovedElsewhere(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		ctx := context.Background()
		item := func(n int) NewItem { return NewItem{Pipeline: "p", Trigger: "t", Payload: []byte(fmt.Sprint(n))} }
		if _, err := s.EnqueueMovingCursor(ctx, "journal", "", "e:1", item(1)); err != nil {
			t.Fatalf("from unset: %v", err)
		}
		if _, err := s.EnqueueMovingCursor(ctx, "journal", "e:1", "e:2", item(2)); err != nil {
			t.Fatalf("from e:1: %v", err)
		}
		// Two movers that both read e:1, and one that read it unset.
		if _, err := s.EnqueueMovingCursor(ctx, "journal", "e:1", "e:2", item(2)); !errors.Is(err, ErrCursorMoved) {
			t.Errorf("from a stale value: %v, want ErrCursorMoved", err)
		}
		if _, err := s.EnqueueMovingCursor(ctx, "journal", "", "e:1", item(1)); !errors.Is(err, ErrCursorMoved) {
			t.Errorf("from unset, when set: %v, want ErrCursorMoved", err)
		}
		if v, _, _ := s.Cursor(ctx, "journal"); v != "e:2" {
			t.Errorf("cursor %q, want e:2", v)
		}
		items, err := s.Items(ctx, ItemFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 2 {
			t.Errorf("%d items, want 2: a refused move enqueues nothing", len(items))
		}
	})
}

func ids(items []Item) []int64 {
	var out []int64
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

func TestParseOverlap(t *testing.T) {
	for _, want := range []Overlap{OverlapAll, OverlapSkip, OverlapLatest} {
		got, err := ParseOverlap(want.String())
		if err != nil || got != want {
			t.Errorf("ParseOverlap(%q) = %v, %v", want.String(), got, err)
		}
	}
	// The names are the language's: pin them.
	if OverlapSkip.String() != "skip" || OverlapAll.String() != "all" || OverlapLatest.String() != "latest" {
		t.Error("overlap names changed")
	}
	for _, s := range []string{"", "Skip", "queue", "Overlap(7)"} {
		if _, err := ParseOverlap(s); err == nil || !strings.Contains(err.Error(), `want "skip", "all" or "latest"`) {
			t.Errorf("ParseOverlap(%q) error = %v", s, err)
		}
	}
}

// Unclaimed items are pending again as before their claim, their attempt
// not counted; an item claimed again meanwhile stays with its new claim.
func TestUnclaim(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		res := mustEnqueue(t, s, NewItem{Pipeline: "p", Trigger: "t", Key: "a"}, NewItem{Pipeline: "p", Trigger: "t", Key: "b"})
		// Both leases expire and both items are claimed again: the first
		// claims are stale.
		claimed, _ := takeOverClaims(t, s, clock, 2)
		// Unclaim a under its newest claim, and both under their stale ones.
		fresh := mustItem(t, s, res[0].ID)
		if err := s.Unclaim(ctx, []Item{fresh, claimed[0], claimed[1]}); err != nil {
			t.Fatal(err)
		}
		if got := mustItem(t, s, res[0].ID); got.Status != ItemPending || got.Attempts != fresh.Attempts-1 || !got.LeaseUntil.IsZero() {
			t.Errorf("a = %s, %d attempts, lease %v; want pending with %d attempts", got.Status, got.Attempts, got.LeaseUntil, fresh.Attempts-1)
		}
		if got := mustItem(t, s, res[1].ID); got.Status != ItemRunning || got.Attempts != 2 {
			t.Errorf("b = %s, %d attempts; want running under its newer claim, 2 attempts", got.Status, got.Attempts)
		}
	})
}
