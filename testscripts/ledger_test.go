package testscripts

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/toteworks/tote/cmd/tote/cli"
	"github.com/toteworks/tote/connectors/bigcommerce/bigcommercetest"
	"github.com/toteworks/tote/connectors/sandbox"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/config"
	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/state"
	"github.com/toteworks/tote/engine/worker"
)

// ledgerFakes starts the fakes as the fakes command does and returns them
// with the environment a pipeline's connections read.
func ledgerFakes(t *testing.T) (*sandbox.Fakes, map[string]string) {
	t.Helper()
	opts := fakeOptions()
	f, err := sandbox.StartFakes(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	env := f.Env(opts)
	env["SMTP_STARTTLS"] = "none"
	return f, env
}

// compileSrc compiles one pipeline file against the built-in connectors.
func compileSrc(t *testing.T, src string, env map[string]string) *compile.Program {
	t.Helper()
	reg, err := cli.Registry()
	if err != nil {
		t.Fatal(err)
	}
	cfg, diags := config.Parse(map[string][]byte{"main.hcl": []byte(src)})
	if diags.HasErrors() {
		t.Fatalf("parse: %v", diags)
	}
	prog, diags := compile.Compile(cfg, compile.Options{Registry: reg, Getenv: func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}})
	if diags.HasErrors() {
		t.Fatalf("compile: %v", diags)
	}
	return prog
}

// bigcommerceConnection is the sandbox store, as the fakes' environment
// names it.
const bigcommerceConnection = `
connection "bigcommerce" "main" {
  store_hash    = env("BIGCOMMERCE_STORE_HASH")
  access_token  = secret("BIGCOMMERCE_ACCESS_TOKEN")
  client_secret = secret("BIGCOMMERCE_CLIENT_SECRET")
  api_url       = env("BIGCOMMERCE_API_URL")
  rate_quota    = 3000
}
`

const refundPipeline = bigcommerceConnection + `
pipeline "refund" {
  step "refund" {
    action   = bigcommerce.create_refund
    order_id = %d
    items    = [{ item_type = "PRODUCT", item_id = %d, quantity = 1 }]
    reason   = "[RMA-1]"
  }
}
`

// Two processes on one state file (two stores, two engines with owners of
// their own) applying the same refund while the vendor answers slowly make
// one refund: the second finds the first's claim on the write, waits for
// it, and then sees the refund made.
func TestTwoProcessesMakeOneRefund(t *testing.T) {
	f, env := ledgerFakes(t)
	p := bigcommercetest.MoneyOf("12.50")
	o, err := f.BigCommerce.PlaceOrder(bigcommercetest.OrderInput{
		BillingAddress: &bigcommercetest.Address{AddressFields: bigcommercetest.AddressFields{
			FirstName: "Ana", LastName: "Ruiz", Street1: "12 Elm Rd", City: "Denver", State: "Colorado", Zip: "80203",
			Country: "United States", CountryISO2: "US", Email: "ana@example.com"}},
		Products: []bigcommercetest.OrderProductInput{{Name: "Trail Sock", SKU: "SOCK-1", Quantity: 2, PriceExTax: &p, PriceIncTax: &p}},
	})
	if err != nil {
		t.Fatal(err)
	}
	line := f.BigCommerce.OrderProducts(o.ID)[0]
	prog := compileSrc(t, fmt.Sprintf(refundPipeline, o.ID, line.ID), env)
	f.BigCommerce.SetFaults(bigcommercetest.Faults{LatencyMinMs: 40, LatencyMaxMs: 40})

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	path := filepath.Join(t.TempDir(), "state.db")
	results := make([]*run.Result, 2)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range results {
		st, err := state.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		eng := run.New(prog, st, run.Options{Owner: fmt.Sprintf("process-%d", i)})
		t.Cleanup(func() { eng.Close() })
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i] = eng.Execute(ctx, run.Apply, run.Event{Pipeline: "refund"}, nil, run.NewRunID())
		}()
	}
	close(start)
	wg.Wait()
	for i, res := range results {
		if res.Err != nil {
			t.Errorf("process %d: %v", i, res.Err)
		}
	}
	if rs := f.BigCommerce.Refunds(o.ID); len(rs) != 1 {
		t.Fatalf("refunds of order %d = %d, want 1", o.ID, len(rs))
	}
	if w := results[0].Writes + results[1].Writes; w != 1 {
		t.Errorf("writes = %d, want 1", w)
	}
}

// parkingWorld is one pipeline on a cron trigger, run by a worker on fresh
// state against the fakes.
type parkingWorld struct {
	mu    sync.Mutex
	now   time.Time
	fakes *sandbox.Fakes
	store *state.Store
	w     *worker.Worker
	out   chan worker.Outcome
}

func newParkingWorld(t *testing.T, src string) *parkingWorld {
	t.Helper()
	f, env := ledgerFakes(t)
	prog := compileSrc(t, src, env)
	pw := &parkingWorld{fakes: f, out: make(chan worker.Outcome, 4), now: time.Now()}
	st, err := state.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"), state.WithClock(pw.clock))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	pw.store = st
	eng := run.New(prog, st, run.Options{Clock: pw.clock})
	t.Cleanup(func() { eng.Close() })
	// Retries wait an hour of the test's clock: nothing runs again until
	// the test moves it.
	pw.w = &worker.Worker{Engine: eng, Store: st, Concurrency: 1, Clock: pw.clock, Backoff: time.Hour, MaxBackoff: time.Hour,
		OnSettled: func(_ state.Item, _ *run.Result, o worker.Outcome) { pw.out <- o }}
	return pw
}

func (pw *parkingWorld) clock() time.Time {
	pw.mu.Lock()
	defer pw.mu.Unlock()
	return pw.now
}

func (pw *parkingWorld) advance(d time.Duration) {
	pw.mu.Lock()
	pw.now = pw.now.Add(d)
	pw.mu.Unlock()
}

// settle runs the worker until one item settles and returns its outcome.
func (pw *parkingWorld) settle(t *testing.T) worker.Outcome {
	t.Helper()
	intake, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = pw.w.Run(intake, context.Background()) }()
	defer func() {
		stop()
		<-done
		// A claim the worker gave up waiting for may still commit: the
		// store's one writer runs requests in order, so one more write
		// returns after it, before the test moves its clock.
		if err := pw.store.SetCursor(context.Background(), "test.barrier", "x"); err != nil {
			t.Fatal(err)
		}
	}()
	select {
	case o := <-pw.out:
		return o
	case <-time.After(30 * time.Second):
		its, _ := pw.store.Items(context.Background(), state.ItemFilter{})
		t.Fatalf("no item settled: %+v", its)
		return ""
	}
}

func (pw *parkingWorld) enqueue(t *testing.T) int64 {
	t.Helper()
	res, err := pw.store.Enqueue(context.Background(), state.NewItem{Pipeline: "p", Trigger: "tick", Key: "t1",
		Payload: []byte(`{"tick":"2026-12-01T10:00:00Z"}`)})
	if err != nil {
		t.Fatal(err)
	}
	return res[0].ID
}

// checkParked asserts the item and its run are parked with one write of
// unknown outcome, and that the worker leaves a parked item alone.
func (pw *parkingWorld) checkParked(t *testing.T, id int64) {
	t.Helper()
	ctx := context.Background()
	it, err := pw.store.Item(ctx, id)
	if err != nil || it.Status != state.ItemParked || !strings.Contains(it.LastError, "outcome unknown") {
		t.Fatalf("item = %+v, %v; want parked with an unknown outcome", it, err)
	}
	runs, err := pw.store.Runs(ctx, state.RunFilter{Status: state.RunParked})
	if err != nil || len(runs) != 1 {
		t.Fatalf("parked runs = %v, %v", runs, err)
	}
	if unknown, err := pw.store.UnknownIntents(ctx, runs[0].ID); err != nil || len(unknown) != 1 {
		t.Fatalf("unknown writes of run %s = %v, %v", runs[0].ID, unknown, err)
	}
	if n, ok, _ := pw.store.NextDue(ctx); ok {
		t.Fatalf("a parked item is due again at %v (%v)", n, ok)
	}
}

const emailPipeline = `
connection "email" "customers" {
  host     = env("SMTP_HOST")
  port     = tonumber(env("SMTP_PORT"))
  from     = "Orders <orders@example.com>"
  starttls = "none"
}

pipeline "p" {
  trigger "cron" "tick" {
    schedule = "@hourly"
  }
  step "notice" {
    action  = email.send
    key     = "notice:${trigger.tick}"
    to      = "ana@example.com"
    subject = "Your parcel is delayed"
    text    = "Sorry."
  }
}
`

// An email whose SMTP connection is lost after the final dot may have been
// sent: it is not sent again. The item is parked, and only a person's
// retry (tote retry: Requeue) sends it once more.
func TestAnEmailWhoseAnswerIsLostIsParkedNotResent(t *testing.T) {
	pw := newParkingWorld(t, emailPipeline)
	pw.fakes.Mail.DropAnswers(1)
	id := pw.enqueue(t)
	if o := pw.settle(t); o != worker.Parked {
		t.Fatalf("outcome = %s, want parked", o)
	}
	if n := len(pw.fakes.Mail.Messages()); n != 1 {
		t.Fatalf("messages = %d, want 1", n)
	}
	pw.checkParked(t, id)

	if err := pw.store.Requeue(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if o := pw.settle(t); o != worker.Finished {
		t.Fatalf("outcome after retry = %s, want done", o)
	}
	if n := len(pw.fakes.Mail.Messages()); n != 2 {
		t.Fatalf("messages after retry = %d, want 2", n)
	}
}

// A message the server refuses before taking it (a 451 after DATA) was
// provably not sent: the event is retried on its own, and sent once.
func TestARefusedEmailIsRetriedNotParked(t *testing.T) {
	pw := newParkingWorld(t, emailPipeline)
	pw.fakes.Mail.SetRejectRate(1)
	pw.w.MaxAttempts = 5
	id := pw.enqueue(t)
	if o := pw.settle(t); o != worker.Rescheduled {
		t.Fatalf("outcome = %s, want retry", o)
	}
	pw.fakes.Mail.SetRejectRate(0)
	pw.advance(2 * time.Hour)
	if o := pw.settle(t); o != worker.Finished {
		t.Fatalf("outcome = %s, want done", o)
	}
	if n := len(pw.fakes.Mail.Messages()); n != 1 {
		t.Fatalf("messages = %d, want 1", n)
	}
	if it, _ := pw.store.Item(context.Background(), id); it.Status != state.ItemDone {
		t.Fatalf("item = %s, want done", it.Status)
	}
}

const adjustPipeline = bigcommerceConnection + `
pipeline "p" {
  trigger "cron" "tick" {
    schedule = "@hourly"
  }
  step "take" {
    action      = bigcommerce.adjust_stock
    sku         = "SKU-0003"
    location_id = 1
    quantity    = -1
    reference   = "shipstation shipment 1"
  }
}
`

// A relative stock change whose answer is lost after BigCommerce applied
// it is not sent again: one unit comes off, the item is parked, and a
// person's retry takes one more.
func TestARelativeStockChangeWhoseAnswerIsLostIsParked(t *testing.T) {
	pw := newParkingWorld(t, adjustPipeline)
	before, ok := pw.fakes.BigCommerce.Stock("SKU-0003", 1)
	if !ok {
		t.Fatal("SKU-0003 has no stock at location 1")
	}
	pw.fakes.BigCommerce.LoseAnswers(1)
	id := pw.enqueue(t)
	if o := pw.settle(t); o != worker.Parked {
		t.Fatalf("outcome = %s, want parked", o)
	}
	if now, _ := pw.fakes.BigCommerce.Stock("SKU-0003", 1); now != before-1 {
		t.Fatalf("stock = %d, want %d (one unit off)", now, before-1)
	}
	pw.checkParked(t, id)

	if err := pw.store.Requeue(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if o := pw.settle(t); o != worker.Finished {
		t.Fatalf("outcome after retry = %s, want done", o)
	}
	if now, _ := pw.fakes.BigCommerce.Stock("SKU-0003", 1); now != before-2 {
		t.Fatalf("stock after retry = %d, want %d", now, before-2)
	}
}
