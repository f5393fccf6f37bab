package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/smtp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors/bigcommerce/bigcommercetest"
	"github.com/toteworks/tote/connectors/shipstation/shipstationtest"
)

func startTestFakes(t *testing.T) *Fakes {
	t.Helper()
	f, err := StartFakes(Options{Addresses: Addresses{BigCommerce: "127.0.0.1:0", ShipStation: "127.0.0.1:0", SMTP: "127.0.0.1:0", Mail: "127.0.0.1:0"}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// call sends a JSON request to a fake and fails the test on an error status.
func call(t *testing.T, method, url string, body any, auth func(*http.Request)) []byte {
	t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(method, url, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	auth(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	out.ReadFrom(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %s %s", method, url, resp.Status, out.String())
	}
	return out.Bytes()
}

func bcAuth(r *http.Request) { r.Header.Set("X-Auth-Token", AccessToken) }
func ssAuth(r *http.Request) { r.SetBasicAuth(ShipStationKey, ShipStationPass) }

// orderInBoth places a BigCommerce order of one simple product (two units)
// and puts it in ShipStation as the orders pipeline would.
func orderInBoth(t *testing.T, f *Fakes) (bigcommercetest.Order, bigcommercetest.OrderProduct, shipstationtest.Order) {
	t.Helper()
	product := simpleProducts(f.BigCommerce)[0]
	addr := bigcommercetest.AddressFields{FirstName: "Ada", LastName: "Lovelace", Street1: "1 Main St", City: "Austin", State: "Texas",
		Zip: "78701", Country: "United States", CountryISO2: "US", Email: "ada@example.com"}
	o, err := f.BigCommerce.PlaceOrder(bigcommercetest.OrderInput{BillingAddress: &bigcommercetest.Address{AddressFields: addr},
		ShippingAddresses: []bigcommercetest.ShippingAddressInput{{AddressFields: addr, ShippingMethod: "Ground"}},
		Products:          []bigcommercetest.OrderProductInput{{ProductID: product, Quantity: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	line := f.BigCommerce.OrderProducts(o.ID)[0]
	key := strconv.Itoa(line.ID)
	email := "ada@example.com"
	ss, err := f.ShipStation.UpsertOrder(shipstationtest.Order{
		OrderNumber: strconv.Itoa(o.ID), OrderKey: fmt.Sprintf("bc:%s:%d", StoreHash, o.ID), OrderStatus: "awaiting_shipment",
		OrderDate: &shipstationtest.OrderTime{Time: time.Now()}, CustomerEmail: &email,
		BillTo: &shipstationtest.Address{Name: "Ada Lovelace"}, ShipTo: &shipstationtest.Address{Name: "Ada Lovelace"},
		Items: []shipstationtest.OrderItem{{LineItemKey: &key, SKU: line.SKU, Name: line.Name, Quantity: 2}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return o, line, ss
}

// refund refunds units of an order line the way the returns pipeline does.
func refund(t *testing.T, f *Fakes, orderID, lineID, units int) {
	t.Helper()
	items := []map[string]any{{"item_type": "PRODUCT", "item_id": lineID, "quantity": units}}
	base := fmt.Sprintf("%s/stores/%s/v3/orders/%d/payment_actions/", f.BigCommerce.URL, StoreHash, orderID)
	var quote struct {
		Data struct {
			Total json.Number `json:"total_refund_amount"`
		}
	}
	if err := json.Unmarshal(call(t, http.MethodPost, base+"refund_quotes", map[string]any{"items": items}, bcAuth), &quote); err != nil {
		t.Fatal(err)
	}
	call(t, http.MethodPost, base+"refunds", map[string]any{"items": items,
		"payments": []map[string]any{{"provider_id": "custom", "amount": quote.Data.Total, "offline": true}}}, bcAuth)
}

func sendMail(t *testing.T, f *Fakes, subject, text string) {
	t.Helper()
	msg := "From: orders@sandbox.example\r\nTo: ada@example.com\r\nSubject: " + subject + "\r\n\r\n" + text + "\r\n"
	if err := smtp.SendMail(f.Mail.SMTPAddr(), nil, "orders@sandbox.example", []string{"ada@example.com"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
}

// problems runs one check and returns its problems joined by newlines.
func problems(t *testing.T, f *Fakes, flow string) string {
	t.Helper()
	for _, c := range Reconcile(f) {
		if c.Flow == flow {
			return strings.Join(c.Problems, "\n")
		}
	}
	t.Fatalf("no %s check", flow)
	return ""
}

func wantProblem(t *testing.T, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Errorf("problems %q lack %q", got, want)
	}
}

// A return reconciles only with exactly one refund for the returned units,
// the tag taken off and one email.
func TestReconcileReturns(t *testing.T) {
	f := startTestFakes(t)
	o, line, ss := orderInBoth(t, f)
	if _, err := f.ShipStation.Ship(ss.OrderID, shipstationtest.ShipRequest{}); err != nil {
		t.Fatal(err)
	}
	if got := problems(t, f, "returns"); got != "" {
		t.Fatalf("no return yet, problems: %s", got)
	}
	if _, err := f.ShipStation.ReceiveReturn(ss.OrderID, nil); err != nil {
		t.Fatal(err)
	}

	got := problems(t, f, "returns")
	wantProblem(t, got, fmt.Sprintf("order %d: 0 refunds for 1 returns", o.ID))
	wantProblem(t, got, "still has the Return Received tag")
	wantProblem(t, got, "0 return emails, want 1")

	refund(t, f, o.ID, line.ID, 1)
	wantProblem(t, problems(t, f, "returns"), fmt.Sprintf("line %d: 2 units returned, 1 refunded", line.ID))

	refund(t, f, o.ID, line.ID, 1) // the rest, as a second refund
	got = problems(t, f, "returns")
	wantProblem(t, got, fmt.Sprintf("order %d: 2 refunds for 1 returns", o.ID))
	if strings.Contains(got, "units returned") {
		t.Errorf("every returned unit is refunded, problems: %s", got)
	}

	tag, _ := f.ShipStation.TagID(shipstationtest.TagReturnReceived)
	call(t, http.MethodPost, f.ShipStation.URL+"/orders/removetag", map[string]int64{"orderId": ss.OrderID, "tagId": tag}, ssAuth)
	sendMail(t, f, fmt.Sprintf("Your return for order %d is refunded", o.ID), "We received your return.")
	got = problems(t, f, "returns")
	if strings.Contains(got, "tag") || strings.Contains(got, "email") {
		t.Errorf("the tag is off and the email sent, problems: %s", got)
	}
	wantProblem(t, got, "2 refunds for 1 returns")

	sendMail(t, f, fmt.Sprintf("Your return for order %d is refunded", o.ID), "We received your return.")
	wantProblem(t, problems(t, f, "returns"), "2 return emails, want 1")
}

// A refund of one return reconciles; a refund without a return does not.
func TestReconcileReturnsOneRefund(t *testing.T) {
	f := startTestFakes(t)
	o, line, ss := orderInBoth(t, f)
	if _, err := f.ShipStation.Ship(ss.OrderID, shipstationtest.ShipRequest{}); err != nil {
		t.Fatal(err)
	}
	refund(t, f, o.ID, line.ID, 1)
	wantProblem(t, problems(t, f, "returns"), fmt.Sprintf("order %d has 1 refunds and no return", o.ID))

	key := strconv.Itoa(line.ID)
	if _, err := f.ShipStation.ReceiveReturn(ss.OrderID, []shipstationtest.ShipItem{{LineItemKey: key, Quantity: 1}}); err != nil {
		t.Fatal(err)
	}
	tag, _ := f.ShipStation.TagID(shipstationtest.TagReturnReceived)
	call(t, http.MethodPost, f.ShipStation.URL+"/orders/removetag", map[string]int64{"orderId": ss.OrderID, "tagId": tag}, ssAuth)
	sendMail(t, f, fmt.Sprintf("Your return for order %d is refunded", o.ID), "We received your return.")
	if got := problems(t, f, "returns"); got != "" {
		t.Errorf("one refund for the one returned unit, problems: %s", got)
	}
	if bc, _ := f.BigCommerce.Order(o.ID); bc.StatusID != 14 {
		t.Errorf("status %d, want 14 (Partially Refunded)", bc.StatusID)
	}
}

// BigCommerce's stock must be ShipStation's for every SKU ShipStation stocks.
func TestReconcileInventory(t *testing.T) {
	f := startTestFakes(t)
	var inventory Check
	check := func() Check {
		for _, c := range Reconcile(f) {
			if c.Flow == "inventory" {
				return c
			}
		}
		t.Fatal("no inventory check")
		return Check{}
	}
	if inventory = check(); inventory.Checked != 0 || !inventory.OK() {
		t.Fatalf("ShipStation stocks nothing yet: %+v", inventory)
	}
	w := &World{Fakes: f}
	w.stockWarehouse()
	if inventory = check(); inventory.Checked < 100 || !inventory.OK() {
		t.Fatalf("the warehouse holds what the store sells: %+v", inventory)
	}
	p, _ := f.BigCommerce.Product(simpleProducts(f.BigCommerce)[0])
	have, _ := f.BigCommerce.Stock(p.SKU, inventoryLocation)
	if err := f.ShipStation.SetStock(p.SKU, have+3); err != nil {
		t.Fatal(err)
	}
	inventory = check()
	if len(inventory.Problems) != 1 {
		t.Fatalf("one SKU differs, problems: %v", inventory.Problems)
	}
	wantProblem(t, inventory.Problems[0], fmt.Sprintf("SKU %s: BigCommerce has %d at location 1, ShipStation has %d available", p.SKU, have, have+3))
}

// A backorder in ShipStation needs BigCommerce's note and metafield and
// exactly one email; an email for an event nobody noted is a problem.
func TestReconcileExceptions(t *testing.T) {
	f := startTestFakes(t)
	o, _, ss := orderInBoth(t, f)
	if err := f.ShipStation.TagOrder(ss.OrderID, shipstationtest.TagBackorder); err != nil {
		t.Fatal(err)
	}
	got := problems(t, f, "exceptions")
	wantProblem(t, got, fmt.Sprintf("order %d is backorder in ShipStation, BigCommerce has no note of it", o.ID))
	wantProblem(t, got, `its exception metafield says ""`)

	orderURL := fmt.Sprintf("%s/stores/%s/v2/orders/%d", f.BigCommerce.URL, StoreHash, o.ID)
	call(t, http.MethodPut, orderURL, map[string]string{"staff_notes": "[tote] ShipStation: backorder"}, bcAuth)
	call(t, http.MethodPost, fmt.Sprintf("%s/stores/%s/v3/orders/%d/metafields", f.BigCommerce.URL, StoreHash, o.ID),
		map[string]string{"namespace": "tote", "key": "exception", "value": `{"reason":"backorder","expected":null}`, "permission_set": "app_only"}, bcAuth)
	wantProblem(t, problems(t, f, "exceptions"), fmt.Sprintf(`order %d: 0 "backorder" emails for 1 noted events`, o.ID))

	subject := fmt.Sprintf("An update on your order %d", o.ID)
	sendMail(t, f, subject, "Part of your order is on backorder.")
	if got := problems(t, f, "exceptions"); got != "" {
		t.Errorf("noted, recorded and mailed once, problems: %s", got)
	}
	sendMail(t, f, subject, "Part of your order is on backorder.")
	sendMail(t, f, subject, "Your order has been cancelled.")
	got = problems(t, f, "exceptions")
	wantProblem(t, got, fmt.Sprintf(`order %d: 2 "backorder" emails for 1 noted events`, o.ID))
	wantProblem(t, got, fmt.Sprintf(`order %d: 1 "cancelled" emails for 0 noted events`, o.ID))
}

// A BigCommerce order that another channel's order of the same number
// shipped or cancelled does not reconcile.
func TestReconcileForeign(t *testing.T) {
	f := startTestFakes(t)
	o, line, _ := orderInBoth(t, f)
	if f.Foreign.Shipped.OrderNumber != strconv.Itoa(o.ID) {
		t.Fatalf("the other channel's shipped order is numbered %s, BigCommerce's first order %d", f.Foreign.Shipped.OrderNumber, o.ID)
	}
	if got := problems(t, f, "foreign"); got != "" {
		t.Fatalf("nothing touched, problems: %s", got)
	}
	var theirs string
	for _, s := range f.ShipStation.Shipments() {
		if s.OrderID != nil && *s.OrderID == f.Foreign.Shipped.OrderID {
			theirs = s.TrackingNumber
		}
	}
	base := fmt.Sprintf("%s/stores/%s/v2/orders/%d", f.BigCommerce.URL, StoreHash, o.ID)
	call(t, http.MethodPost, base+"/shipments", map[string]any{
		"order_address_id": f.BigCommerce.ShippingAddresses(o.ID)[0].ID, "tracking_number": theirs,
		"items": []map[string]any{{"order_product_id": line.ID, "quantity": 2}}}, bcAuth)
	call(t, http.MethodPut, base, map[string]string{"staff_notes": "[tote] ShipStation: cancelled"}, bcAuth)
	got := problems(t, f, "foreign")
	wantProblem(t, got, fmt.Sprintf("order %d has a shipment (%s) of another channel's order %d", o.ID, theirs, f.Foreign.Shipped.OrderID))
	wantProblem(t, got, fmt.Sprintf("order %d has 1 shipments; tote's order of it never left the warehouse", o.ID))
	wantProblem(t, got, fmt.Sprintf("order %d is noted cancelled; tote's order of it is not", o.ID))
}

// The verdict's status gate is the orders pipeline's own default.
func TestImportStatusIsThePipelinesDefault(t *testing.T) {
	want := map[int]string{
		7: "awaiting_payment", 11: "awaiting_shipment", 9: "awaiting_shipment", 3: "awaiting_shipment",
		12: "on_hold", 13: "on_hold", 5: "cancelled", 4: "cancelled",
	}
	got := importStatus()
	if len(got) != len(want) {
		t.Fatalf("importStatus() = %v, want %v", got, want)
	}
	for id, s := range want {
		if got[id] != s {
			t.Errorf("importStatus()[%d] = %q, want %q", id, got[id], s)
		}
	}
}
