package shipstation

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/shipstation/shipstationtest"
	"github.com/zclconf/go-cty/cty"
)

// forEach runs f for every SKU, ten at a time, as the engine plans a
// step's instances.
func forEach(skus []string, f func(sku string)) {
	sem := make(chan struct{}, 10)
	var wg sync.WaitGroup
	for _, sku := range skus {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			f(sku)
		}()
	}
	wg.Wait()
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A sweep of the catalog lists ShipStation's products in pages of 500
// instead of looking each SKU up; writes are one per changed SKU, and what
// tote wrote answers the next plan.
func TestProductSweepListsTheCatalog(t *testing.T) {
	// Lookups of one SKU and listings of the catalog are both GET
	// /products: they are told apart by the sku filter.
	var lookups, listed atomic.Int64
	count := roundTrip(func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodGet && r.URL.Path == "/products" {
			if r.URL.Query().Has("sku") {
				lookups.Add(1)
			} else {
				listed.Add(1)
			}
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	e := newEnv(t, envOpts{opts: options{httpClient: &http.Client{Transport: count}}})
	const n = 1200 // three pages
	var skus []string
	for i := range n {
		sku := fmt.Sprintf("SKU-%05d", i)
		skus = append(skus, sku)
		if _, err := e.fake.AddProduct(shipstationtest.Product{SKU: sku, Name: sku, Active: true}); err != nil {
			t.Fatal(err)
		}
	}
	upd := func(sku string, oz int64) cty.Value {
		return args(t, "update_product", map[string]cty.Value{"sku": cty.StringVal(sku),
			"product": cty.ObjectVal(map[string]cty.Value{"weightOz": cty.NumberIntVal(oz)})})
	}
	ctx := context.Background()
	plans := map[string]connectors.Change{}
	var mu sync.Mutex
	forEach(skus, func(sku string) {
		ch, err := e.conn.PlanWrite(ctx, "update_product", upd(sku, 9))
		if err != nil {
			t.Errorf("plan %s: %v", sku, err)
		}
		mu.Lock()
		plans[sku] = ch
		mu.Unlock()
	})
	if got := e.fake.Stats().ByRequest["GET /products"]; got != 3 {
		t.Errorf("planning %d SKUs: %d product listings, want 3 pages", n, got)
	}
	// At 40 calls a minute the writes take half an hour: the catalog is
	// listed again (three pages) when its listing is too old, a listing
	// counting as old from when it began, which the writes queued ahead of
	// it delay: at most twice per productsTTL.
	began := e.clock.Now()
	forEach(skus, func(sku string) {
		mu.Lock()
		ch := plans[sku]
		mu.Unlock()
		if _, err := e.conn.ApplyWrite(ctx, connectors.WriteRequest{Action: "update_product", Args: upd(sku, 9), Change: ch}); err != nil {
			t.Errorf("apply %s: %v", sku, err)
		}
	})
	// Each listing may follow a lookup of one SKU, and so may a new count
	// of misses (one per productsTTL).
	relists := 2 * (int64(e.clock.Now().Sub(began)/productsTTL) + 1)
	st := e.fake.Stats().ByRequest
	if st["PUT /products/{id}"] != n || listed.Load() > 3+3*relists || lookups.Load() > 2*relists {
		t.Errorf("applying: %d writes for %d SKUs, %d catalog pages (at most %d), %d lookups by SKU (at most %d)",
			st["PUT /products/{id}"], n, listed.Load(), 3+3*relists, lookups.Load(), 2*relists)
	}
	for _, sku := range skus[:5] {
		if p, _ := e.fake.ProductBySKU(sku); p.WeightOz == nil || *p.WeightOz != 9 {
			t.Errorf("%s weighs %v", sku, p.WeightOz)
		}
	}
	// A plan after the writes sees them. Where the writes left the
	// listing's age and the count of misses depends on how the concurrent
	// writers interleaved with the clock, so the plan is made once every
	// memory of the writes is stale: the first SKU is looked up alone, the
	// second lists the catalog (three pages), which answers the rest.
	e.clock.Advance(productsTTL + time.Second)
	lookupsBefore, listedBefore := lookups.Load(), listed.Load()
	forEach(skus, func(sku string) {
		if ch, err := e.conn.PlanWrite(ctx, "update_product", upd(sku, 9)); err != nil || ch.Op != connectors.OpNoop {
			t.Errorf("replan %s: %s %v", sku, ch.Op, err)
		}
	})
	if got, lone := listed.Load()-listedBefore, lookups.Load()-lookupsBefore; got != 3 || lone != 1 {
		t.Errorf("replanning: %d catalog pages and %d lookups by SKU, want one listing (3) and one lookup", got, lone)
	}
	listings := e.fake.Stats().ByRequest["GET /products"]

	// Later, one SKU alone costs one lookup; a second soon after, while a
	// sweep seems under way, lists the catalog again.
	e.clock.Advance(productsTTL + time.Second)
	if _, err := e.conn.PlanWrite(ctx, "update_product", upd(skus[7], 10)); err != nil {
		t.Fatal(err)
	}
	if got := e.fake.Stats().ByRequest["GET /products"]; got != listings+1 {
		t.Errorf("a lone lookup: %d calls, want 1", got-listings)
	}
	if ch, err := e.conn.PlanWrite(ctx, "update_product", upd(skus[8], 10)); err != nil || ch.Op != connectors.OpUpdate {
		t.Fatalf("second lookup: %s %v", ch.Op, err)
	}
	if got := e.fake.Stats().ByRequest["GET /products"]; got != listings+4 {
		t.Errorf("a second lookup: %d calls, want 3 (the catalog)", got-listings-1)
	}
}

// Concurrent polls of one tag share one listing per status; a tag tote
// itself changes is listed afresh.
func TestTaggedListingsAreShared(t *testing.T) {
	e := newEnv(t, envOpts{})
	_, out := e.upsert("k", "T-1", nil)
	id, _ := out.GetAttr("id").AsBigFloat().Int64()
	if err := e.fake.TagOrder(id, "Backorder"); err != nil {
		t.Fatal(err)
	}
	a := triggerArgs(t, "shipstation_poll", map[string]cty.Value{"resource": cty.StringVal("tagged_orders"), "tag": cty.StringVal("Backorder")})
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			evs, _, err := e.conn.Poll(ctx, "shipstation_poll", a, connectors.Window{})
			if err != nil || len(evs) != 1 {
				t.Errorf("events %v, %v", evs, err)
			}
		}()
	}
	wg.Wait()
	if got := e.fake.Stats().ByRequest["GET /orders/listbytag"]; got != int64(len(openStatuses)) {
		t.Errorf("8 polls made %d listbytag calls, want %d", got, len(openStatuses))
	}
	e.write("remove_tag", map[string]cty.Value{"orderId": out.GetAttr("id"), "tag": cty.StringVal("Backorder")})
	evs, _, err := e.conn.Poll(ctx, "shipstation_poll", a, connectors.Window{})
	if err != nil || len(evs) != 0 {
		t.Errorf("after remove_tag: %v, %v", evs, err)
	}
}

// An order tagged again after its tag came off is news although its
// modifyDate did not move (the fake's default): its events' keys differ.
func TestTaggedAgainIsANewEvent(t *testing.T) {
	e := newEnv(t, envOpts{})
	_, out := e.upsert("k", "T-2", nil)
	id, _ := out.GetAttr("id").AsBigFloat().Int64()
	a := triggerArgs(t, "shipstation_poll", map[string]cty.Value{"resource": cty.StringVal("tagged_orders"), "tag": cty.StringVal("Return Received")})
	poll := func() []string {
		t.Helper()
		evs, _, err := e.conn.Poll(context.Background(), "shipstation_poll", a, connectors.Window{})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, ev := range evs {
			keys = append(keys, ev.Key)
		}
		return keys
	}
	if err := e.fake.TagOrder(id, "Return Received"); err != nil {
		t.Fatal(err)
	}
	first := poll()
	if len(first) != 1 || !slices.Equal(poll(), first) {
		t.Fatalf("first tagging: %v", first)
	}
	// tote takes the tag off; the warehouse tags the order again.
	e.write("remove_tag", map[string]cty.Value{"orderId": out.GetAttr("id"), "tag": cty.StringVal("Return Received")})
	e.clock.Advance(time.Second)
	if err := e.fake.TagOrder(id, "Return Received"); err != nil {
		t.Fatal(err)
	}
	second := poll()
	if len(second) != 1 || second[0] == first[0] {
		t.Fatalf("tagged again: %v after %v", second, first)
	}
	if !slices.Equal(poll(), second) {
		t.Error("a second poll of the same tagging is not the same event")
	}
}
