package shipstation

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/toteworks/tote/connectors/shipstation/shipstationtest"
)

// countingEnv is an env whose requests are counted by path.
func countingEnv(t *testing.T, fo shipstationtest.Options) (*env, *pathCounter) {
	pc := &pathCounter{n: map[string]int{}}
	return newEnv(t, envOpts{fake: fo, opts: options{httpClient: &http.Client{Transport: pc}}}), pc
}

func (p *pathCounter) get(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n[path]
}

func TestACompleteListingAnswersLookupsOfNewOrders(t *testing.T) {
	e, pc := countingEnv(t, shipstationtest.Options{})
	ctx := context.Background()
	e.upsert("bc:s:100", "100", nil)
	if n := pc.get("/orders"); n != 1 {
		t.Fatalf("first order: %d lookups, want 1", n)
	}
	// The listing of every order (there were none) proves the next ones new.
	for i := 101; i < 150; i++ {
		e.upsert(fmt.Sprintf("bc:s:%d", i), fmt.Sprint(i), nil)
	}
	if n := pc.get("/orders"); n != 1 {
		t.Errorf("49 more new orders: %d lookups in all, want still 1", n)
	}
	if len(e.fake.Orders()) != 50 {
		t.Fatalf("%d orders in ShipStation", len(e.fake.Orders()))
	}

	// An order tote wrote is never taken for absent: it is read again.
	e.conn.cache.drop(func(string, *Order) bool { return true })
	o, err := e.conn.findOrder(ctx, "bc:s:120", "120")
	if err != nil || o == nil || deref(o.OrderNumber) != "120" {
		t.Fatalf("found %v, %v", o, err)
	}
	// Nor is one the listing found: the next lookup of it calls again.
	lookups := pc.get("/orders")
	e.conn.cache.drop(func(string, *Order) bool { return true })
	if o, err := e.conn.findOrder(ctx, "bc:s:120", "120"); err != nil || o == nil {
		t.Fatalf("second read: %v, %v", o, err)
	}
	if pc.get("/orders") != lookups+1 {
		t.Errorf("a known order was answered without a call")
	}

	// A proof of absence expires.
	lookups = pc.get("/orders")
	if o, _ := e.conn.findOrder(ctx, "bc:s:900", "900"); o != nil || pc.get("/orders") != lookups {
		t.Fatalf("fresh listing: found %v after %d calls", o, pc.get("/orders")-lookups)
	}
	e.clock.Set(e.clock.Now().Add(absentTTL))
	if o, _ := e.conn.findOrder(ctx, "bc:s:901", "901"); o != nil || pc.get("/orders") != lookups+1 {
		t.Errorf("stale listing: found %v after %d calls, want nil after 1", o, pc.get("/orders")-lookups)
	}
}

func TestAnOrderMadeOutsideToteAfterAListingIsFoundOnceTheProofExpires(t *testing.T) {
	e, _ := countingEnv(t, shipstationtest.Options{})
	ctx := context.Background()
	e.upsert("bc:s:1", "1", nil)
	// Another process makes bc:s:2: within absentTTL tote would take it
	// for new (createorders would then update it, not duplicate it) ...
	if _, err := e.fake.UpsertOrder(fakeOrder("bc:s:2", "2")); err != nil {
		t.Fatal(err)
	}
	if o, _ := e.conn.findOrder(ctx, "bc:s:2", "2"); o != nil {
		t.Fatalf("within the proof's life the order is not looked up; found %v", o)
	}
	// ... and once the proof expires it is found.
	e.conn.cache.drop(func(string, *Order) bool { return true })
	e.clock.Set(e.clock.Now().Add(absentTTL))
	if o, err := e.conn.findOrder(ctx, "bc:s:2", "2"); err != nil || o == nil {
		t.Fatalf("after expiry: %v, %v", o, err)
	}
}

func TestLookupsNarrowFromAPrefixKnownToSpanPages(t *testing.T) {
	e, pc := countingEnv(t, shipstationtest.Options{})
	ctx := context.Background()
	for i := range pageSize + 20 {
		if _, err := e.fake.UpsertOrder(fakeOrder(fmt.Sprintf("bc:s:%d", 1000+i), fmt.Sprint(1000+i))); err != nil {
			t.Fatal(err)
		}
	}
	// "" spans two pages, "1" too, "15" fits: three calls, then one page.
	o, err := e.conn.findOrder(ctx, "bc:s:1510", "1510")
	if err != nil || o == nil {
		t.Fatalf("found %v, %v", o, err)
	}
	if n := pc.get("/orders"); n != 3 {
		t.Errorf("%d lookups, want 3 (\"\", \"1\", \"15\")", n)
	}
	// What was learnt sticks: a new number under "15" is one call, and
	// the listing of "15" answers the rest of that range.
	e.conn.cache.drop(func(string, *Order) bool { return true })
	e.clock.Set(e.clock.Now().Add(absentTTL))
	if o, _ := e.conn.findOrder(ctx, "bc:s:1530", "1530"); o != nil || pc.get("/orders") != 4 {
		t.Fatalf("found %v after %d lookups, want nil after 4", o, pc.get("/orders"))
	}
	if o, _ := e.conn.findOrder(ctx, "bc:s:1599", "1599"); o != nil || pc.get("/orders") != 4 {
		t.Fatalf("found %v after %d lookups, want nil after 4", o, pc.get("/orders"))
	}
}

func fakeOrder(key, number string) shipstationtest.Order {
	return shipstationtest.Order{OrderKey: key, OrderNumber: number, OrderStatus: "awaiting_shipment",
		OrderDate: &shipstationtest.OrderTime{Time: t0}, BillTo: &shipstationtest.Address{Name: "Jane Roe"},
		ShipTo: &shipstationtest.Address{Name: "Jane Roe"}}
}
