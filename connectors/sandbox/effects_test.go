package sandbox

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/toteworks/tote/connectors/shipstation/shipstationtest"
)

// effects runs the effects check with e and returns its problems.
func effects(t *testing.T, f *Fakes, e Expectations) string {
	t.Helper()
	for _, c := range ReconcileWith(f, e) {
		if c.Flow == "effects" {
			return strings.Join(c.Problems, "\n")
		}
	}
	t.Fatal("no effects check")
	return ""
}

// Effects are counted one by one where the vendors hold them: an order
// in ShipStation twice under two keys, a BigCommerce shipment made twice
// for one label and a stock delta taken twice for one shipment are each
// a problem, though every lookup by key finds what it looks for.
func TestReconcileEffectsCountsWritesMadeTwice(t *testing.T) {
	f := startTestFakes(t)
	o, line, ss := orderInBoth(t, f)
	label, err := f.ShipStation.Ship(ss.OrderID, shipstationtest.ShipRequest{})
	if err != nil {
		t.Fatal(err)
	}
	relative := Expectations{RelativeInventory: true, StoreNeverUpdatesStock: true}
	if got := effects(t, f, Expectations{}); got != "" {
		t.Fatalf("nothing doubled yet, problems: %s", got)
	}
	wantProblem(t, effects(t, f, relative), fmt.Sprintf("label %s's 2 units of %s were never taken off", label.TrackingNumber, strings.ToLower(line.SKU)))

	dup := ss
	dup.OrderID, dup.OrderKey = 0, ss.OrderKey+":again"
	if _, err := f.ShipStation.UpsertOrder(dup); err != nil {
		t.Fatal(err)
	}
	wantProblem(t, effects(t, f, Expectations{}), fmt.Sprintf("order number %d is in ShipStation 2 times", o.ID))

	// A label's units shipped in BigCommerce in two shipments (BigCommerce
	// refuses more units than remain unshipped, so a double is partial).
	addr := f.BigCommerce.ShippingAddresses(o.ID)[0]
	shipment := map[string]any{"order_address_id": addr.ID, "tracking_number": label.TrackingNumber,
		"items": []map[string]any{{"order_product_id": line.ID, "quantity": 1}}}
	shipments := fmt.Sprintf("%s/stores/%s/v2/orders/%d/shipments", f.BigCommerce.URL, StoreHash, o.ID)
	call(t, http.MethodPost, shipments, shipment, bcAuth)
	if got := effects(t, f, Expectations{}); strings.Contains(got, "BigCommerce shipments") {
		t.Fatalf("one shipment per label, problems: %s", got)
	}
	call(t, http.MethodPost, shipments, shipment, bcAuth)
	wantProblem(t, effects(t, f, Expectations{}), fmt.Sprintf("order %d has 2 BigCommerce shipments with tracking number %q", o.ID, label.TrackingNumber))

	take := map[string]any{"reason": "shipstation shipment " + strconv.FormatInt(label.ShipmentID, 10),
		"items": []map[string]any{{"location_id": inventoryLocation, "sku": line.SKU, "quantity": -2}}}
	adjust := fmt.Sprintf("%s/stores/%s/v3/inventory/adjustments/relative", f.BigCommerce.URL, StoreHash)
	call(t, http.MethodPost, adjust, take, bcAuth)
	if got := effects(t, f, relative); strings.Contains(got, "adjusted") || strings.Contains(got, "never taken off") {
		t.Fatalf("the shipment's units were taken once, problems: %s", got)
	}
	call(t, http.MethodPost, adjust, take, bcAuth)
	wantProblem(t, effects(t, f, Expectations{}), fmt.Sprintf("SKU %s was adjusted 2 times for %q", strings.ToLower(line.SKU), take["reason"]))
}

// A missing effect whose write tote parked (outcome unknown, left to a
// person) is parked, not lost; any other missing effect is still a
// problem.
func TestReconcileCountsParkedWritesAsParkedNotLost(t *testing.T) {
	f := startTestFakes(t)
	o, line, ss := orderInBoth(t, f)
	label, err := f.ShipStation.Ship(ss.OrderID, shipstationtest.ShipRequest{})
	if err != nil {
		t.Fatal(err)
	}
	reason := "shipstation shipment " + strconv.FormatInt(label.ShipmentID, 10)
	take := ParkedWrite{Action: "adjust_stock", Identity: map[string]any{"sku": line.SKU, "location_id": 1.0, "reference": reason}}
	if got := effects(t, f, Expectations{RelativeInventory: true, StoreNeverUpdatesStock: true, Parked: []ParkedWrite{take}}); got != "" {
		t.Errorf("the only missing take is parked, problems: %s", got)
	}
	other := take
	other.Identity = map[string]any{"sku": line.SKU, "reference": "shipstation shipment 1"}
	wantProblem(t, effects(t, f, Expectations{RelativeInventory: true, StoreNeverUpdatesStock: true, Parked: []ParkedWrite{other}}), "were never taken off")

	if err := f.ShipStation.TagOrder(ss.OrderID, shipstationtest.TagBackorder); err != nil {
		t.Fatal(err)
	}
	orderURL := fmt.Sprintf("%s/stores/%s/v2/orders/%d", f.BigCommerce.URL, StoreHash, o.ID)
	call(t, http.MethodPut, orderURL, map[string]string{"staff_notes": "[tote] ShipStation: backorder"}, bcAuth)
	call(t, http.MethodPost, fmt.Sprintf("%s/stores/%s/v3/orders/%d/metafields", f.BigCommerce.URL, StoreHash, o.ID),
		map[string]string{"namespace": "tote", "key": "exception", "value": `{"reason":"backorder","expected":null}`, "permission_set": "app_only"}, bcAuth)
	exceptions := func(e Expectations) string {
		for _, c := range ReconcileWith(f, e) {
			if c.Flow == "exceptions" {
				return strings.Join(c.Problems, "\n")
			}
		}
		return "no exceptions check"
	}
	wantProblem(t, exceptions(Expectations{}), `0 "backorder" emails for 1 noted events`)
	mail := ParkedWrite{Action: "send", Identity: map[string]any{"key": fmt.Sprintf("exception:%d:backorder:", o.ID)}}
	if got := exceptions(Expectations{Parked: []ParkedWrite{mail}}); got != "" {
		t.Errorf("the missing email is parked, problems: %s", got)
	}
}

// In relative mode with BigCommerce's default stock setting, tote's own
// labels must not be taken off again (BigCommerce took the units when the
// order was placed), and other channels' labels of SKUs BigCommerce sells
// must be, once; their SKUs it does not sell must be left alone.
func TestReconcileEffectsRelativeCountsWhatBigCommerceDidNot(t *testing.T) {
	f := startTestFakes(t)
	_, line, ss := orderInBoth(t, f)
	own, err := f.ShipStation.Ship(ss.OrderID, shipstationtest.ShipRequest{})
	if err != nil {
		t.Fatal(err)
	}
	relative := Expectations{RelativeInventory: true}
	if got := effects(t, f, relative); got != "" {
		t.Fatalf("nothing is due for tote's own label, problems: %s", got)
	}
	adjust := fmt.Sprintf("%s/stores/%s/v3/inventory/adjustments/relative", f.BigCommerce.URL, StoreHash)
	takeOff := func(label shipstationtest.Shipment, sku string, n int) {
		call(t, http.MethodPost, adjust, map[string]any{"reason": "shipstation shipment " + strconv.FormatInt(label.ShipmentID, 10),
			"items": []map[string]any{{"location_id": inventoryLocation, "sku": sku, "quantity": -n}}}, bcAuth)
	}
	takeOff(own, line.SKU, 2)
	wantProblem(t, effects(t, f, relative), fmt.Sprintf("label %s's 2 units of %s were taken off BigCommerce's stock, which had counted them", own.TrackingNumber, strings.ToLower(line.SKU)))

	f = startTestFakes(t)
	_, line, _ = orderInBoth(t, f)
	fo, err := f.ShipStation.AddForeignOrder(shipstationtest.ForeignOrder{Number: "9100", SKU: line.SKU})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := f.ShipStation.ShipForeign(fo.OrderID, "stamps_com")
	if err != nil {
		t.Fatal(err)
	}
	unsold, err := f.ShipStation.AddForeignOrder(shipstationtest.ForeignOrder{Number: "9101"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ShipStation.ShipForeign(unsold.OrderID, "stamps_com"); err != nil {
		t.Fatal(err)
	}
	wantProblem(t, effects(t, f, relative), fmt.Sprintf("label %s's 1 units of %s were never taken off", theirs.TrackingNumber, strings.ToLower(line.SKU)))
	adjust = fmt.Sprintf("%s/stores/%s/v3/inventory/adjustments/relative", f.BigCommerce.URL, StoreHash)
	takeOff(theirs, line.SKU, 1)
	if got := effects(t, f, relative); got != "" {
		t.Fatalf("the other channel's label was taken once, problems: %s", got)
	}

	// With BigCommerce's stock at 0 there is nothing to take: tote sends
	// nothing, and that is right.
	f = startTestFakes(t)
	_, line, _ = orderInBoth(t, f)
	fo, _ = f.ShipStation.AddForeignOrder(shipstationtest.ForeignOrder{Number: "9102", SKU: line.SKU})
	if _, err := f.ShipStation.ShipForeign(fo.OrderID, "stamps_com"); err != nil {
		t.Fatal(err)
	}
	wantProblem(t, effects(t, f, relative), "were never taken off")
	call(t, http.MethodPut, fmt.Sprintf("%s/stores/%s/v3/inventory/adjustments/absolute", f.BigCommerce.URL, StoreHash),
		map[string]any{"reason": "count", "items": []map[string]any{{"location_id": inventoryLocation, "sku": line.SKU, "quantity": 0}}}, bcAuth)
	if got := effects(t, f, relative); got != "" {
		t.Fatalf("nothing to take from 0, problems: %s", got)
	}
}
