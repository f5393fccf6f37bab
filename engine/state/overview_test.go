package state

import (
	"context"
	"testing"
	"time"
)

// Health per pipeline: the newest run's outcome, the last success, and the
// failures since the time asked; per connection the same of its writes.
func TestHealths(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		start := clock.Now()
		runAt := func(id, pipeline string, status RunStatus, at time.Time) {
			t.Helper()
			if err := s.StartRun(ctx, Run{ID: id, Pipeline: pipeline, Status: status, Error: string(status), StartedAt: at}); err != nil {
				t.Fatal(err)
			}
		}
		runAt("a", "orders", RunSucceeded, start.Add(-3*time.Hour))
		runAt("b", "orders", RunFailed, start.Add(-2*time.Hour)) // before the window
		runAt("c", "orders", RunDead, start.Add(-30*time.Minute))
		runAt("d", "orders", RunFailed, start.Add(-10*time.Minute))
		runAt("e", "tracking", RunSucceeded, start.Add(-time.Minute))
		hs, err := s.PipelineHealths(ctx, start.Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(hs) != 2 {
			t.Fatalf("healths %+v", hs)
		}
		o := hs[0]
		if o.Pipeline != "orders" || o.LastStatus != RunFailed || !o.LastRun.Equal(start.Add(-10*time.Minute)) ||
			o.RecentFailures != 2 || !o.LastSuccess.Equal(start.Add(-3*time.Hour)) {
			t.Fatalf("orders: %+v", o)
		}
		if tr := hs[1]; tr.Pipeline != "tracking" || tr.LastStatus != RunSucceeded || tr.RecentFailures != 0 {
			t.Fatalf("tracking: %+v", tr)
		}

		for _, k := range []string{"w1", "w2"} {
			if err := s.OpenIntent(ctx, Intent{Key: k, Connection: "connection.shipstation.main"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.CloseIntent(ctx, "w1", IntentDone, nil, ""); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
		if err := s.CloseIntent(ctx, "w2", IntentFailed, nil, "400 Bad Request"); err != nil {
			t.Fatal(err)
		}
		cs, err := s.ConnectionHealths(ctx, start)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 1 || cs[0].LastStatus != IntentFailed || cs[0].LastError != "400 Bad Request" ||
			!cs[0].LastSuccess.Equal(start) || cs[0].RecentFailures != 1 {
			t.Fatalf("connections %+v", cs)
		}
	})
}

// The queue splits pending items into due and waiting.
func TestQueueDepths(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		now := clock.Now()
		if _, err := s.Enqueue(ctx,
			NewItem{Pipeline: "orders", Trigger: "t", Key: "1"},
			NewItem{Pipeline: "orders", Trigger: "t", Key: "2", NotBefore: now.Add(time.Hour)},
			NewItem{Pipeline: "products", Trigger: "t", Key: "3"},
		); err != nil {
			t.Fatal(err)
		}
		items, err := s.Claim(ctx, 1, time.Minute) // item 1
		if err != nil || len(items) != 1 {
			t.Fatal(items, err)
		}
		if err := s.Bury(ctx, items[0].ID, "no"); err != nil {
			t.Fatal(err)
		}
		qs, err := s.QueueDepths(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		want := []QueueDepth{{Pipeline: "orders", Waiting: 1, Dead: 1}, {Pipeline: "products", Pending: 1}}
		if len(qs) != 2 || qs[0] != want[0] || qs[1] != want[1] {
			t.Fatalf("queue %+v, want %+v", qs, want)
		}
	})
}
