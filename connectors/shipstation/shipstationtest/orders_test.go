package shipstationtest

import (
	"fmt"
	"regexp"
	"testing"
	"time"
)

var (
	orderStamp = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}$`)
	shortStamp = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?$`)
	dateOnly   = regexp.MustCompile(`^\d{4}-\d\d-\d\d$`)
)

func TestCreateOrderConformance(t *testing.T) {
	s := newTestServer(t, Options{})
	o := createOrder(t, s, orderJSON("bc:sandbox:10482", "BC-10482"))

	if _, ok := o["orderId"].(float64); !ok {
		t.Fatalf("orderId is not a number: %#v", o["orderId"])
	}
	if o["orderKey"] != "bc:sandbox:10482" || o["orderStatus"] != "awaiting_shipment" {
		t.Errorf("orderKey/orderStatus = %v/%v", o["orderKey"], o["orderStatus"])
	}
	for _, f := range []string{"orderDate", "createDate", "modifyDate", "paymentDate"} {
		if s, _ := o[f].(string); !orderStamp.MatchString(s) {
			t.Errorf("%s = %q, want 7 fractional digits without offset", f, o[f])
		}
	}
	if o["orderDate"] != "2024-06-05T09:14:22.0000000" {
		t.Errorf("orderDate = %v, want the Pacific wall time sent", o["orderDate"])
	}
	if o["createDate"] != "2024-06-05T10:00:00.0000000" {
		t.Errorf("createDate = %v, want clock time in Pacific (PDT)", o["createDate"])
	}
	// Nulls are written, not omitted.
	for _, f := range []string{"shipByDate", "customerNotes", "giftMessage", "carrierCode", "holdUntilDate", "tagIds", "userId", "dimensions"} {
		v, present := o[f]
		if !present || v != nil {
			t.Errorf("%s = %#v (present %v), want explicit null", f, v, present)
		}
	}
	if o["orderTotal"] != 46.0 {
		t.Errorf("orderTotal = %v, want 2×18.5 + 3 + 6 = 46", o["orderTotal"])
	}
	if _, ok := o["customerId"].(float64); !ok {
		t.Errorf("customerId = %#v, want a number", o["customerId"])
	}
	adv := o["advancedOptions"].(map[string]any)
	if adv["storeId"] == nil || adv["warehouseId"] == nil {
		t.Errorf("storeId/warehouseId not defaulted: %v", adv)
	}
	if adv["customField1"] != "bc_order_id=BC-10482" {
		t.Errorf("customField1 = %v", adv["customField1"])
	}
	items := o["items"].([]any)
	it := items[0].(map[string]any)
	if _, ok := it["orderItemId"].(float64); !ok || it["lineItemKey"] != "li-1" || it["unitPrice"] != 18.5 {
		t.Errorf("item = %v", it)
	}
	if s, _ := it["createDate"].(string); !shortStamp.MatchString(s) {
		t.Errorf("item createDate = %q", it["createDate"])
	}
	if w := o["weight"].(map[string]any); w["value"] != 28.0 || w["units"] != "ounces" {
		t.Errorf("order weight = %v, want 28 ounces from the items", w)
	}
	got := mustStatus(t, api(t, s, "GET", fmt.Sprintf("/orders/%d", idOf(o, "orderId")), nil), 200).json(t)
	if got["orderKey"] != "bc:sandbox:10482" {
		t.Errorf("GET /orders/{id} = %v", got)
	}
	if r := api(t, s, "GET", "/orders/999", nil); r.status != 404 {
		t.Errorf("unknown order: status %d", r.status)
	}
	if ct := api(t, s, "GET", "/orders", nil).header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
}

func TestCreateOrderValidation(t *testing.T) {
	s := newTestServer(t, Options{})
	bad := orderJSON("k1", "")
	r := mustStatus(t, api(t, s, "POST", "/orders/createorder", bad), 400).json(t)
	if r["Message"] != "The request is invalid." || r["ModelState"] == nil {
		t.Errorf("400 body = %v", r)
	}
	bad = orderJSON("k1", "N1")
	bad["orderStatus"] = "pending_fulfillment" // set by ShipStation only
	mustStatus(t, api(t, s, "POST", "/orders/createorder", bad), 400)
	// An array to createorder, an object to createorders.
	r = mustStatus(t, api(t, s, "POST", "/orders/createorder", []any{orderJSON("k1", "N1")}), 400).json(t)
	if ms, _ := r["ModelState"].(map[string]any); ms["apiOrder"] == nil {
		t.Errorf("ModelState = %v, want key apiOrder", r["ModelState"])
	}
	r = mustStatus(t, api(t, s, "POST", "/orders/createorders", orderJSON("k1", "N1")), 400).json(t)
	if ms, _ := r["ModelState"].(map[string]any); ms["apiOrders"] == nil {
		t.Errorf("ModelState = %v, want key apiOrders", r["ModelState"])
	}
	if len(s.Orders()) != 0 {
		t.Error("a rejected request saved an order")
	}
}

func TestUpsertByKeyIsFullReplace(t *testing.T) {
	s := newTestServer(t, Options{})
	first := createOrder(t, s, orderJSON("bc:1", "BC-1",
		line("li-1", "A", 1, 10), line("li-2", "B", 1, 5)))
	s.Clock().Advance(time.Hour)

	update := orderJSON("bc:1", "BC-1", line("li-1", "A", 3, 10))
	delete(update, "internalNotes")
	update["advancedOptions"] = map[string]any{"storeId": 30552} // create-only: ignored
	second := createOrder(t, s, update)

	if idOf(second, "orderId") != idOf(first, "orderId") {
		t.Fatalf("upsert by orderKey made a new order")
	}
	if second["internalNotes"] != nil {
		t.Errorf("internalNotes = %v, want cleared by the full replace", second["internalNotes"])
	}
	if adv := second["advancedOptions"].(map[string]any); adv["customField1"] != nil || adv["storeId"] != first["advancedOptions"].(map[string]any)["storeId"] {
		t.Errorf("advancedOptions = %v, want custom fields cleared and storeId kept", adv)
	}
	items := second["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["quantity"] != 3.0 {
		t.Errorf("items = %v, want the one line sent", items)
	}
	if items[0].(map[string]any)["orderItemId"] != first["items"].([]any)[0].(map[string]any)["orderItemId"] {
		t.Error("orderItemId of a kept lineItemKey changed")
	}
	if second["createDate"] != first["createDate"] || second["modifyDate"] == first["modifyDate"] {
		t.Errorf("createDate %v→%v, modifyDate %v→%v", first["createDate"], second["createDate"], first["modifyDate"], second["modifyDate"])
	}
	if len(s.Orders()) != 1 {
		t.Errorf("%d orders stored, want 1", len(s.Orders()))
	}
	// Without a key, every call creates a new order.
	noKey := orderJSON("", "BC-2")
	a, b := createOrder(t, s, noKey), createOrder(t, s, noKey)
	if a["orderKey"] == "" || a["orderKey"] == b["orderKey"] || idOf(a, "orderId") == idOf(b, "orderId") {
		t.Errorf("keyless creates: %v/%v", a["orderKey"], b["orderKey"])
	}
}

func TestLockedOrders(t *testing.T) {
	for _, tc := range []struct {
		policy      LockPolicy
		singleCode  int
		bulkSuccess bool
	}{
		{LockDefault, 200, false},
		{LockSilent, 200, true},
		{LockReject, 400, false},
	} {
		t.Run(fmt.Sprint(tc.policy), func(t *testing.T) {
			s := newTestServer(t, Options{LockedOrders: tc.policy})
			shipped := createOrder(t, s, orderJSON("k-ship", "S-1"))
			if _, err := s.Ship(idOf(shipped, "orderId"), ShipRequest{}); err != nil {
				t.Fatal(err)
			}
			cancelled := orderJSON("k-cancel", "C-1")
			cancelled["orderStatus"] = "cancelled"
			createOrder(t, s, cancelled)

			change := orderJSON("k-ship", "S-1-CHANGED")
			r := api(t, s, "POST", "/orders/createorder", change)
			if r.status != tc.singleCode {
				t.Fatalf("createorder on shipped: %d, want %d: %s", r.status, tc.singleCode, r.body)
			}
			if r.status == 200 {
				if o := r.json(t); o["orderNumber"] != "S-1" || o["orderStatus"] != "shipped" {
					t.Errorf("answer = %v/%v, want the unchanged order", o["orderNumber"], o["orderStatus"])
				}
			}
			reopen := orderJSON("k-cancel", "C-1")
			bulk := mustStatus(t, api(t, s, "POST", "/orders/createorders", []any{change, reopen}), 200).json(t)
			for _, res := range bulk["results"].([]any) {
				m := res.(map[string]any)
				if m["success"] != tc.bulkSuccess {
					t.Errorf("bulk result %v, want success %v", m, tc.bulkSuccess)
				}
				if !tc.bulkSuccess && m["errorMessage"] == nil {
					t.Errorf("failed result without errorMessage: %v", m)
				}
			}
			if o, _ := s.OrderByKey("k-ship"); o.OrderNumber != "S-1" || o.OrderStatus != StatusShipped {
				t.Errorf("shipped order changed: %s %s", o.OrderNumber, o.OrderStatus)
			}
			if o, _ := s.OrderByKey("k-cancel"); o.OrderStatus != StatusCancelled {
				t.Errorf("cancelled order reopened: %s", o.OrderStatus)
			}
		})
	}
}

func TestCreateOrdersBulk(t *testing.T) {
	s := newTestServer(t, Options{})
	var tooMany []any
	for i := range 101 {
		tooMany = append(tooMany, orderJSON(fmt.Sprintf("k%d", i), fmt.Sprintf("N%d", i)))
	}
	mustStatus(t, api(t, s, "POST", "/orders/createorders", tooMany), 400)
	if n := len(s.Orders()); n != 0 {
		t.Fatalf("%d orders saved from a rejected batch", n)
	}
	bad := orderJSON("k-bad", "N-bad")
	delete(bad, "shipTo")
	r := mustStatus(t, api(t, s, "POST", "/orders/createorders", []any{orderJSON("k-1", "N-1"), bad, orderJSON("k-2", "N-2")}), 200).json(t)
	if r["hasErrors"] != true {
		t.Errorf("hasErrors = %v", r["hasErrors"])
	}
	res := r["results"].([]any)
	want := []struct {
		key     string
		success bool
	}{{"k-1", true}, {"k-bad", false}, {"k-2", true}}
	for i, w := range want {
		m := res[i].(map[string]any)
		if m["orderKey"] != w.key || m["success"] != w.success {
			t.Errorf("result %d = %v, want %s success=%v", i, m, w.key, w.success)
		}
		if w.success && (m["orderId"].(float64) == 0 || m["errorMessage"] != nil) {
			t.Errorf("result %d = %v", i, m)
		}
		if !w.success && (m["orderId"].(float64) != 0 || m["errorMessage"] == nil) {
			t.Errorf("result %d = %v", i, m)
		}
	}
	ok := mustStatus(t, api(t, s, "POST", "/orders/createorders", tooMany[:100]), 200).json(t)
	if ok["hasErrors"] != false || len(ok["results"].([]any)) != 100 {
		t.Errorf("100 orders: hasErrors %v, %d results", ok["hasErrors"], len(ok["results"].([]any)))
	}
}

func TestProductAutoCreatedFromUnknownSKU(t *testing.T) {
	s := newTestServer(t, Options{})
	o := createOrder(t, s, orderJSON("k1", "N1", line("l1", "NEW-SKU-1", 1, 12.25)))
	pid := o["items"].([]any)[0].(map[string]any)["productId"]
	if pid == nil {
		t.Fatal("item productId not set")
	}
	list := mustStatus(t, api(t, s, "GET", "/products?sku=NEW-SKU-1", nil), 200).json(t)
	if list["total"] != 1.0 {
		t.Fatalf("products = %v", list)
	}
	p := list["products"].([]any)[0].(map[string]any)
	if p["productId"] != pid || p["sku"] != "NEW-SKU-1" || p["price"] != 12.25 || p["weightOz"] != 14.0 || p["active"] != true {
		t.Errorf("product = %v", p)
	}
	// A second order with the SKU links the same product.
	o2 := createOrder(t, s, orderJSON("k2", "N2", line("l1", "NEW-SKU-1", 1, 99)))
	if o2["items"].([]any)[0].(map[string]any)["productId"] != pid || len(s.Products()) != 1 {
		t.Error("known SKU created another product")
	}
}

func TestOrderNumberIsStartsWith(t *testing.T) {
	s := newTestServer(t, Options{})
	for _, n := range []string{"BC-104", "BC-1048", "BC-10482", "BC-2104"} {
		createOrder(t, s, orderJSON("k-"+n, n))
	}
	r := mustStatus(t, api(t, s, "GET", "/orders?orderNumber=BC-104", nil), 200).json(t)
	if r["total"] != 3.0 {
		t.Errorf("orderNumber=BC-104 matched %v orders, want 3 (starts-with)", r["total"])
	}
}

func TestListOrdersFiltersAndSort(t *testing.T) {
	s := newTestServer(t, Options{})
	a := orderJSON("ka", "A")
	a["orderDate"] = "2024-06-03 08:00:00"
	b := orderJSON("kb", "B")
	b["orderDate"] = "2024-06-01 08:00:00"
	b["orderStatus"] = "awaiting_payment"
	b["shipTo"].(map[string]any)["name"] = "Sam Smith"
	createOrder(t, s, a)
	createOrder(t, s, b)

	r := api(t, s, "GET", "/orders?orderStatus=awaiting_payment", nil).json(t)
	if r["total"] != 1.0 || r["orders"].([]any)[0].(map[string]any)["orderNumber"] != "B" {
		t.Errorf("orderStatus filter: %v", r["total"])
	}
	r = api(t, s, "GET", "/orders?customerName=smith", nil).json(t)
	if r["total"] != 1.0 {
		t.Errorf("customerName filter: %v", r["total"])
	}
	r = api(t, s, "GET", "/orders?sortBy=OrderDate&sortDir=ASC", nil).json(t)
	if r["orders"].([]any)[0].(map[string]any)["orderNumber"] != "B" {
		t.Error("sortBy=OrderDate ASC did not put the older order first")
	}
	r = api(t, s, "GET", "/orders?orderDateStart=2024-06-02%2000:00:00", nil).json(t)
	if r["total"] != 1.0 {
		t.Errorf("orderDateStart filter: %v", r["total"])
	}
	r = api(t, s, "GET", "/orders?storeId=30552", nil).json(t)
	if r["total"] != 0.0 {
		t.Errorf("storeId filter: %v", r["total"])
	}
	mustStatus(t, api(t, s, "GET", "/orders?storeId=abc", nil), 400)
	mustStatus(t, api(t, s, "GET", "/orders?orderDateStart=yesterday", nil), 400)
}

func TestPacificDatesAcrossDST(t *testing.T) {
	s := newTestServer(t, Options{})
	// 2024-03-10: clocks jump from 02:00 PST to 03:00 PDT.
	s.Clock().Set(time.Date(2024, 3, 10, 9, 30, 0, 0, time.UTC)) // 01:30 PST
	before := createOrder(t, s, orderJSON("k-pst", "PST"))
	s.Clock().Set(time.Date(2024, 3, 10, 10, 30, 0, 0, time.UTC)) // 03:30 PDT
	after := createOrder(t, s, orderJSON("k-pdt", "PDT"))

	if before["createDate"] != "2024-03-10T01:30:00.0000000" || after["createDate"] != "2024-03-10T03:30:00.0000000" {
		t.Fatalf("createDate = %v / %v", before["createDate"], after["createDate"])
	}
	count := func(q string) float64 {
		return mustStatus(t, api(t, s, "GET", "/orders?"+q, nil), 200).json(t)["total"].(float64)
	}
	if n := count("createDateStart=2024-03-10%2003:00:00"); n != 1 {
		t.Errorf("created since 03:00 Pacific: %v, want 1", n)
	}
	if n := count("createDateEnd=2024-03-10%2001:59:59"); n != 1 {
		t.Errorf("created until 01:59:59 Pacific: %v, want 1", n)
	}
	// An offset is ignored: 03:00Z is still read as 03:00 Pacific.
	if n := count("createDateStart=2024-03-10T03:00:00Z"); n != 1 {
		t.Errorf("offset suffix honoured: %v, want 1", n)
	}
	// Input dates are Pacific wall time, PST or PDT by date.
	winter := orderJSON("k-w", "W")
	winter["orderDate"] = "2024-11-03 12:00:00" // after the fall-back: PST
	createOrder(t, s, winter)
	o, _ := s.OrderByKey("k-w")
	if got := o.OrderDate.UTC(); !got.Equal(time.Date(2024, 11, 3, 20, 0, 0, 0, time.UTC)) {
		t.Errorf("orderDate 12:00 PST = %v UTC, want 20:00", got)
	}
	o, _ = s.OrderByKey("k-pdt")
	if got := o.OrderDate.UTC(); !got.Equal(time.Date(2024, 6, 5, 16, 14, 22, 0, time.UTC)) {
		t.Errorf("orderDate 09:14:22 PDT = %v UTC", got)
	}
}

func TestHonorDateOffsetsKnob(t *testing.T) {
	s := newTestServer(t, Options{HonorDateOffsets: true})
	createOrder(t, s, orderJSON("k", "N")) // created 10:00 PDT = 17:00Z
	r := api(t, s, "GET", "/orders?createDateStart=2024-06-05T16:30:00Z", nil).json(t)
	if r["total"] != 1.0 {
		t.Errorf("16:30Z honoured as UTC should match an order created 17:00Z: %v", r["total"])
	}
}

func TestPaging(t *testing.T) {
	s := newTestServer(t, Options{})
	empty := api(t, s, "GET", "/orders", nil).json(t)
	if empty["total"] != 0.0 || empty["pages"] != 0.0 || len(empty["orders"].([]any)) != 0 || empty["page"] != 1.0 {
		t.Errorf("empty list = %v", empty)
	}
	for i := range 7 {
		createOrder(t, s, orderJSON(fmt.Sprint("k", i), fmt.Sprint("N", i)))
	}
	r := api(t, s, "GET", "/orders?pageSize=3&page=3", nil).json(t)
	if r["total"] != 7.0 || r["pages"] != 3.0 || r["page"] != 3.0 || len(r["orders"].([]any)) != 1 {
		t.Errorf("page 3 of 3 = total %v pages %v page %v n %d", r["total"], r["pages"], r["page"], len(r["orders"].([]any)))
	}
	r = api(t, s, "GET", "/orders?pageSize=3&page=4", nil).json(t)
	if r["total"] != 7.0 || len(r["orders"].([]any)) != 0 {
		t.Errorf("past the end = %v", r)
	}
	r = api(t, s, "GET", "/orders?pageSize=3&page=1&sortDir=DESC", nil).json(t)
	if first := r["orders"].([]any)[0].(map[string]any); first["orderNumber"] != "N6" {
		t.Errorf("DESC first = %v", first["orderNumber"])
	}
	mustStatus(t, api(t, s, "GET", "/orders?pageSize=501", nil), 400)
	mustStatus(t, api(t, s, "GET", "/orders?pageSize=0", nil), 400)
	mustStatus(t, api(t, s, "GET", "/orders?page=0", nil), 400)
	mustStatus(t, api(t, s, "GET", "/orders?pageSize=500", nil), 200)

	clamp := newTestServer(t, Options{ClampPageSize: true, DefaultPageSize: 2})
	for i := range 3 {
		createOrder(t, clamp, orderJSON(fmt.Sprint("k", i), fmt.Sprint("N", i)))
	}
	mustStatus(t, api(t, clamp, "GET", "/orders?pageSize=501", nil), 200)
	if r := api(t, clamp, "GET", "/orders", nil).json(t); r["pages"] != 2.0 {
		t.Errorf("DefaultPageSize 2 over 3 orders: pages %v", r["pages"])
	}
}

func TestDeleteIsSoft(t *testing.T) {
	s := newTestServer(t, Options{})
	o := createOrder(t, s, orderJSON("k", "N"))
	id := idOf(o, "orderId")
	r := mustStatus(t, api(t, s, "DELETE", fmt.Sprintf("/orders/%d", id), nil), 200).json(t)
	if r["success"] != true || r["message"] != "The requested order has been deleted." {
		t.Errorf("delete = %v", r)
	}
	mustStatus(t, api(t, s, "GET", fmt.Sprintf("/orders/%d", id), nil), 404)
	if l := api(t, s, "GET", "/orders", nil).json(t); l["total"] != 0.0 {
		t.Error("deleted order still listed")
	}
	if !s.IsDeleted(id) {
		t.Error("IsDeleted = false")
	}
}

// Whether a deleted order's key is free again is not documented: by default
// an upsert with it replaces the deleted order, which stays hidden; with
// FreeDeletedKeys it makes a new order.
func TestUpsertWithTheKeyOfADeletedOrder(t *testing.T) {
	for _, free := range []bool{false, true} {
		s := newTestServer(t, Options{FreeDeletedKeys: free})
		id := idOf(createOrder(t, s, orderJSON("k", "N")), "orderId")
		mustStatus(t, api(t, s, "DELETE", fmt.Sprintf("/orders/%d", id), nil), 200)
		again := idOf(createOrder(t, s, orderJSON("k", "N")), "orderId")
		total := api(t, s, "GET", "/orders", nil).json(t)["total"]
		switch {
		case !free && (again != id || total != 0.0 || !s.IsDeleted(id)):
			t.Errorf("key kept: upsert answered order %d (deleted %d), %v listed", again, id, total)
		case free && (again == id || total != 1.0):
			t.Errorf("key freed: upsert answered order %d (deleted %d), %v listed", again, id, total)
		}
	}
}

func TestHoldRestoreAndTags(t *testing.T) {
	s := newTestServer(t, Options{})
	o := createOrder(t, s, orderJSON("k", "N"))
	id := idOf(o, "orderId")
	r := mustStatus(t, api(t, s, "POST", "/orders/holduntil", map[string]any{"orderId": id, "holdUntilDate": "2024-06-07"}), 200).json(t)
	if r["success"] != true {
		t.Fatalf("holduntil = %v", r)
	}
	got := api(t, s, "GET", fmt.Sprintf("/orders/%d", id), nil).json(t)
	if got["orderStatus"] != "on_hold" || got["holdUntilDate"] != "2024-06-07" {
		t.Fatalf("held order = %v %v", got["orderStatus"], got["holdUntilDate"])
	}
	if !dateOnly.MatchString(got["holdUntilDate"].(string)) {
		t.Error("holdUntilDate is not date-only")
	}
	s.Clock().Advance(24 * time.Hour) // 06-06: still held
	if st := api(t, s, "GET", fmt.Sprintf("/orders/%d", id), nil).json(t)["orderStatus"]; st != "on_hold" {
		t.Errorf("status on the day before release = %v", st)
	}
	s.Clock().Advance(24 * time.Hour) // 06-07: released
	got = api(t, s, "GET", fmt.Sprintf("/orders/%d", id), nil).json(t)
	if got["orderStatus"] != "awaiting_shipment" || got["holdUntilDate"] != nil {
		t.Errorf("status on the hold date = %v %v", got["orderStatus"], got["holdUntilDate"])
	}

	mustStatus(t, api(t, s, "POST", "/orders/holduntil", map[string]any{"orderId": id, "holdUntilDate": "2024-07-01"}), 200)
	mustStatus(t, api(t, s, "POST", "/orders/restorefromhold", map[string]any{"orderId": id}), 200)
	if st, _ := s.Order(id); st.OrderStatus != StatusAwaitingShipment {
		t.Errorf("after restorefromhold: %s", st.OrderStatus)
	}

	backorder, _ := s.TagID(TagBackorder)
	mustStatus(t, api(t, s, "POST", "/orders/addtag", map[string]any{"orderId": id, "tagId": backorder}), 200)
	got = api(t, s, "GET", fmt.Sprintf("/orders/%d", id), nil).json(t)
	if tags := got["tagIds"].([]any); len(tags) != 1 || tags[0] != float64(backorder) {
		t.Errorf("tagIds = %v", got["tagIds"])
	}
	l := mustStatus(t, api(t, s, "GET", fmt.Sprintf("/orders/listbytag?orderStatus=awaiting_shipment&tagId=%d", backorder), nil), 200).json(t)
	if l["total"] != 1.0 {
		t.Errorf("listbytag total = %v", l["total"])
	}
	mustStatus(t, api(t, s, "GET", "/orders/listbytag?orderStatus=awaiting_shipment", nil), 400)
	mustStatus(t, api(t, s, "POST", "/orders/removetag", map[string]any{"orderId": id, "tagId": backorder}), 200)
	if tags := s.OrderTags(id); len(tags) != 0 {
		t.Errorf("tags after removetag = %v", tags)
	}
	mustStatus(t, api(t, s, "POST", "/orders/addtag", map[string]any{"orderId": id, "tagId": 1}), 400)
	mustStatus(t, api(t, s, "POST", "/orders/addtag", map[string]any{"orderId": 1, "tagId": backorder}), 400)
}

func TestSimHoldAndCancel(t *testing.T) {
	s := newTestServer(t, Options{})
	id := idOf(createOrder(t, s, orderJSON("k", "N")), "orderId")
	r := mustStatus(t, call(t, s, "POST", fmt.Sprintf("/_sim/orders/%d/hold", id), map[string]any{"until": "2024-06-20"}, false), 200).json(t)
	if r["orderStatus"] != "on_hold" || r["holdUntilDate"] != "2024-06-20" {
		t.Errorf("sim hold = %v %v", r["orderStatus"], r["holdUntilDate"])
	}
	r = mustStatus(t, call(t, s, "POST", fmt.Sprintf("/_sim/orders/%d/cancel", id), nil, false), 200).json(t)
	if r["orderStatus"] != "cancelled" {
		t.Errorf("sim cancel = %v", r["orderStatus"])
	}
	mustStatus(t, call(t, s, "POST", fmt.Sprintf("/_sim/orders/%d/cancel", id), nil, false), 400)
	if st := s.Stats(); st.V1Calls != 1 {
		t.Errorf("sim verbs counted as API calls: %+v", st)
	}
}

// A tag change leaves modifyDate alone unless TagsMoveModifyDate is set.
func TestTagModifyDateKnob(t *testing.T) {
	for _, moves := range []bool{false, true} {
		s := newTestServer(t, Options{TagsMoveModifyDate: moves})
		id := idOf(createOrder(t, s, orderJSON("k", "N")), "orderId")
		before := api(t, s, "GET", fmt.Sprintf("/orders/%d", id), nil).json(t)["modifyDate"]
		s.Clock().Advance(time.Hour)
		backorder, _ := s.TagID(TagBackorder)
		mustStatus(t, api(t, s, "POST", "/orders/addtag", map[string]any{"orderId": id, "tagId": backorder}), 200)
		after := api(t, s, "GET", fmt.Sprintf("/orders/%d", id), nil).json(t)["modifyDate"]
		if (after != before) != moves {
			t.Errorf("TagsMoveModifyDate=%v: modifyDate %v -> %v", moves, before, after)
		}
	}
}

// A tag made in the UI (simulated) is listed and can tag an order; a name
// the account has is refused.
func TestSimAddTag(t *testing.T) {
	s := newTestServer(t, Options{})
	tag := mustStatus(t, call(t, s, "POST", "/_sim/tags", map[string]any{"name": "Gift", "color": "#FF66CC"}, false), 200).json(t)
	if tag["name"] != "Gift" || idOf(tag, "tagId") == 0 {
		t.Fatalf("tag %v", tag)
	}
	found := 0
	for _, l := range mustStatus(t, api(t, s, "GET", "/accounts/listtags", nil), 200).list(t) {
		if l.(map[string]any)["name"] == "Gift" {
			found++
		}
	}
	if found != 1 {
		t.Fatalf("listtags has %d tags named Gift, want 1", found)
	}
	mustStatus(t, call(t, s, "POST", "/_sim/tags", map[string]any{"name": "gift"}, false), 400)
	mustStatus(t, call(t, s, "POST", "/_sim/tags", map[string]any{"color": "#000000"}, false), 400)
	o := createOrder(t, s, orderJSON("k1", "1", line("a", "SKU-1", 1, 5)))
	mustStatus(t, call(t, s, "POST", fmt.Sprintf("/_sim/orders/%d/tag", idOf(o, "orderId")), map[string]any{"tag": "Gift"}, false), 200)
}
