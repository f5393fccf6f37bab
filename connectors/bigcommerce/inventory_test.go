package bigcommerce

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/bigcommerce/bigcommercetest"
	"github.com/zclconf/go-cty/cty"
)

func TestSetStockPlansNoopWhenTheLevelMatches(t *testing.T) {
	e := newEnv(t, envConfig{})
	simple, _ := seeded(t, e)
	before, _ := e.fake.Stock(simple.SKU, 1)
	args := map[string]cty.Value{"sku": cty.StringVal(simple.SKU), "location_id": cty.NumberIntVal(1), "quantity": cty.NumberIntVal(int64(before + 7))}
	ch, out := e.write("set_stock", args)
	if ch.Op != connectors.OpUpdate || num64(ch.Before.GetAttr("level")) != int64(before) || num64(ch.After.GetAttr("level")) != int64(before+7) {
		t.Fatalf("plan %s %#v -> %#v", ch.Op, ch.Before, ch.After)
	}
	if out.GetAttr("transaction_id").AsString() == "" {
		t.Error("no transaction id")
	}
	if got, _ := e.fake.Stock(simple.SKU, 1); got != before+7 {
		t.Fatalf("stock %d, want %d", got, before+7)
	}
	if ch := e.plan("set_stock", args); ch.Op != connectors.OpNoop {
		t.Fatalf("second plan = %s, want noop", ch.Op)
	}
}

func TestAdjustStockByADelta(t *testing.T) {
	e := newEnv(t, envConfig{})
	_, multi := seeded(t, e)
	sku := multi.Variants[0].SKU
	before, _ := e.fake.Stock(sku, 1)
	ch, out := e.write("adjust_stock", map[string]cty.Value{"sku": cty.StringVal(sku), "location_id": cty.NumberIntVal(1),
		"quantity": cty.NumberIntVal(-2), "reference": cty.StringVal("shipment 514")})
	if ch.Op != connectors.OpUpdate || num64(ch.After.GetAttr("level")) != int64(before-2) {
		t.Fatalf("plan %s after %#v", ch.Op, ch.After)
	}
	if num64(out.GetAttr("quantity")) != -2 {
		t.Errorf("output = %#v", out)
	}
	if got, _ := e.fake.Stock(sku, 1); got != before-2 {
		t.Fatalf("stock %d, want %d", got, before-2)
	}
	// The level moved, by this very adjustment: a replay must still look
	// like the same write to the ledger, so the plan has no fingerprint.
	if ch.Fingerprint != "" {
		t.Errorf("fingerprint %q", ch.Fingerprint)
	}
	again := e.plan("adjust_stock", map[string]cty.Value{"sku": cty.StringVal(sku), "location_id": cty.NumberIntVal(1),
		"quantity": cty.NumberIntVal(-2), "reference": cty.StringVal("shipment 514")})
	if again.Fingerprint != ch.Fingerprint {
		t.Errorf("replay fingerprint %q, first %q", again.Fingerprint, ch.Fingerprint)
	}
}

// stockPlan is one plan made concurrently with others.
type stockPlan struct {
	action string
	args   cty.Value
	ch     connectors.Change
	err    error
}

// planAll plans every write at once, as a run's instances do.
func planAll(e *env, plans []*stockPlan) {
	var wg sync.WaitGroup
	for _, p := range plans {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.ch, p.err = e.conn.PlanWrite(context.Background(), p.action, p.args)
		}()
	}
	wg.Wait()
}

// requestsSince returns how many API requests the fake counted, by request,
// since it counted before.
func requestsSince(e *env, before map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for k, n := range e.fake.Stats().ByRequest {
		if d := n - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

const (
	itemsRead         = "GET /v3/inventory/items"
	locationItemsRead = "GET /v3/inventory/locations/{id}/items"
)

func TestConcurrentStockPlansShareFewReads(t *testing.T) {
	e := newEnv(t, envConfig{})
	levels := map[string]int64{}
	for i := range 200 {
		sku := fmt.Sprintf("BULK-%03d", i)
		if _, err := e.fake.AddProduct(bigcommercetest.NewProduct{Name: "Bulk " + sku, SKU: sku, InventoryLevel: 10 + i}); err != nil {
			t.Fatal(err)
		}
		levels[sku] = int64(10 + i)
	}
	var plans []*stockPlan
	want := map[*stockPlan]int64{} // the quantity asked
	for i := range 200 {
		sku := fmt.Sprintf("BULK-%03d", i)
		qty := levels[sku] + 5
		if i%4 == 0 {
			qty = levels[sku] // already there: noop
		}
		p := &stockPlan{action: "set_stock", args: argsVal(t, "set_stock", map[string]cty.Value{"sku": cty.StringVal(sku),
			"location_id": cty.NumberIntVal(1), "quantity": cty.NumberIntVal(qty)})}
		plans, want[p] = append(plans, p), qty
	}
	unknownArgs := map[string]cty.Value{"sku": cty.StringVal("NO-SUCH-SKU"), "location_id": cty.NumberIntVal(1), "quantity": cty.NumberIntVal(4)}
	unknown := &stockPlan{action: "set_stock", args: argsVal(t, "set_stock", unknownArgs)}
	// A delta on a SKU another plan sets, written in lower case.
	adjust := &stockPlan{action: "adjust_stock", args: argsVal(t, "adjust_stock", map[string]cty.Value{"sku": cty.StringVal("bulk-007"),
		"location_id": cty.NumberIntVal(1), "quantity": cty.NumberIntVal(-2), "reference": cty.StringVal("shipment 9")})}
	plans = append(plans, unknown, adjust)

	before := e.fake.Stats().ByRequest
	planAll(e, plans)
	got := requestsSince(e, before)
	t.Logf("202 concurrent plans: %v", got)
	if got[itemsRead] > 3 || got[itemsRead] == 0 || len(got) != 1 {
		t.Fatalf("202 concurrent plans made %v, want at most 3 %s", got, itemsRead)
	}

	for i, p := range plans[:200] {
		sku := fmt.Sprintf("BULK-%03d", i)
		if p.err != nil {
			t.Fatalf("plan %s: %v", sku, p.err)
		}
		lv := levelVal(levels[sku], "")
		if !p.ch.Before.RawEquals(lv) || num64(p.ch.After.GetAttr("level")) != want[p] || p.ch.Fingerprint != connectors.Fingerprint(lv) {
			t.Fatalf("plan %s: %s %#v -> %#v (fingerprint %q), want level %d -> %d", sku, p.ch.Op, p.ch.Before, p.ch.After, p.ch.Fingerprint, levels[sku], want[p])
		}
		wantOp := connectors.OpUpdate
		if want[p] == levels[sku] {
			wantOp = connectors.OpNoop
		}
		if p.ch.Op != wantOp {
			t.Fatalf("plan %s: op %s, want %s", sku, p.ch.Op, wantOp)
		}
	}
	if adjust.err != nil {
		t.Fatal(adjust.err)
	}
	if l := levels["BULK-007"]; num64(adjust.ch.Before.GetAttr("level")) != l || num64(adjust.ch.After.GetAttr("level")) != l-2 || adjust.ch.Fingerprint != "" {
		t.Fatalf("adjust_stock plan %#v -> %#v (fingerprint %q)", adjust.ch.Before, adjust.ch.After, adjust.ch.Fingerprint)
	}

	// The unknown SKU plans as it does alone: an update from no level.
	if unknown.err != nil {
		t.Fatal(unknown.err)
	}
	alone := e.plan("set_stock", unknownArgs)
	for _, ch := range []connectors.Change{unknown.ch, alone} {
		if ch.Op != connectors.OpUpdate || !ch.Before.IsNull() || num64(ch.After.GetAttr("level")) != 4 || ch.Fingerprint != "" {
			t.Fatalf("unknown SKU plan %s %#v -> %#v (fingerprint %q)", ch.Op, ch.Before, ch.After, ch.Fingerprint)
		}
	}

	// No cache: the same SKU planned again is read again.
	before = e.fake.Stats().ByRequest
	e.plan("set_stock", map[string]cty.Value{"sku": cty.StringVal("BULK-001"), "location_id": cty.NumberIntVal(1), "quantity": cty.NumberIntVal(1)})
	if got := requestsSince(e, before); got[itemsRead] != 1 || len(got) != 1 {
		t.Fatalf("a later plan made %v, want one %s", got, itemsRead)
	}
}

func TestStockPlanAtAnUnknownLocationFailsAsBefore(t *testing.T) {
	e := newEnv(t, envConfig{})
	simple, _ := seeded(t, e)
	_, err := e.conn.PlanWrite(context.Background(), "set_stock", argsVal(t, "set_stock", map[string]cty.Value{
		"sku": cty.StringVal(simple.SKU), "location_id": cty.NumberIntVal(999), "quantity": cty.NumberIntVal(3)}))
	if !isNotFound(err) || !connectors.IsPermanent(err) || !strings.Contains(err.Error(), "Location with id 999 not found") {
		t.Fatalf("err = %v, want the location's permanent 404", err)
	}
}

func TestStockReadErrorFailsTheBatchWithAWrappedError(t *testing.T) {
	e := newEnv(t, envConfig{opts: func(o *options) { o.attempts = 1 }})
	_, multi := seeded(t, e)
	var plans []*stockPlan
	for _, v := range multi.Variants {
		plans = append(plans, &stockPlan{action: "set_stock", args: argsVal(t, "set_stock", map[string]cty.Value{
			"sku": cty.StringVal(v.SKU), "location_id": cty.NumberIntVal(1), "quantity": cty.NumberIntVal(5)})})
	}
	e.fake.SetFaults(bigcommercetest.Faults{ErrorRate: 1})
	e.rec.reset()
	planAll(e, plans)
	// The fake does not count the answers it fails; the proxy does.
	if e.rec.total() != 1 || e.rec.count(itemsRead) != 1 {
		t.Fatalf("requests %v, want one %s", e.rec.requests, itemsRead)
	}
	for i, p := range plans {
		sku := multi.Variants[i].SKU
		var ae *apiError
		if !errors.As(p.err, &ae) || ae.Status != 500 || connectors.IsPermanent(p.err) {
			t.Fatalf("plan %s: err = %v, want the retryable 500", sku, p.err)
		}
		prefix := fmt.Sprintf("stock of %q at location 1: in one read of %d SKUs: bigcommerce: GET /v3/inventory/items: 500", sku, len(plans))
		if !strings.HasPrefix(p.err.Error(), prefix) {
			t.Fatalf("plan %s: err = %q, want it to start %q", sku, p.err, prefix)
		}
	}
	// The failure is not remembered: the next batch reads afresh.
	e.fake.SetFaults(bigcommercetest.Faults{})
	planAll(e, plans)
	for i, p := range plans {
		level, _ := e.fake.Stock(multi.Variants[i].SKU, 1)
		if p.err != nil || num64(p.ch.Before.GetAttr("level")) != int64(level) {
			t.Fatalf("plan %s after the fault: %v %#v, want level %d", multi.Variants[i].SKU, p.err, p.ch.Before, level)
		}
	}
}

func TestBatcherGathersWhileAFetchIsInFlight(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	var batches [][]string
	b := &batcher[string, int]{window: time.Millisecond, base: context.Background(),
		fetch: func(_ context.Context, keys []string) (map[string]int, error) {
			mu.Lock()
			batches = append(batches, keys)
			first := len(batches) == 1
			mu.Unlock()
			if first {
				started <- struct{}{}
				<-release
				return nil, errors.New("boom")
			}
			res := map[string]int{}
			for _, k := range keys {
				res[k] = len(k)
			}
			return res, nil
		}}
	type result struct {
		n   int
		err error
	}
	get := func(key string) chan result {
		ch := make(chan result, 1)
		go func() {
			res, err := b.get(context.Background(), []string{key})
			ch <- result{res[key], err}
		}()
		return ch
	}
	first := get("A")
	<-started
	// Asked for while the first batch is being read: gathered into one.
	second, third := get("BB"), get("CCC")
	for {
		b.mu.Lock()
		n := len(b.waiting)
		b.mu.Unlock()
		if n == 2 {
			break
		}
		runtime.Gosched()
	}
	close(release)
	if r := <-first; r.err == nil {
		t.Fatalf("first batch: %v, want its error", r)
	}
	if r := <-second; r.err != nil || r.n != 2 {
		t.Fatalf("second: %+v", r)
	}
	if r := <-third; r.err != nil || r.n != 3 {
		t.Fatalf("third: %+v", r)
	}
	if len(batches) != 2 || len(batches[1]) != 2 {
		t.Fatalf("batches %v, want [A] then [BB CCC]", batches)
	}
}

func TestSKUChunksBoundCountAndLength(t *testing.T) {
	var skus []string
	for i := range 450 {
		skus = append(skus, fmt.Sprintf("S-%04d", i))
	}
	long := strings.Repeat("x", stockChunkBytes)
	chunks := skuChunks(append(skus, long, "Z-1"))
	var sizes []int
	for _, c := range chunks {
		sizes = append(sizes, len(c))
		if n := len(url.QueryEscape(strings.Join(c, ","))); len(c) > 1 && n > stockChunkBytes {
			t.Errorf("chunk of %d SKUs is %d bytes", len(c), n)
		}
	}
	if fmt.Sprint(sizes) != "[200 200 50 1 1]" {
		t.Fatalf("chunk sizes %v", sizes)
	}
}

// A negative level (a source's available stock with more allocated than on
// hand) is written as 0, with a note in the plan, the output, the reason
// BigCommerce records and a warning in the log.
func TestSetStockWritesANegativeLevelAsZero(t *testing.T) {
	e := newEnv(t, envConfig{})
	var logged bytes.Buffer
	e.conn.log = slog.New(slog.NewTextHandler(&logged, nil))
	simple, _ := seeded(t, e)
	before, _ := e.fake.Stock(simple.SKU, 1)
	if before <= 0 {
		t.Fatalf("seeded stock %d", before)
	}
	args := map[string]cty.Value{"sku": cty.StringVal(simple.SKU), "location_id": cty.NumberIntVal(1),
		"quantity": cty.NumberIntVal(-3), "reason": cty.StringVal("ShipStation stock")}
	ch, out := e.write("set_stock", args)
	const note = "quantity -3 written as 0: stock cannot be negative"
	if ch.Op != connectors.OpUpdate || num64(ch.After.GetAttr("level")) != 0 || ch.After.GetAttr("note") != cty.StringVal(note) {
		t.Fatalf("plan %s %#v -> %#v", ch.Op, ch.Before, ch.After)
	}
	if got, _ := e.fake.Stock(simple.SKU, 1); got != 0 {
		t.Fatalf("stock %d, want 0", got)
	}
	if num64(out.GetAttr("quantity")) != 0 || out.GetAttr("note") != cty.StringVal(note) {
		t.Errorf("output %#v", out)
	}
	if !strings.Contains(logged.String(), "level=WARN") || !strings.Contains(logged.String(), "quantity=-3") {
		t.Errorf("log %q", logged.String())
	}
	if ch := e.plan("set_stock", args); ch.Op != connectors.OpNoop {
		t.Fatalf("second plan = %s, want noop", ch.Op)
	}
}

// A take of more than the location holds takes it down to 0, noted, and a
// take from 0 changes nothing: BigCommerce refuses negative stock, and the
// units have left the warehouse whatever it says.
func TestAdjustStockStopsAtZero(t *testing.T) {
	e := newEnv(t, envConfig{})
	_, multi := seeded(t, e)
	sku := multi.Variants[0].SKU
	before, _ := e.fake.Stock(sku, 1)
	take := map[string]cty.Value{"sku": cty.StringVal(sku), "location_id": cty.NumberIntVal(1),
		"quantity": cty.NumberIntVal(int64(-before - 3)), "reference": cty.StringVal("shipment 515")}
	ch, out := e.write("adjust_stock", take)
	if num64(ch.After.GetAttr("level")) != 0 || ch.After.GetAttr("note").IsNull() {
		t.Fatalf("plan after %#v", ch.After)
	}
	if num64(out.GetAttr("quantity")) != int64(-before) || !strings.Contains(out.GetAttr("note").AsString(), "taken down to 0") {
		t.Errorf("output = %#v", out)
	}
	if got, _ := e.fake.Stock(sku, 1); got != 0 {
		t.Fatalf("stock %d, want 0", got)
	}
	take["reference"] = cty.StringVal("shipment 516")
	calls := len(e.fake.StockAdjustments())
	if _, out := e.write("adjust_stock", take); num64(out.GetAttr("quantity")) != 0 {
		t.Errorf("output from 0 = %#v", out)
	}
	if n := len(e.fake.StockAdjustments()); n != calls {
		t.Errorf("%d adjustments sent for a take from 0", n-calls)
	}
}
