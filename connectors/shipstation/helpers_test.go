package shipstation

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/internal/fakekit"
	"github.com/toteworks/tote/connectors/shipstation/shipstationtest"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// t0 is 10:00 Pacific (PDT) on 2024-06-05.
var t0 = time.Date(2024, 6, 5, 17, 0, 0, 0, time.UTC)

var credSeq atomic.Int64

// env is a fake ShipStation and a connection to it. Time is virtual: the
// fake's clock is frozen, and every wait of the connection (the rate
// budget, backoff, batch lingering) moves it forward instead of sleeping.
type env struct {
	t     testing.TB
	fake  *shipstationtest.Server
	clock *fakekit.Clock
	conn  *conn
}

type envOpts struct {
	// scale, when set, runs the clock that many times faster than real
	// time instead of virtually: waits really pass, only shorter.
	scale   float64
	fake    shipstationtest.Options
	opts    options
	timeout string
	noToken bool
	noV2    bool // the v2 key is empty, as when SHIPSTATION_V2_API_KEY is unset
}

// virtualAfter is time.After on the fake's clock: it moves the clock to
// the end of the wait at once (never back, so concurrent waits for the
// same moment move it once).
func virtualAfter(c *fakekit.Clock) func(time.Duration) <-chan time.Time {
	var mu sync.Mutex
	return func(d time.Duration) <-chan time.Time {
		mu.Lock()
		defer mu.Unlock()
		if at := c.Now().Add(d); at.After(c.Now()) {
			c.Set(at)
		}
		ch := make(chan time.Time, 1)
		ch <- c.Now()
		return ch
	}
}

func newEnv(t testing.TB, eo envOpts) *env {
	t.Helper()
	clk := new(fakekit.Clock)
	clk.Set(t0)
	n := credSeq.Add(1)
	// Budgets are per credential and per process: every env has its own.
	fo := eo.fake
	fo.Clock = clk
	fo.APIKey = fmt.Sprintf("key-%d", n)
	fo.APISecret = fmt.Sprintf("secret-%d", n)
	fo.V2APIKey = fmt.Sprintf("v2-%d", n)
	if fo.RateLimit == 0 {
		fo.RateLimit = 100000
	}
	fake := shipstationtest.NewServer(fo)
	t.Cleanup(fake.Close)
	o := eo.opts
	o.clock = clock{now: clk.Now, after: virtualAfter(clk)}
	if eo.scale > 0 {
		o.clock = scaledClock(t, clk, eo.scale)
	}
	if o.backoff == 0 {
		o.backoff = time.Millisecond
	}
	vals := map[string]cty.Value{
		"api_key": cty.StringVal(fo.APIKey), "api_secret": cty.StringVal(fo.APISecret),
		"v2_api_key": cty.StringVal(fo.V2APIKey), "api_url": cty.StringVal(fake.URL), "v2_api_url": cty.StringVal(fake.URL),
		"webhook_token": cty.StringVal("s3cret-token"), "timeout": cty.StringVal("5s"),
	}
	if eo.timeout != "" {
		vals["timeout"] = cty.StringVal(eo.timeout)
	}
	if eo.noToken {
		vals["webhook_token"] = cty.NullVal(cty.String)
	}
	if eo.noV2 {
		vals["v2_api_key"] = cty.StringVal("")
	}
	c, err := connector{opts: o}.Open(context.Background(), connectors.Config{Name: "main", Values: cty.ObjectVal(vals)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &env{t: t, fake: fake, clock: clk, conn: c.(*conn)}
}

// args builds an action's arguments as the engine would: absent ones null,
// the rest converted to the declared types.
func args(t testing.TB, action string, vals map[string]cty.Value) cty.Value {
	t.Helper()
	a, ok := spec().Action(action)
	if !ok {
		t.Fatalf("no action %s", action)
	}
	return decode(t, a.Args.ImpliedType(), vals)
}

func triggerArgs(t testing.TB, kind string, vals map[string]cty.Value) cty.Value {
	t.Helper()
	tr, ok := spec().Trigger(kind)
	if !ok {
		t.Fatalf("no trigger %s", kind)
	}
	return decode(t, tr.Args.ImpliedType(), vals)
}

func decode(t testing.TB, typ cty.Type, vals map[string]cty.Value) cty.Value {
	t.Helper()
	full := map[string]cty.Value{}
	for name, at := range typ.AttributeTypes() {
		full[name] = cty.NullVal(at)
		if v, ok := vals[name]; ok {
			full[name] = v
		}
	}
	for name := range vals {
		if !typ.HasAttribute(name) {
			t.Fatalf("no argument %s", name)
		}
	}
	v, err := convert.Convert(cty.ObjectVal(full), typ)
	if err != nil {
		t.Fatalf("arguments: %v", err)
	}
	return v
}

// orderVal is a complete new order.
func orderVal(number string, extra map[string]cty.Value) cty.Value {
	m := map[string]cty.Value{
		"orderNumber": cty.StringVal(number),
		"orderDate":   cty.StringVal("2024-06-05T16:30:00Z"),
		"orderStatus": cty.StringVal("awaiting_shipment"),
		"billTo":      cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("Jane Roe")}),
		"shipTo": cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("Jane Roe"), "street1": cty.StringVal("42 Elm St"),
			"city": cty.StringVal("Denver"), "state": cty.StringVal("CO"), "postalCode": cty.StringVal("80202"), "country": cty.StringVal("US")}),
		"items": cty.TupleVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
			"lineItemKey": cty.StringVal("li-1"), "sku": cty.StringVal("MUG-BLK-12"), "name": cty.StringVal("Black Mug"),
			"quantity": cty.NumberIntVal(2), "unitPrice": cty.MustParseNumberVal("18.50"),
			"weight": cty.ObjectVal(map[string]cty.Value{"value": cty.NumberIntVal(14), "units": cty.StringVal("ounces")}),
		})}),
		"amountPaid": cty.MustParseNumberVal("46.00"), "taxAmount": cty.MustParseNumberVal("3"), "shippingAmount": cty.MustParseNumberVal("6"),
	}
	for k, v := range extra {
		m[k] = v
	}
	return cty.ObjectVal(m)
}

func upsertArgs(t testing.TB, key, number string, extra map[string]cty.Value) cty.Value {
	return args(t, "upsert_order", map[string]cty.Value{"orderKey": cty.StringVal(key), "order": orderVal(number, extra)})
}

// upsert plans and applies one order as the engine does.
func (e *env) upsert(key, number string, extra map[string]cty.Value) (connectors.Change, cty.Value) {
	e.t.Helper()
	a := upsertArgs(e.t, key, number, extra)
	ch, err := e.conn.PlanWrite(context.Background(), "upsert_order", a)
	if err != nil {
		e.t.Fatalf("plan %s: %v", key, err)
	}
	out, err := e.conn.ApplyWrite(context.Background(), connectors.WriteRequest{Action: "upsert_order", Args: a, Change: ch, Key: key})
	if err != nil {
		e.t.Fatalf("apply %s: %v", key, err)
	}
	return ch, out
}

// ticker feeds a manual batch timer until stopped.
type ticker struct {
	ch   chan time.Time
	stop chan struct{}
	wg   sync.WaitGroup
}

func newTicker() *ticker {
	return &ticker{ch: make(chan time.Time), stop: make(chan struct{})}
}

func (tk *ticker) timer(time.Duration) <-chan time.Time { return tk.ch }

func (tk *ticker) run() {
	tk.wg.Add(1)
	go func() {
		defer tk.wg.Done()
		for {
			select {
			case tk.ch <- time.Time{}:
			case <-tk.stop:
				return
			}
		}
	}()
}

func (tk *ticker) halt() {
	close(tk.stop)
	tk.wg.Wait()
	tk.stop = make(chan struct{})
}

// counter counts queued requests by kind and signals when n arrived.
type counter struct {
	mu    sync.Mutex
	n     map[string]int
	waits map[string]chan struct{}
	want  map[string]int
}

func newCounter() *counter {
	return &counter{n: map[string]int{}, waits: map[string]chan struct{}{}, want: map[string]int{}}
}

func (c *counter) queued(kind string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[kind]++
	if ch, ok := c.waits[kind]; ok && c.n[kind] >= c.want[kind] {
		close(ch)
		delete(c.waits, kind)
	}
}

// await returns a channel closed once n requests of kind were queued.
func (c *counter) await(kind string, n int) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan struct{})
	if c.n[kind] >= n {
		close(ch)
		return ch
	}
	c.waits[kind], c.want[kind] = ch, n
	return ch
}

func httpReq(t testing.TB, target string, header http.Header) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, target, strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		r.Header[k] = v
	}
	return r
}

// scaledClock drives the fake's clock at scale times real time, and waits
// on it by scaled real waits.
func scaledClock(t testing.TB, clk *fakekit.Clock, scale float64) clock {
	start, realStart := clk.Now(), time.Now()
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(100 * time.Microsecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				clk.Set(start.Add(time.Duration(float64(time.Since(realStart)) * scale)))
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
	return clock{now: clk.Now, after: func(d time.Duration) <-chan time.Time {
		return time.After(time.Duration(float64(d)/scale) + 200*time.Microsecond)
	}}
}

// drop forgets the entries for which match is true.
func (c *ttlCache[K, V]) drop(match func(K, V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.m {
		if match(k, e.v) {
			delete(c.m, k)
		}
	}
}
