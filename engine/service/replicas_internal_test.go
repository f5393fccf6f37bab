package service

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/conntest"
	"github.com/toteworks/tote/connectors/schema"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/config"
	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/state"
	"github.com/zclconf/go-cty/cty"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

const ticking = `
connection "memory" "m" {}
pipeline "p" {
  trigger "cron" "tick" {
    schedule = "* * * * *"
    overlap  = "all"
    catch_up = 3
  }
  trigger "memory_poll" "sweep" {
    connection = connection.memory.m
    schedule   = "* * * * *"
    prefix     = "rec/"
  }
  step "w" {
    action = memory.put
    key    = "out"
    value  = 1
  }
}
`

// waiter is one scheduler waiting for its next tick.
type waiter struct {
	d  time.Duration
	ch chan time.Time
}

// Two replicas' schedulers on one state, driven through the same ticks by
// one clock, fire each tick once: one cron item per tick, one poll of the
// vendor per tick; after downtime, two fresh replicas catch up once.
func TestTwoSchedulersFireEachTickOnce(t *testing.T) {
	mem := conntest.NewStore()
	cfg, diags := config.Parse(map[string][]byte{"main.hcl": []byte(ticking)})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	prog, diags := compile.Compile(cfg, compile.Options{Registry: connectors.MustRegistry(mem.Connector())})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	start := time.Date(2026, 3, 1, 12, 0, 30, 0, time.UTC)
	clock := &testClock{t: start}
	st, err := state.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), state.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	waits := make(chan waiter)
	pair := func(owners ...string) (stop func()) {
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for _, o := range owners {
			eng := run.New(prog, st, run.Options{Clock: clock.Now, Owner: o})
			s := scheduler(eng, st, Options{Clock: clock.Now, Logger: slog.New(slog.DiscardHandler), Replica: true}, make(chan struct{}, 1))
			s.After = func(d time.Duration) <-chan time.Time {
				ch := make(chan time.Time, 1)
				select {
				case waits <- waiter{d, ch}:
				case <-ctx.Done():
				}
				return ch
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer eng.Close()
				if err := s.Run(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		return func() { cancel(); wg.Wait() }
	}
	// both waits until both schedulers have fired what was due and sleep.
	both := func() []waiter { return []waiter{<-waits, <-waits} }

	stop := pair("a-host:1:1", "b-host:2:1")
	ws := both()
	const ticks = 5
	for i := 1; i <= ticks; i++ {
		mem.Put("rec/"+string(rune('a'+i)), cty.True) // something new for each poll
		clock.Set(start.Add(time.Duration(i) * time.Minute))
		for _, w := range ws {
			w.ch <- clock.Now()
		}
		ws = both()
	}
	stop()
	if got := mem.Polls(); got != ticks {
		t.Fatalf("polls = %d for %d ticks, want one each", got, ticks)
	}
	countTicks(t, st, ticks)

	// Down for ten minutes: two new replicas catch up the last three ticks
	// (catch_up = 3), once.
	clock.Set(start.Add((ticks + 10) * time.Minute))
	stop = pair("a-host:3:2", "b-host:4:2")
	both()
	stop()
	if got := mem.Polls(); got != ticks+1 {
		t.Fatalf("polls after the catch-up = %d, want %d (one for the latest tick)", got, ticks+1)
	}
	countTicks(t, st, ticks+3)
}

// countTicks checks there is one cron item per tick, want in all.
func countTicks(t *testing.T, st *state.Store, want int) {
	t.Helper()
	items, err := st.Items(context.Background(), state.ItemFilter{Pipeline: "p", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	for _, it := range items {
		if it.Trigger == "tick" {
			per[it.Key]++
		}
	}
	for k, n := range per {
		if n != 1 {
			t.Errorf("tick %s: %d items, want 1", k, n)
		}
	}
	if len(per) != want {
		t.Fatalf("ticks with an item = %d, want %d: %v", len(per), want, per)
	}
}

// hooks is a vendor whose one registration is missing until created; it
// counts the checks and the changes made.
type hooks struct {
	mu             sync.Mutex
	checks, writes int
	have           bool
}

func (v *hooks) Spec() connectors.Spec {
	return connectors.Spec{Type: "vendor", Doc: "test vendor", Triggers: []connectors.TriggerSpec{{
		Kind: "vendor_webhook", Mode: connectors.Webhook, Doc: "deliveries", Args: schema.Object{},
		Event: cty.Object(map[string]cty.Type{"id": cty.String}),
	}}}
}
func (v *hooks) Open(context.Context, connectors.Config) (connectors.Conn, error) { return v, nil }
func (v *hooks) Close() error                                                     { return nil }
func (v *hooks) Read(context.Context, string, cty.Value) (cty.Value, error)       { return cty.NilVal, nil }
func (v *hooks) PlanWrite(context.Context, string, cty.Value) (connectors.Change, error) {
	return connectors.Change{}, nil
}
func (v *hooks) ApplyWrite(context.Context, connectors.WriteRequest) (cty.Value, error) {
	return cty.NilVal, nil
}
func (v *hooks) Receive(context.Context, string, cty.Value, *http.Request, []byte) ([]connectors.Event, error) {
	return nil, nil
}
func (v *hooks) PlanSubscriptions(_ context.Context, want []connectors.Subscription, _ string) ([]connectors.SubscriptionChange, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.checks++
	op := connectors.OpCreate
	if v.have {
		op = connectors.OpNoop
	}
	return []connectors.SubscriptionChange{{Op: op, Topic: "orders", URL: want[0].URL}}, nil
}
func (v *hooks) ApplySubscription(context.Context, connectors.SubscriptionChange) error {
	v.mu.Lock()
	v.writes++
	v.have = true
	v.mu.Unlock()
	return nil
}

// Of two replicas, the one holding the subscriptions lease checks and
// repairs the registrations; the other skips its rounds, until the first
// stops (its lease released) and it takes over.
func TestOneReplicaRepairsSubscriptions(t *testing.T) {
	v := &hooks{}
	cfg, _ := config.Parse(map[string][]byte{"main.hcl": []byte(`
connection "vendor" "v" {}
pipeline "p" {
  trigger "vendor_webhook" "in" {}
}
`)})
	prog, diags := compile.Compile(cfg, compile.Options{Registry: connectors.MustRegistry(func() connectors.Connector { return v })})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	st, err := state.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	opts := Options{PublicURL: "https://tote.example.com", Logger: slog.New(slog.DiscardHandler)}
	var rs []*repairer
	for _, o := range []string{"a-host:1:1", "b-host:2:1"} {
		eng := run.New(prog, st, run.Options{Owner: o})
		defer eng.Close()
		rs = append(rs, &repairer{eng: eng, opts: opts, every: time.Minute})
	}
	for range 3 {
		for _, r := range rs {
			r.round(ctx)
		}
	}
	if v.checks != 3 || v.writes != 1 {
		t.Fatalf("checks = %d, writes = %d; want 3 checks (one replica's rounds) and 1 creation", v.checks, v.writes)
	}
	if err := st.ReleaseLease(ctx, SubscriptionsLease, rs[0].eng.Owner()); err != nil {
		t.Fatal(err)
	}
	rs[1].round(ctx)
	rs[0].round(ctx)
	if v.checks != 4 || !rs[1].led {
		t.Fatalf("checks = %d after the first stopped; want the second to take over", v.checks)
	}
}
