package shipstation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/shipstation/shipstationtest"
	"github.com/zclconf/go-cty/cty"
)

// readStores makes one v1 call (list_stores is never shared).
func readStores(e *env) error {
	_, err := e.conn.Read(context.Background(), "list_stores", args(e.t, "list_stores", nil))
	return err
}

func TestCallsStayWithinTheVendorsLimit(t *testing.T) {
	// A minute of ShipStation's time passes in a second of real time.
	e := newEnv(t, envOpts{scale: 60, fake: shipstationtest.Options{RateLimit: 40}})
	var wg sync.WaitGroup
	errs := make([]error, 120)
	for i := range errs {
		wg.Go(func() { errs[i] = readStores(e) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	st := e.fake.Stats()
	if st.V1Calls != 120 || st.V1TooMany != 0 {
		t.Errorf("calls %d, 429s %d: want 120 calls and no 429", st.V1Calls, st.V1TooMany)
	}
	if waited := e.clock.Now().Sub(t0); waited < 2*time.Minute {
		t.Errorf("120 calls at 40 a minute took %s of virtual time", waited)
	}
}

func TestRateLimitStormStillDoesAllTheWork(t *testing.T) {
	e := newEnv(t, envOpts{fake: shipstationtest.Options{RateLimit: 40}})
	e.fake.SetFaults(shipstationtest.Faults{RateLimitStorm: 0.3})
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Go(func() {
			a := upsertArgs(t, fmt.Sprintf("k%d", i), fmt.Sprintf("S-%d", i), nil)
			for attempt := 0; ; attempt++ { // the engine's retries
				ch, err := e.conn.PlanWrite(context.Background(), "upsert_order", a)
				if err == nil {
					_, err = e.conn.ApplyWrite(context.Background(), connectors.WriteRequest{Action: "upsert_order", Args: a, Change: ch})
				}
				if err == nil {
					return
				}
				if _, ok := connectors.RetryAfter(err); !ok || attempt > 20 {
					t.Errorf("order %d: %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := len(e.fake.Orders()); n != 60 {
		t.Errorf("%d orders, want 60", n)
	}
	if e.fake.Stats().V1TooMany == 0 {
		t.Error("the storm sent no 429")
	}
}

func TestServerErrorsAndMalformedAnswersAreRetried(t *testing.T) {
	for name, f := range map[string]shipstationtest.Faults{
		"5xx":       {ErrorRate: 0.25},
		"malformed": {MalformedRate: 0.25},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, envOpts{})
			e.fake.SetFaults(f)
			for i := range 20 {
				if err := readStores(e); err != nil {
					t.Fatalf("read %d: %v", i, err)
				}
			}
			if calls := e.fake.Stats().V1Calls; calls <= 20 {
				t.Errorf("%d calls for 20 reads: nothing was retried", calls)
			}
		})
	}
}

func TestTimeoutsAreRetried(t *testing.T) {
	e := newEnv(t, envOpts{timeout: "50ms"})
	e.fake.SetFaults(shipstationtest.Faults{HangRate: 0.3})
	for i := range 10 {
		if err := readStores(e); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
	}
}

func TestPersistentFailures(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.fake.SetFaults(shipstationtest.Faults{ErrorRate: 1})
	err := readStores(e)
	if err == nil || connectors.IsPermanent(err) || !strings.Contains(err.Error(), "An injected fault occurred.") {
		t.Errorf("5xx: %v, want a retryable error with ShipStation's message", err)
	}
	if calls := e.fake.Stats().V1Calls; calls != maxFailures {
		t.Errorf("%d calls, want %d", calls, maxFailures)
	}
	e.fake.SetFaults(shipstationtest.Faults{RateLimitStorm: 1})
	err = readStores(e)
	if d, ok := connectors.RetryAfter(err); !ok || d <= 0 {
		t.Errorf("429s: %v, want a RetryAfterError", err)
	}
}

func TestClientErrorsArePermanentWithTheVendorsMessage(t *testing.T) {
	e := newEnv(t, envOpts{})
	_, err := e.conn.PlanWrite(context.Background(), "hold_order", args(t, "hold_order",
		map[string]cty.Value{"orderId": cty.NumberIntVal(999), "holdUntilDate": cty.StringVal("2024-07-01")}))
	if !connectors.IsPermanent(err) || !errors.Is(err, connectors.ErrNotFound) || !strings.Contains(err.Error(), "Order 999 was not found.") {
		t.Errorf("missing order: %v", err)
	}
	e.conn.c.v1Auth = "Basic d3Jvbmc6d3Jvbmc="
	err = readStores(e)
	if !connectors.IsPermanent(err) || !strings.Contains(err.Error(), "401") {
		t.Errorf("bad credentials: %v", err)
	}
	if strings.Contains(err.Error(), "d3Jvbmc") {
		t.Error("the error shows the credentials")
	}
}

func TestV2NeedsItsKey(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.conn.c.v2Key = ""
	_, err := e.conn.Read(context.Background(), "get_inventory", args(t, "get_inventory",
		map[string]cty.Value{"skus": cty.TupleVal([]cty.Value{cty.StringVal("A")})}))
	if !connectors.IsPermanent(err) || !strings.Contains(err.Error(), "v2_api_key") {
		t.Errorf("err = %v", err)
	}
}
