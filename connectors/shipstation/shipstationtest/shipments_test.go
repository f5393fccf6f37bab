package shipstationtest

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestShipSimFiresShipNotify(t *testing.T) {
	s := newTestServer(t, Options{})
	rc := newReceiver(t)
	for _, ev := range []string{"SHIP_NOTIFY", "ITEM_SHIP_NOTIFY"} {
		mustStatus(t, api(t, s, "POST", "/webhooks/subscribe", map[string]any{"target_url": rc.URL + "/hook?token=x", "event": ev, "store_id": nil, "friendly_name": ev}), 200)
	}
	if err := s.SetStock("A", 10); err != nil {
		t.Fatal(err)
	}
	o := createOrder(t, s, orderJSON("k", "BC-1", line("l1", "A", 2, 10), line("l2", "B", 1, 5)))
	id := idOf(o, "orderId")

	// A partial label: one unit of A.
	sh := mustStatus(t, call(t, s, "POST", fmt.Sprintf("/_sim/orders/%d/ship", id),
		map[string]any{"carrierCode": "ups", "serviceCode": "ups_ground", "items": []any{map[string]any{"lineItemKey": "l1", "quantity": 1}}}, false), 200).json(t)
	if sh["carrierCode"] != "ups" || !strings.HasPrefix(sh["trackingNumber"].(string), "1Z") || sh["shipmentCost"].(float64) <= 0 {
		t.Errorf("shipment = %v", sh)
	}
	if st, _ := s.Order(id); st.OrderStatus != StatusAwaitingShipment {
		t.Errorf("partially shipped order is %s", st.OrderStatus)
	}
	if n := s.Stock("A"); n != 9 {
		t.Errorf("stock of A after shipping 1 = %d, want 9", n)
	}

	dels, err := s.WaitDeliveries(waitCtx(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	byEvent := map[string]Delivery{}
	for _, d := range dels {
		if d.StatusCode != 200 {
			t.Errorf("delivery %+v", d)
		}
		byEvent[d.Event] = d
	}
	plain, withItems := byEvent["SHIP_NOTIFY"], byEvent["ITEM_SHIP_NOTIFY"]
	if !strings.Contains(plain.ResourceURL, "/shipments?batchId=") || !strings.HasSuffix(plain.ResourceURL, "includeShipmentItems=False") {
		t.Errorf("SHIP_NOTIFY resource_url = %s", plain.ResourceURL)
	}
	if !strings.HasSuffix(withItems.ResourceURL, "includeShipmentItems=True") {
		t.Errorf("ITEM_SHIP_NOTIFY resource_url = %s", withItems.ResourceURL)
	}
	got := rc.received()
	if len(got) != 2 || got[0]["resource_type"] == "" || got[0]["resource_url"] == "" {
		t.Fatalf("receiver got %v", got)
	}

	list := fetch(t, s, plain.ResourceURL)
	if list["total"] != 1.0 {
		t.Fatalf("resource_url lists %v shipments", list["total"])
	}
	first := list["shipments"].([]any)[0].(map[string]any)
	if first["shipmentItems"] != nil || first["orderId"] != float64(id) || first["voided"] != false || first["isReturnLabel"] != false {
		t.Errorf("SHIP_NOTIFY shipment = %v", first)
	}
	if !shortStamp.MatchString(first["createDate"].(string)) || !dateOnly.MatchString(first["shipDate"].(string)) {
		t.Errorf("dates %v %v", first["createDate"], first["shipDate"])
	}
	if to := first["shipTo"].(map[string]any); to["street1"] != "42 ELM ST" {
		t.Errorf("label shipTo not normalised: %v", to["street1"])
	}
	items := fetch(t, s, strings.Replace(plain.ResourceURL, "False", "True", 1))["shipments"].([]any)[0].(map[string]any)["shipmentItems"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["lineItemKey"] != "l1" || items[0].(map[string]any)["quantity"] != 1.0 {
		t.Errorf("shipmentItems = %v", items)
	}

	// The rest ships: the order is now shipped.
	if _, err := s.Ship(id, ShipRequest{}); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Order(id); st.OrderStatus != StatusShipped || st.ShipDate == nil {
		t.Errorf("fully shipped order is %s", st.OrderStatus)
	}
	if _, err := s.Ship(id, ShipRequest{}); err == nil {
		t.Error("shipping an order with nothing left succeeded")
	}
	if n := s.Stock("A"); n != 8 {
		t.Errorf("stock of A = %d, want 8", n)
	}
	if _, err := s.WaitDeliveries(waitCtx(t), 4); err != nil {
		t.Fatal(err)
	}
	if r := api(t, s, "GET", fmt.Sprintf("/shipments?orderId=%d", id), nil).json(t); r["total"] != 2.0 {
		t.Errorf("shipments of the order = %v", r["total"])
	}
	// Errors of the sim verb.
	mustStatus(t, call(t, s, "POST", "/_sim/orders/1/ship", nil, false), 400)
	other := createOrder(t, s, orderJSON("k2", "BC-2"))
	mustStatus(t, call(t, s, "POST", fmt.Sprintf("/_sim/orders/%d/ship", idOf(other, "orderId")),
		map[string]any{"items": []any{map[string]any{"lineItemKey": "li-1", "quantity": 5}}}, false), 400)
}

func TestMarkAsShippedFiresNoWebhook(t *testing.T) {
	s := newTestServer(t, Options{})
	rc := newReceiver(t)
	if _, err := s.Subscribe(rc.URL, EventShipNotify, nil, "ship"); err != nil {
		t.Fatal(err)
	}
	a := idOf(createOrder(t, s, orderJSON("ka", "A")), "orderId")
	b := idOf(createOrder(t, s, orderJSON("kb", "B")), "orderId")

	r := mustStatus(t, api(t, s, "POST", "/orders/markasshipped", map[string]any{
		"orderId": a, "carrierCode": "ups", "shipDate": "2024-06-05", "trackingNumber": "1Z999AA10123456784",
		"notifyCustomer": false, "notifySalesChannel": false}), 200).json(t)
	if r["orderId"] != float64(a) || r["orderNumber"] != "A" || len(r) != 2 {
		t.Errorf("markasshipped = %v", r)
	}
	if o, _ := s.Order(a); o.OrderStatus != StatusShipped {
		t.Errorf("status = %s", o.OrderStatus)
	}
	f := mustStatus(t, api(t, s, "GET", fmt.Sprintf("/fulfillments?orderId=%d", a), nil), 200).json(t)
	if f["total"] != 1.0 {
		t.Fatalf("fulfillments = %v", f)
	}
	ful := f["fulfillments"].([]any)[0].(map[string]any)
	if ful["trackingNumber"] != "1Z999AA10123456784" || ful["carrierCode"] != "ups" || ful["shipDate"] != "2024-06-05T00:00:00" || ful["voided"] != false {
		t.Errorf("fulfillment = %v", ful)
	}
	if sh := api(t, s, "GET", "/shipments", nil).json(t); sh["total"] != 0.0 {
		t.Errorf("markasshipped made a shipment: %v", sh["total"])
	}

	// Deliveries are FIFO: had markasshipped fired, its payload would come first.
	if _, err := s.Ship(b, ShipRequest{}); err != nil {
		t.Fatal(err)
	}
	dels, err := s.WaitDeliveries(waitCtx(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	list := fetch(t, s, dels[0].ResourceURL)
	if got := list["shipments"].([]any)[0].(map[string]any)["orderId"]; got != float64(b) {
		t.Errorf("first SHIP_NOTIFY is for order %v, want %d", got, b)
	}
	if len(s.Deliveries()) != 1 {
		t.Errorf("deliveries = %+v", s.Deliveries())
	}
}

func TestVoidLabel(t *testing.T) {
	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprint("VoidKeepsShipped=", keep), func(t *testing.T) {
			s := newTestServer(t, Options{VoidKeepsShipped: keep})
			if err := s.SetStock("MUG-BLK-12", 5); err != nil {
				t.Fatal(err)
			}
			id := idOf(createOrder(t, s, orderJSON("k", "N")), "orderId")
			sh, err := s.Ship(id, ShipRequest{})
			if err != nil {
				t.Fatal(err)
			}
			s.Clock().Advance(3600e9)
			v := mustStatus(t, call(t, s, "POST", fmt.Sprintf("/_sim/shipments/%d/void", sh.ShipmentID), nil, false), 200).json(t)
			if v["voided"] != true || v["voidDate"] == nil {
				t.Errorf("void = %v %v", v["voided"], v["voidDate"])
			}
			list := api(t, s, "GET", "/shipments?voidDateStart=2024-06-05%2010:30:00", nil).json(t)
			if list["total"] != 1.0 || list["shipments"].([]any)[0].(map[string]any)["voided"] != true {
				t.Errorf("voided label not listed: %v", list)
			}
			want := StatusAwaitingShipment
			if keep {
				want = StatusShipped
			}
			if o, _ := s.Order(id); o.OrderStatus != want {
				t.Errorf("order after void = %s, want %s", o.OrderStatus, want)
			}
			if n := s.Stock("MUG-BLK-12"); n != 5 {
				t.Errorf("stock after void = %d, want 5", n)
			}
			mustStatus(t, call(t, s, "POST", fmt.Sprintf("/_sim/shipments/%d/void", sh.ShipmentID), nil, false), 400)
		})
	}
}

func TestVoidLabelEndpoint(t *testing.T) {
	s := newTestServer(t, Options{})
	id := idOf(createOrder(t, s, orderJSON("k", "N")), "orderId")
	sh, err := s.Ship(id, ShipRequest{})
	if err != nil {
		t.Fatal(err)
	}
	r := mustStatus(t, api(t, s, "POST", "/shipments/voidlabel", map[string]any{"shipmentId": sh.ShipmentID}), 200).json(t)
	if r["approved"] != true || r["message"] != "Label voided successfully" {
		t.Errorf("voidlabel = %v", r)
	}
	if r := api(t, s, "POST", "/shipments/voidlabel", map[string]any{"shipmentId": sh.ShipmentID}).json(t); r["approved"] != false {
		t.Errorf("second void = %v", r)
	}
}

func TestReturnReceived(t *testing.T) {
	s := newTestServer(t, Options{})
	rc := newReceiver(t)
	if _, err := s.Subscribe(rc.URL, EventShipNotify, nil, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.SetStock("A", 0); err != nil {
		t.Fatal(err)
	}
	id := idOf(createOrder(t, s, orderJSON("k", "N", line("l1", "A", 3, 10))), "orderId")
	mustStatus(t, call(t, s, "POST", fmt.Sprintf("/_sim/orders/%d/return-received", id), nil, false), 400) // nothing shipped yet
	if _, err := s.Ship(id, ShipRequest{}); err != nil {
		t.Fatal(err)
	}
	r := mustStatus(t, call(t, s, "POST", fmt.Sprintf("/_sim/orders/%d/return-received", id),
		map[string]any{"items": []any{map[string]any{"lineItemKey": "l1", "quantity": 2}}}, false), 200).json(t)
	if r["isReturnLabel"] != true || r["shipmentItems"].([]any)[0].(map[string]any)["quantity"] != 2.0 {
		t.Errorf("return shipment = %v", r)
	}
	if tags := s.OrderTags(id); len(tags) != 1 || tags[0] != TagReturnReceived {
		t.Errorf("tags = %v", tags)
	}
	if n := s.Stock("A"); n != 2 {
		t.Errorf("stock after returning 2 = %d", n)
	}
	list := api(t, s, "GET", fmt.Sprintf("/shipments?orderId=%d&includeShipmentItems=true", id), nil).json(t)
	returns := 0
	for _, sh := range list["shipments"].([]any) {
		if sh.(map[string]any)["isReturnLabel"] == true {
			returns++
		}
	}
	if returns != 1 {
		t.Errorf("return labels listed = %d", returns)
	}
	tag, _ := s.TagID(TagReturnReceived)
	if l := api(t, s, "GET", fmt.Sprintf("/orders/listbytag?orderStatus=shipped&tagId=%d", tag), nil).json(t); l["total"] != 1.0 {
		t.Errorf("listbytag Return Received = %v", l["total"])
	}
	// Only one unit is left to return.
	if _, err := s.ReceiveReturn(id, []ShipItem{{LineItemKey: "l1", Quantity: 2}}); err == nil {
		t.Error("returned more units than shipped")
	}
	// Deliveries are FIFO: a later outbound label is the second payload only
	// if the return label sent none.
	next := idOf(createOrder(t, s, orderJSON("k2", "N2")), "orderId")
	if _, err := s.Ship(next, ShipRequest{}); err != nil {
		t.Fatal(err)
	}
	dels, err := s.WaitDeliveries(waitCtx(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	second := fetch(t, s, dels[1].ResourceURL)["shipments"].([]any)[0].(map[string]any)
	if second["orderId"] != float64(next) || second["isReturnLabel"] != false {
		t.Errorf("second SHIP_NOTIFY lists %v, want the next outbound label", second)
	}
}

func TestCreateLabelForOrder(t *testing.T) {
	s := newTestServer(t, Options{})
	id := idOf(createOrder(t, s, orderJSON("k", "N")), "orderId")
	body := map[string]any{"orderId": id, "carrierCode": "fedex", "serviceCode": "fedex_ground", "packageCode": "package", "testLabel": true}
	r := mustStatus(t, api(t, s, "POST", "/orders/createlabelfororder", body), 200).json(t)
	if r["labelData"] == nil || len(s.Shipments()) != 0 {
		t.Errorf("test label = %v, %d shipments", r, len(s.Shipments()))
	}
	body["testLabel"] = false
	r = mustStatus(t, api(t, s, "POST", "/orders/createlabelfororder", body), 200).json(t)
	for _, f := range []string{"shipmentId", "shipmentCost", "insuranceCost", "trackingNumber", "labelData", "formData"} {
		if _, ok := r[f]; !ok {
			t.Errorf("field %s missing: %v", f, r)
		}
	}
	if o, _ := s.Order(id); o.OrderStatus != StatusShipped {
		t.Errorf("status = %s", o.OrderStatus)
	}
	cancelled := orderJSON("kc", "C")
	cancelled["orderStatus"] = "cancelled"
	body["orderId"] = idOf(createOrder(t, s, cancelled), "orderId")
	e := mustStatus(t, api(t, s, "POST", "/orders/createlabelfororder", body), 500).json(t)
	if e["ExceptionMessage"] == nil || e["Message"] != "An error has occurred." {
		t.Errorf("500 body = %v", e)
	}
}

func TestShipmentListFilters(t *testing.T) {
	s := newTestServer(t, Options{})
	a := idOf(createOrder(t, s, orderJSON("ka", "BC-1")), "orderId")
	b := idOf(createOrder(t, s, orderJSON("kb", "BC-2")), "orderId")
	sa, _ := s.Ship(a, ShipRequest{CarrierCode: "fedex"})
	s.Clock().Advance(48 * 3600e9)
	if _, err := s.Ship(b, ShipRequest{}); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]float64{
		"":                                     2,
		"carrierCode=fedex":                    1,
		"trackingNumber=" + sa.TrackingNumber:  1,
		"orderNumber=BC-2":                     1,
		"shipDateStart=2024-06-06":             1,
		"createDateEnd=2024-06-05%2023:59:59":  1,
		"recipientName=jane":                   2,
		"recipientCountryCode=CA":              0,
		"storeId=30551":                        2,
		"sortBy=ShipDate&sortDir=DESC&page=1":  2,
		"pageSize=1&page=2":                    2,
		"batchId=" + url.QueryEscape("999999"): 0,
	} {
		r := mustStatus(t, api(t, s, "GET", "/shipments?"+q, nil), 200).json(t)
		if r["total"] != want {
			t.Errorf("/shipments?%s total = %v, want %v", q, r["total"], want)
		}
	}
	r := api(t, s, "GET", "/shipments?sortBy=ShipDate&sortDir=DESC", nil).json(t)
	if r["shipments"].([]any)[0].(map[string]any)["orderId"] != float64(b) {
		t.Error("DESC by ship date did not list the later label first")
	}
	mustStatus(t, api(t, s, "GET", "/shipments?sortBy=Nope", nil), 400)
}
