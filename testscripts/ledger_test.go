package testscripts

import (
	"context"
	"fmt"
	"path/filepath"
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
)

// ledgerFakes starts the fakes and returns them with the environment a
// pipeline's connections read.
func ledgerFakes(t *testing.T) (*sandbox.Fakes, map[string]string) {
	t.Helper()
	any := "127.0.0.1:0"
	opts := sandbox.Options{Addresses: sandbox.Addresses{BigCommerce: any, ShipStation: any, SMTP: any, Mail: any},
		Seed: 1, BigCommerceQuota: 3000, ShipStationPerMinute: 200, ShipStationWindow: 2 * time.Second}
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

const refundPipeline = `
connection "bigcommerce" "main" {
  store_hash    = env("BIGCOMMERCE_STORE_HASH")
  access_token  = secret("BIGCOMMERCE_ACCESS_TOKEN")
  client_secret = secret("BIGCOMMERCE_CLIENT_SECRET")
  api_url       = env("BIGCOMMERCE_API_URL")
  rate_quota    = 3000
}

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
