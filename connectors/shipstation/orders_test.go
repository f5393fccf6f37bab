package shipstation

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/shipstation/shipstationtest"
	"github.com/zclconf/go-cty/cty"
)

func TestUpsertCreatesUpdatesAndThenPlansNoop(t *testing.T) {
	e := newEnv(t, envOpts{})
	ctx := context.Background()
	ch, out := e.upsert("bc:s:1", "BC-1", map[string]cty.Value{"internalNotes": cty.StringVal("fragile")})
	if ch.Op != connectors.OpCreate {
		t.Fatalf("first plan: %s, want create", ch.Op)
	}
	o, ok := e.fake.OrderByKey("bc:s:1")
	if !ok {
		t.Fatal("the order was not created")
	}
	if id, _ := out.GetAttr("id").AsBigFloat().Int64(); id != o.OrderID {
		t.Errorf("output id %d, ShipStation's %d", id, o.OrderID)
	}
	// orderDate 16:30Z is 09:30 PDT at ShipStation.
	if got := o.OrderDate.In(pacific).Format("15:04"); got != "09:30" {
		t.Errorf("orderDate is %s Pacific, want 09:30", got)
	}
	if o.Items[0].UnitPrice.String() != "18.5" {
		t.Errorf("unitPrice %s", o.Items[0].UnitPrice)
	}

	// The same order again: nothing to do, and the output is known now;
	// soon after the write that is known without reading ShipStation ...
	again := upsertArgs(t, "bc:s:1", "BC-1", map[string]cty.Value{"internalNotes": cty.StringVal("fragile")})
	calls := e.fake.Stats().V1Calls
	ch2, err := e.conn.PlanWrite(ctx, "upsert_order", again)
	if err != nil {
		t.Fatal(err)
	}
	if ch2.Op != connectors.OpNoop || ch2.Output.IsNull() || e.fake.Stats().V1Calls != calls {
		t.Fatalf("second plan: %s (output %#v) after %d calls, want noop with output after none", ch2.Op, ch2.Output, e.fake.Stats().V1Calls-calls)
	}
	// ... and later by reading it, which fingerprints it.
	e.clock.Set(e.clock.Now().Add(writtenTTL + time.Second))
	e.conn.cache.drop(func(string, *Order) bool { return true })
	if ch2, err = e.conn.PlanWrite(ctx, "upsert_order", again); err != nil {
		t.Fatal(err)
	}
	if ch2.Op != connectors.OpNoop || ch2.Output.IsNull() || ch2.Fingerprint == "" {
		t.Fatalf("plan after a while: %s (output %#v), want noop with output and fingerprint", ch2.Op, ch2.Output)
	}

	// A changed field is an update with a diff; internalNotes, now left
	// null, keeps ShipStation's value.
	e.conn.cache.drop(func(string, *Order) bool { return true })
	ch3, _ := e.upsert("bc:s:1", "BC-1", map[string]cty.Value{"customerNotes": cty.StringVal("leave at door")})
	if ch3.Op != connectors.OpUpdate {
		t.Fatalf("third plan: %s, want update", ch3.Op)
	}
	if b := ch3.Before.GetAttr("customerNotes"); !b.IsNull() {
		t.Errorf("before customerNotes = %#v, want null", b)
	}
	o, _ = e.fake.OrderByKey("bc:s:1")
	if deref(o.CustomerNotes) != "leave at door" || deref(o.InternalNotes) != "fragile" {
		t.Errorf("customerNotes %q internalNotes %q", deref(o.CustomerNotes), deref(o.InternalNotes))
	}
	if len(e.fake.Orders()) != 1 {
		t.Errorf("%d orders, want 1", len(e.fake.Orders()))
	}
}

func TestUpsertResolvesNamesAndOnlyAddsTags(t *testing.T) {
	e := newEnv(t, envOpts{})
	a := args(t, "upsert_order", map[string]cty.Value{"orderKey": cty.StringVal("k1"), "order": orderVal("N-1", nil),
		"store": cty.StringVal("Wholesale Store"), "warehouse": cty.StringVal("Reno DC"), "tags": cty.TupleVal([]cty.Value{cty.StringVal("Priority")})})
	ctx := context.Background()
	ch, err := e.conn.PlanWrite(ctx, "upsert_order", a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.conn.ApplyWrite(ctx, connectors.WriteRequest{Action: "upsert_order", Args: a, Change: ch}); err != nil {
		t.Fatal(err)
	}
	o, _ := e.fake.OrderByKey("k1")
	if err := e.fake.TagOrder(o.OrderID, "Backorder"); err != nil {
		t.Fatal(err)
	}
	e.conn.cache.drop(func(string, *Order) bool { return true })
	ch, err = e.conn.PlanWrite(ctx, "upsert_order", a)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Op != connectors.OpNoop {
		t.Errorf("a tag added in ShipStation makes the plan %s, want noop", ch.Op)
	}
	tags := strings.Join(e.fake.OrderTags(o.OrderID), ",")
	if tags != "Priority,Backorder" {
		t.Errorf("tags %s", tags)
	}
	bad := args(t, "upsert_order", map[string]cty.Value{"orderKey": cty.StringVal("k2"), "order": orderVal("N-2", nil), "tags": cty.TupleVal([]cty.Value{cty.StringVal("Nope")})})
	if _, err := e.conn.PlanWrite(ctx, "upsert_order", bad); !connectors.IsPermanent(err) || !strings.Contains(err.Error(), "Nope") {
		t.Errorf("unknown tag: %v", err)
	}
}

func TestUpsertOfShippedOrderPlansNoop(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.upsert("k", "N-9", nil)
	o, _ := e.fake.OrderByKey("k")
	if _, err := e.fake.Ship(o.OrderID, shipstationtest.ShipRequest{}); err != nil {
		t.Fatal(err)
	}
	e.conn.cache.drop(func(string, *Order) bool { return true })
	ch, out := e.upsert("k", "N-9", map[string]cty.Value{"internalNotes": cty.StringVal("too late")})
	if ch.Op != connectors.OpNoop || out.GetAttr("orderStatus").AsString() != "shipped" {
		t.Fatalf("plan %s, output %#v", ch.Op, out)
	}
	if o, _ := e.fake.OrderByKey("k"); o.InternalNotes != nil {
		t.Error("a shipped order was changed")
	}
}

func TestNewOrderMissingFieldsIsPermanent(t *testing.T) {
	e := newEnv(t, envOpts{})
	a := args(t, "upsert_order", map[string]cty.Value{"orderKey": cty.StringVal("k"),
		"order": cty.ObjectVal(map[string]cty.Value{"orderNumber": cty.StringVal("X-1")})})
	_, err := e.conn.PlanWrite(context.Background(), "upsert_order", a)
	if !connectors.IsPermanent(err) || !strings.Contains(err.Error(), "orderDate") {
		t.Fatalf("err = %v", err)
	}
}

// planAndApply plans n orders concurrently, then applies them concurrently,
// releasing each phase's batches only once every request is queued.
func planAndApply(t *testing.T, e *env, tk *ticker, cnt *counter, orders []cty.Value) []error {
	ctx := context.Background()
	n := len(orders)
	changes := make([]connectors.Change, n)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i, a := range orders {
		wg.Go(func() { changes[i], errs[i] = e.conn.PlanWrite(ctx, "upsert_order", a) })
	}
	<-cnt.await("lookup", n)
	tk.run()
	wg.Wait()
	tk.halt()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, a := range orders {
		wg.Go(func() {
			_, errs[i] = e.conn.ApplyWrite(ctx, connectors.WriteRequest{Action: "upsert_order", Args: a, Change: changes[i]})
		})
	}
	<-cnt.await("order", n)
	tk.run()
	wg.Wait()
	tk.halt()
	return errs
}

func TestUpsertsAreCoalescedIntoCreateorders(t *testing.T) {
	tk, cnt := newTicker(), newCounter()
	e := newEnv(t, envOpts{opts: options{batchTimer: tk.timer, queued: cnt.queued}})
	var orders []cty.Value
	for i := range 101 {
		orders = append(orders, upsertArgs(t, fmt.Sprintf("bc:s:%d", i), fmt.Sprintf("BC-%d", 1000+i), nil))
	}
	before := e.fake.Stats().V1Calls
	errs := planAndApply(t, e, tk, cnt, orders)
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := len(e.fake.Orders()); got != 101 {
		t.Fatalf("%d orders in ShipStation, want 101", got)
	}
	// One list call found all 101 absent (their numbers share "BC-1");
	// two createorders calls carried them (100 + 1).
	if calls := e.fake.Stats().V1Calls - before; calls != 3 {
		t.Errorf("%d calls, want 3 (1 lookup + 2 createorders)", calls)
	}
}

func TestAFailedOrderFailsAlone(t *testing.T) {
	tk, cnt := newTicker(), newCounter()
	e := newEnv(t, envOpts{opts: options{batchTimer: tk.timer, queued: cnt.queued}})
	orders := []cty.Value{
		upsertArgs(t, "a", "A-1", nil),
		upsertArgs(t, "b", "A-2", map[string]cty.Value{"orderStatus": cty.StringVal("pending")}),
		upsertArgs(t, "c", "A-3", nil),
	}
	before := e.fake.Stats().V1Calls
	errs := planAndApply(t, e, tk, cnt, orders)
	if errs[0] != nil || errs[2] != nil {
		t.Fatalf("good orders failed: %v, %v", errs[0], errs[2])
	}
	if !connectors.IsPermanent(errs[1]) || !strings.Contains(errs[1].Error(), `orderStatus "pending" is not a valid status`) {
		t.Fatalf("bad order: %v", errs[1])
	}
	// The refused order is looked up again: another process may have
	// made it meanwhile (see TestACreateRefusedBecauseTheOrderShippedMeanwhileIsNothingToDo).
	if calls := e.fake.Stats().V1Calls - before; calls != 3 {
		t.Errorf("%d calls, want 3 (1 lookup + 1 createorders + 1 lookup of the refused order)", calls)
	}
	if len(e.fake.Orders()) != 2 {
		t.Errorf("%d orders", len(e.fake.Orders()))
	}
}

func TestLookupsNarrowWhenAPrefixMatchesManyPages(t *testing.T) {
	e := newEnv(t, envOpts{fake: shipstationtest.Options{DefaultPageSize: 100}})
	for i := range 30 {
		e.upsert(fmt.Sprintf("x%d", i), fmt.Sprintf("Z-%d", i), nil)
	}
	e.conn.cache.drop(func(string, *Order) bool { return true })
	// Exact lookups among pages of prefix matches still find the right order.
	o, err := e.conn.findOrder(context.Background(), "x3", "Z-3")
	if err != nil || o == nil || deref(o.OrderNumber) != "Z-3" {
		t.Fatalf("found %v, %v", o, err)
	}
	o, err = e.conn.findOrder(context.Background(), "nope", "Z-3")
	if err != nil || o != nil {
		t.Fatalf("found %v, %v for a missing key", o, err)
	}
}

func TestACancelledOrderShipStationNeverHadIsNotCreated(t *testing.T) {
	e := newEnv(t, envOpts{})
	ch, out := e.upsert("bc:s:5", "5", map[string]cty.Value{"orderStatus": cty.StringVal("cancelled")})
	if ch.Op != connectors.OpNoop || out.GetAttr("orderStatus").AsString() != "cancelled" || !out.GetAttr("id").IsNull() {
		t.Fatalf("plan %s, output %#v; want noop, cancelled, no id", ch.Op, out)
	}
	if n := len(e.fake.Orders()); n != 0 {
		t.Errorf("%d orders in ShipStation, want none", n)
	}
}

func TestAnUpdateStartsFromAFreshRead(t *testing.T) {
	e := newEnv(t, envOpts{})
	ctx := context.Background()
	e.upsert("k", "N-7", nil)
	edit := upsertArgs(t, "k", "N-7", map[string]cty.Value{"internalNotes": cty.StringVal("gift")})
	ch, err := e.conn.PlanWrite(ctx, "upsert_order", edit)
	if err != nil || ch.Op != connectors.OpUpdate {
		t.Fatalf("plan %s, %v; want update", ch.Op, err)
	}
	// The warehouse holds the order after the plan read it.
	o, _ := e.fake.OrderByKey("k")
	if err := e.fake.Hold(o.OrderID, t0.Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(e.clock.Now().Add(freshForUpdate + time.Second))
	if _, err := e.conn.ApplyWrite(ctx, connectors.WriteRequest{Action: "upsert_order", Args: edit, Change: ch, Key: "k"}); err != nil {
		t.Fatal(err)
	}
	o, _ = e.fake.OrderByKey("k")
	if o.OrderStatus != "on_hold" || deref(o.InternalNotes) != "gift" {
		t.Errorf("status %s, notes %q; want the hold kept and the edit made", o.OrderStatus, deref(o.InternalNotes))
	}
}

func TestToteReleasesItsOwnHoldButNotAPersons(t *testing.T) {
	e := newEnv(t, envOpts{})
	held := func(key, number string) {
		a := args(t, "upsert_order", map[string]cty.Value{"orderKey": cty.StringVal(key),
			"order":       orderVal(number, map[string]cty.Value{"orderStatus": cty.StringVal("on_hold"), "internalNotes": cty.StringVal("fragile")}),
			"hold_reason": cty.StringVal("BigCommerce status Manual Verification Required")})
		ch, err := e.conn.PlanWrite(context.Background(), "upsert_order", a)
		if err == nil {
			_, err = e.conn.ApplyWrite(context.Background(), connectors.WriteRequest{Action: "upsert_order", Args: a, Change: ch, Key: key})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	held("tote", "H-1")
	o, _ := e.fake.OrderByKey("tote")
	if o.OrderStatus != "on_hold" || deref(o.InternalNotes) != "fragile\n[tote] hold: BigCommerce status Manual Verification Required" {
		t.Fatalf("status %s, notes %q", o.OrderStatus, deref(o.InternalNotes))
	}
	// Verified in BigCommerce, seen by a sweep (no release_hold): released.
	e.upsert("tote", "H-1", map[string]cty.Value{"internalNotes": cty.StringVal("fragile")})
	if o, _ = e.fake.OrderByKey("tote"); o.OrderStatus != "awaiting_shipment" || deref(o.InternalNotes) != "fragile" {
		t.Errorf("after verification: status %s, notes %q", o.OrderStatus, deref(o.InternalNotes))
	}
	// A person's hold has no such line and stays.
	e.upsert("person", "H-2", nil)
	o, _ = e.fake.OrderByKey("person")
	if err := e.fake.Hold(o.OrderID, t0.Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(e.clock.Now().Add(cacheTTL + time.Second))
	e.upsert("person", "H-2", map[string]cty.Value{"internalNotes": cty.StringVal("call first")})
	if o, _ = e.fake.OrderByKey("person"); o.OrderStatus != "on_hold" {
		t.Errorf("a person's hold was lifted: %s", o.OrderStatus)
	}
}

// holdArgs asks to hold an order for a BigCommerce status that is not
// imported: on_hold with a reason, and only if ShipStation has the order.
func holdArgs(t *testing.T, key, number, reason string) cty.Value {
	return args(t, "upsert_order", map[string]cty.Value{"orderKey": cty.StringVal(key),
		"order":       orderVal(number, map[string]cty.Value{"orderStatus": cty.StringVal("on_hold"), "internalNotes": cty.StringVal("fragile")}),
		"hold_reason": cty.StringVal(reason), "create": cty.False})
}

func (e *env) apply(key string, a cty.Value) (connectors.Change, cty.Value) {
	e.t.Helper()
	ctx := context.Background()
	ch, err := e.conn.PlanWrite(ctx, "upsert_order", a)
	if err != nil {
		e.t.Fatalf("plan %s: %v", key, err)
	}
	out, err := e.conn.ApplyWrite(ctx, connectors.WriteRequest{Action: "upsert_order", Args: a, Change: ch, Key: key})
	if err != nil {
		e.t.Fatalf("apply %s: %v", key, err)
	}
	return ch, out
}

func TestAnOrderOnlyToBeUpdatedIsNotCreated(t *testing.T) {
	e := newEnv(t, envOpts{})
	ch, out := e.apply("bc:s:6", holdArgs(t, "bc:s:6", "6", "BigCommerce status Declined"))
	if ch.Op != connectors.OpNoop || !out.GetAttr("id").IsNull() || !out.GetAttr("orderStatus").IsNull() {
		t.Fatalf("plan %s, output %#v; want noop, no id, no status", ch.Op, out)
	}
	if n := len(e.fake.Orders()); n != 0 {
		t.Errorf("%d orders in ShipStation, want none", n)
	}
}

func TestToteHoldsAnOrderItHasAndReleasesItWhenTheStatusMovesOn(t *testing.T) {
	e := newEnv(t, envOpts{})
	for _, c := range []struct{ key, number, status, reason string }{
		{"pickup", "P-1", "awaiting_shipment", "BigCommerce status Awaiting Pickup"},
		{"declined", "D-1", "awaiting_payment", "BigCommerce status Declined"},
	} {
		e.upsert(c.key, c.number, map[string]cty.Value{"orderStatus": cty.StringVal(c.status), "internalNotes": cty.StringVal("fragile")})
		ch, _ := e.apply(c.key, holdArgs(t, c.key, c.number, c.reason))
		o, _ := e.fake.OrderByKey(c.key)
		if ch.Op != connectors.OpUpdate || o.OrderStatus != "on_hold" || deref(o.InternalNotes) != "fragile\n[tote] hold: "+c.reason {
			t.Fatalf("%s: plan %s, status %s, notes %q; want an update to tote's hold", c.key, ch.Op, o.OrderStatus, deref(o.InternalNotes))
		}
		// BigCommerce moves it back to a status that is imported (no
		// release_hold): tote's hold lifts.
		e.upsert(c.key, c.number, map[string]cty.Value{"orderStatus": cty.StringVal(c.status), "internalNotes": cty.StringVal("fragile")})
		if o, _ = e.fake.OrderByKey(c.key); o.OrderStatus != c.status || deref(o.InternalNotes) != "fragile" {
			t.Errorf("%s moved on: status %s, notes %q; want %s, fragile", c.key, o.OrderStatus, deref(o.InternalNotes), c.status)
		}
	}
}

func TestAPersonsHoldStaysTheirsWhenToteWouldHoldToo(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.upsert("k", "H-3", map[string]cty.Value{"internalNotes": cty.StringVal("fragile")})
	o, _ := e.fake.OrderByKey("k")
	if err := e.fake.Hold(o.OrderID, t0.Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(e.clock.Now().Add(cacheTTL + time.Second))
	e.apply("k", holdArgs(t, "k", "H-3", "BigCommerce status Awaiting Pickup"))
	if o, _ = e.fake.OrderByKey("k"); o.OrderStatus != "on_hold" || deref(o.InternalNotes) != "fragile" {
		t.Fatalf("status %s, notes %q; want the person's hold without tote's line", o.OrderStatus, deref(o.InternalNotes))
	}
	// So BigCommerce moving on does not lift it.
	e.upsert("k", "H-3", map[string]cty.Value{"internalNotes": cty.StringVal("fragile")})
	if o, _ = e.fake.OrderByKey("k"); o.OrderStatus != "on_hold" {
		t.Errorf("a person's hold was lifted: %s", o.OrderStatus)
	}
}

func TestShippedAndCancelledOrdersAreNotHeld(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.upsert("shipped", "S-1", nil)
	e.upsert("cancelled", "C-1", nil)
	o, _ := e.fake.OrderByKey("shipped")
	if _, err := e.fake.Ship(o.OrderID, shipstationtest.ShipRequest{}); err != nil {
		t.Fatal(err)
	}
	o, _ = e.fake.OrderByKey("cancelled")
	if err := e.fake.Cancel(o.OrderID); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(e.clock.Now().Add(cacheTTL + time.Second))
	for key, number := range map[string]string{"shipped": "S-1", "cancelled": "C-1"} {
		ch, out := e.apply(key, holdArgs(t, key, number, "BigCommerce status Awaiting Pickup"))
		if ch.Op != connectors.OpNoop || out.GetAttr("orderStatus").AsString() != key {
			t.Errorf("%s: plan %s, output %#v; want noop", key, ch.Op, out)
		}
		if o, _ := e.fake.OrderByKey(key); o.OrderStatus != key || o.InternalNotes != nil {
			t.Errorf("%s: status %s, notes %q; want it untouched", key, o.OrderStatus, deref(o.InternalNotes))
		}
	}
}

func TestAnUpdateRefusedBecauseTheOrderShippedMeanwhileIsNothingToDo(t *testing.T) {
	e := newEnv(t, envOpts{})
	ctx := context.Background()
	e.upsert("k", "N-8", nil)
	edit := upsertArgs(t, "k", "N-8", map[string]cty.Value{"internalNotes": cty.StringVal("late edit")})
	ch, err := e.conn.PlanWrite(ctx, "upsert_order", edit)
	if err != nil || ch.Op != connectors.OpUpdate {
		t.Fatalf("plan %s, %v", ch.Op, err)
	}
	// The label is bought between the plan's read and the write, within
	// the time a read is trusted for an update.
	o, _ := e.fake.OrderByKey("k")
	if _, err := e.fake.Ship(o.OrderID, shipstationtest.ShipRequest{}); err != nil {
		t.Fatal(err)
	}
	out, err := e.conn.ApplyWrite(ctx, connectors.WriteRequest{Action: "upsert_order", Args: edit, Change: ch, Key: "k"})
	if err != nil || out.GetAttr("orderStatus").AsString() != "shipped" {
		t.Fatalf("apply: %v, output %#v; want nothing done and the order shipped", err, out)
	}
}

// An order the plan found absent may be created by another tote process
// and shipped before the write: ShipStation refuses the upsert, which
// leaves nothing to do.
func TestACreateRefusedBecauseTheOrderShippedMeanwhileIsNothingToDo(t *testing.T) {
	e := newEnv(t, envOpts{})
	ctx := context.Background()
	e.upsert("k", "N-8", nil)
	late := upsertArgs(t, "k2", "N-9", nil)
	ch, err := e.conn.PlanWrite(ctx, "upsert_order", late)
	if err != nil || ch.Op != connectors.OpCreate {
		t.Fatalf("plan %s, %v; want create", ch.Op, err)
	}
	// Another process creates the order, and its label is bought.
	o, _ := e.fake.OrderByKey("k")
	o.OrderID, o.OrderKey, o.OrderNumber = 0, "k2", "N-9"
	other, err := e.fake.UpsertOrder(o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.fake.Ship(other.OrderID, shipstationtest.ShipRequest{}); err != nil {
		t.Fatal(err)
	}
	out, err := e.conn.ApplyWrite(ctx, connectors.WriteRequest{Action: "upsert_order", Args: late, Change: ch, Key: "k2"})
	if err != nil || out.GetAttr("orderStatus").AsString() != "shipped" {
		t.Fatalf("apply: %v, output %#v; want nothing done and the order shipped", err, out)
	}
}
