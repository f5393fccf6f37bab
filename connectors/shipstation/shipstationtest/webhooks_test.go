package shipstationtest

import (
	"fmt"
	"strings"
	"testing"
)

func TestWebhookSubscriptions(t *testing.T) {
	s := newTestServer(t, Options{})
	r := mustStatus(t, api(t, s, "POST", "/webhooks/subscribe", map[string]any{
		"target_url": "https://hooks.example.com/ss?token=abc", "event": "SHIP_NOTIFY",
		"store_id": 30551, "friendly_name": "tote ship notify"}), 200).json(t)
	id, ok := r["id"].(float64)
	if !ok || len(r) != 1 {
		t.Fatalf("subscribe = %v, want {\"id\": n}", r)
	}
	l := mustStatus(t, api(t, s, "GET", "/webhooks", nil), 200).json(t)
	hooks := l["webhooks"].([]any)
	if len(hooks) != 1 {
		t.Fatalf("webhooks = %v", l)
	}
	h := hooks[0].(map[string]any)
	want := map[string]any{"WebHookID": id, "HookType": "SHIP_NOTIFY", "Url": "https://hooks.example.com/ss?token=abc",
		"Name": "tote ship notify", "StoreID": 30551.0, "Active": true, "MessageFormat": "Json", "IsLabelAPIHook": false}
	for k, v := range want {
		if h[k] != v {
			t.Errorf("%s = %#v, want %#v", k, h[k], v)
		}
	}
	for _, k := range []string{"SellerID", "BulkCopyBatchID", "BulkCopyRecordID", "WebhookLogs", "Seller", "Store"} {
		if _, ok := h[k]; !ok {
			t.Errorf("field %s missing", k)
		}
	}
	mustStatus(t, api(t, s, "POST", "/webhooks/subscribe", map[string]any{"target_url": "https://x.example.com", "event": "ORDER_UPDATED"}), 400)
	mustStatus(t, api(t, s, "POST", "/webhooks/subscribe", map[string]any{"target_url": "not a url", "event": "SHIP_NOTIFY"}), 400)
	d := mustStatus(t, api(t, s, "DELETE", fmt.Sprintf("/webhooks/%d", int64(id)), nil), 200)
	if len(d.body) != 0 {
		t.Errorf("delete body = %q, want empty", d.body)
	}
	if l := api(t, s, "GET", "/webhooks", nil).json(t); len(l["webhooks"].([]any)) != 0 {
		t.Error("webhook still listed after delete")
	}
	mustStatus(t, api(t, s, "DELETE", fmt.Sprintf("/webhooks/%d", int64(id)), nil), 404)
}

func TestOrderNotifyBatch(t *testing.T) {
	s := newTestServer(t, Options{})
	rc := newReceiver(t)
	if _, err := s.Subscribe(rc.URL, EventOrderNotify, nil, "orders"); err != nil {
		t.Fatal(err)
	}
	other := int64(30552)
	if _, err := s.Subscribe(rc.URL, EventOrderNotify, &other, "wholesale only"); err != nil {
		t.Fatal(err)
	}
	unpaid := orderJSON("k3", "N3")
	unpaid["orderStatus"] = "awaiting_payment"
	mustStatus(t, api(t, s, "POST", "/orders/createorders", []any{orderJSON("k1", "N1"), orderJSON("k2", "N2"), unpaid}), 200)

	// An awaiting_payment order moving to awaiting_shipment notifies too.
	unpaid["orderStatus"] = "awaiting_shipment"
	createOrder(t, s, unpaid)

	dels, err := s.WaitDeliveries(waitCtx(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(dels) != 2 {
		t.Fatalf("deliveries = %d, want 2 (the wholesale-only hook sees nothing)", len(dels))
	}
	if !strings.Contains(dels[0].ResourceURL, "/orders?importBatch=") || string(dels[0].Body) == "" {
		t.Errorf("ORDER_NOTIFY = %+v", dels[0])
	}
	batch := fetch(t, s, dels[0].ResourceURL)
	if batch["total"] != 2.0 {
		t.Errorf("import batch lists %v orders, want the 2 paid ones", batch["total"])
	}
	if got := fetch(t, s, dels[1].ResourceURL)["orders"].([]any)[0].(map[string]any)["orderKey"]; got != "k3" {
		t.Errorf("second batch = %v", got)
	}
	for _, b := range rc.received() {
		if b["resource_type"] != "ORDER_NOTIFY" {
			t.Errorf("payload = %v", b)
		}
	}
}

func TestResourceBaseURL(t *testing.T) {
	s := newTestServer(t, Options{ResourceBaseURL: "https://ssapi6.shipstation.com/"})
	rc := newReceiver(t)
	if _, err := s.Subscribe(rc.URL, EventShipNotify, nil, ""); err != nil {
		t.Fatal(err)
	}
	id := idOf(createOrder(t, s, orderJSON("k", "N")), "orderId")
	if _, err := s.Ship(id, ShipRequest{}); err != nil {
		t.Fatal(err)
	}
	dels, err := s.WaitDeliveries(waitCtx(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(dels[0].ResourceURL, "https://ssapi6.shipstation.com/shipments?batchId=") {
		t.Errorf("resource_url = %s", dels[0].ResourceURL)
	}
}
