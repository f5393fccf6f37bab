package bigcommercetest

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// verifyStandardWebhook checks a delivery the way a Standard Webhooks
// receiver does, written independently of the fake's signer.
func verifyStandardWebhook(secret string, h http.Header, body []byte, now time.Time) error {
	id, ts, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return fmt.Errorf("missing signature headers")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return err
	}
	if d := now.Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return fmt.Errorf("stale timestamp")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%s.%s.%s", id, ts, body)
	want := mac.Sum(nil)
	for _, sig := range strings.Fields(sigs) {
		v, b64, ok := strings.Cut(sig, ",")
		if !ok || v != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return fmt.Errorf("no valid signature")
}

func TestWebhookPayloadsAndSignature(t *testing.T) {
	s := newTestServer(t, Options{StoreHash: "k7x2qa9d1m", StoreID: "1001234567", ClientSecret: "s3cret", SignWebhooks: true})
	rc := newReceiver(t)
	subscribe(t, s, rc, "store/order/*", map[string]string{"X-Integration-Secret": "abc"})
	subscribe(t, s, rc, "store/shipment/*", nil)

	id, lines := createOrder(t, s)
	created := waitScope(t, s, "store/order/created", 1)[0]
	var pl map[string]any
	if err := json.Unmarshal(created.Body, &pl); err != nil {
		t.Fatal(err)
	}
	checkShape(t, "payload", pl, map[string]string{"scope": "string", "store_id": "string", "data": "object", "hash": "string", "created_at": "int", "producer": "string"})
	if pl["store_id"] != "1001234567" || pl["producer"] != "stores/k7x2qa9d1m" {
		t.Errorf("payload ids %v %v", pl["store_id"], pl["producer"])
	}
	data := pl["data"].(map[string]any)
	if data["type"] != "order" || data["id"].(float64) != float64(id) {
		t.Errorf("data %v", data)
	}
	raw, _ := json.Marshal(data)
	sum := sha1.Sum(raw)
	if pl["hash"] != hex.EncodeToString(sum[:]) {
		t.Errorf("hash %v is not SHA-1 of data %s", pl["hash"], raw)
	}
	if created.Header.Get("X-Integration-Secret") != "abc" || created.Header.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", created.Header)
	}
	if err := verifyStandardWebhook("s3cret", created.Header, created.Body, time.Now()); err != nil {
		t.Errorf("signature: %v", err)
	}
	if err := verifyStandardWebhook("wrong", created.Header, created.Body, time.Now()); err == nil {
		t.Error("signature verified with the wrong secret")
	}

	// statusUpdated carries the transition.
	wantStatus(t, call(t, s, "PUT", fmt.Sprintf("/v2/orders/%d", id), map[string]any{"status_id": 9}), http.StatusOK)
	su := waitScope(t, s, "store/order/statusUpdated", 1)[0]
	var supl struct {
		Data struct {
			Type   string `json:"type"`
			ID     int    `json:"id"`
			Status struct {
				Previous int `json:"previous_status_id"`
				New      int `json:"new_status_id"`
			} `json:"status"`
		} `json:"data"`
	}
	if err := json.Unmarshal(su.Body, &supl); err != nil {
		t.Fatal(err)
	}
	if supl.Data.ID != id || supl.Data.Status.Previous != 11 || supl.Data.Status.New != 9 {
		t.Errorf("statusUpdated %+v", supl.Data)
	}

	// A shipment: store/shipment/created with camelCase orderId, and the order moves to Shipped.
	addr := s.ShippingAddresses(id)[0].ID
	items := []map[string]any{}
	for _, l := range lines {
		items = append(items, map[string]any{"order_product_id": l.ID, "quantity": l.Quantity})
	}
	wantStatus(t, call(t, s, "POST", fmt.Sprintf("/v2/orders/%d/shipments", id), map[string]any{"order_address_id": addr, "items": items}), http.StatusCreated)
	sh := waitScope(t, s, "store/shipment/created", 1)[0]
	var shpl struct {
		Data map[string]any `json:"data"`
	}
	_ = json.Unmarshal(sh.Body, &shpl)
	if shpl.Data["type"] != "shipment" || shpl.Data["orderId"].(float64) != float64(id) {
		t.Errorf("shipment data %v", shpl.Data)
	}
	if _, snake := shpl.Data["order_id"]; snake {
		t.Error("shipment payload has order_id")
	}
	for _, d := range waitScope(t, s, "store/order/statusUpdated", 2) {
		_ = json.Unmarshal(d.Body, &supl)
		if supl.Data.Status.Previous == 9 && supl.Data.Status.New != StatusShipped {
			t.Errorf("after shipping: %+v", supl.Data.Status)
		}
	}
	// Metafield and refund payloads.
	subscribe(t, s, rc, "store/order/metafield/created", nil)
	wantStatus(t, call(t, s, "POST", fmt.Sprintf("/v3/orders/%d/metafields", id), map[string]any{"permission_set": "read", "namespace": "tote", "key": "k", "value": "v"}), http.StatusOK)
	mf := waitScope(t, s, "store/order/metafield/created", 1)[0]
	if !strings.Contains(string(mf.Body), fmt.Sprintf(`"resource_id":"%d"`, id)) {
		t.Errorf("metafield payload %s", mf.Body)
	}
	wantStatus(t, call(t, s, "POST", fmt.Sprintf("/v3/orders/%d/payment_actions/refunds", id), map[string]any{
		"items":    []map[string]any{{"item_type": "PRODUCT", "item_id": lines[1].ID, "quantity": 1}},
		"payments": []map[string]any{{"provider_id": "custom", "amount": lines[1].PriceIncTax.InexactFloat64(), "offline": true}}}), http.StatusCreated)
	rf := waitScope(t, s, "store/order/refund/created", 1)[0]
	if !strings.Contains(string(rf.Body), `"refund":{"refund_id":`) {
		t.Errorf("refund payload %s", rf.Body)
	}
}

func TestWebhookRetriesThenDeactivates(t *testing.T) {
	s := newTestServer(t, Options{WebhookTimeFactor: 1e-7})
	rc := newReceiver(t, http.StatusInternalServerError)
	hid := subscribe(t, s, rc, "store/order/created", nil)
	createOrder(t, s)

	ds, err := s.WaitDeliveries(waitCtx(t), 12) // the first try and 11 retries
	if err != nil {
		t.Fatal(err)
	}
	hash := ""
	for i, d := range ds {
		if d.Attempt != i || d.OK() || d.HookID != hid {
			t.Errorf("attempt %d: %+v", i, d)
		}
		if hash == "" {
			hash = d.Payload.Hash
		}
		if d.Payload.Hash != hash || d.MessageID != ds[0].MessageID || string(d.Body) != string(ds[0].Body) {
			t.Errorf("redelivery %d changed the payload", i)
		}
	}
	if !ds[11].Final {
		t.Error("last attempt not final")
	}
	h, _ := s.Hook(hid)
	if h.IsActive {
		t.Error("hook still active after the last retry failed")
	}
	// A deactivated hook gets nothing; reactivating it resumes deliveries.
	createOrder(t, s)
	wantStatus(t, call(t, s, "PUT", fmt.Sprintf("/v3/hooks/%d", hid), map[string]any{"is_active": true}), http.StatusOK)
	rc.mu.Lock()
	rc.statuses = []int{http.StatusOK}
	rc.mu.Unlock()
	createOrder(t, s)
	ds, err = s.WaitDeliveries(waitCtx(t), 13)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 13 || !ds[12].OK() {
		t.Errorf("after reactivation: %d deliveries, last %+v", len(ds), ds[len(ds)-1])
	}
}

func TestWebhookRecoversOnRetry(t *testing.T) {
	s := newTestServer(t, Options{})
	rc := newReceiver(t, http.StatusServiceUnavailable, http.StatusOK)
	hid := subscribe(t, s, rc, "store/order/created", nil)
	createOrder(t, s)
	ds, err := s.WaitDeliveries(waitCtx(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	if ds[0].OK() || !ds[1].OK() || ds[1].Attempt != 1 || ds[0].Payload.Hash != ds[1].Payload.Hash {
		t.Errorf("deliveries %+v", ds)
	}
	if h, _ := s.Hook(hid); !h.IsActive {
		t.Error("hook deactivated after a recovered delivery")
	}
}

func TestWebhookTimeoutIsAFailure(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	slow := newReceiver(t)
	slow.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	})
	s := newTestServer(t, Options{WebhookTimeout: 50 * time.Millisecond, WebhookRetrySchedule: []time.Duration{time.Hour}, WebhookTimeFactor: 1})
	subscribe(t, s, slow, "store/order/created", nil)
	createOrder(t, s)
	ds, err := s.WaitDeliveries(waitCtx(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	if ds[0].OK() || ds[0].Err == "" {
		t.Errorf("timeout delivery %+v", ds[0])
	}
}

func TestWebhookFaults(t *testing.T) {
	s := newTestServer(t, Options{})
	rc := newReceiver(t)
	subscribe(t, s, rc, "store/order/created", nil)

	s.SetFaults(Faults{DuplicateWebhookRate: 1})
	createOrder(t, s)
	ds, err := s.WaitDeliveries(waitCtx(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	if ds[0].MessageID != ds[1].MessageID || ds[0].Payload.Hash != ds[1].Payload.Hash || (ds[0].Duplicate == ds[1].Duplicate) {
		t.Errorf("duplicate deliveries differ: %+v / %+v", ds[0], ds[1])
	}

	s.SetFaults(Faults{DropWebhookRate: 1})
	createOrder(t, s)
	ds, err = s.WaitDeliveries(waitCtx(t), 3)
	if err != nil {
		t.Fatal(err)
	}
	if !ds[2].Dropped {
		t.Errorf("third delivery not dropped: %+v", ds[2])
	}
	rc.mu.Lock()
	got := len(rc.bodies)
	rc.mu.Unlock()
	if got != 2 {
		t.Errorf("receiver got %d requests, want 2", got)
	}
}

func TestWebhookWildcardAndUnsignedByDefault(t *testing.T) {
	s := newTestServer(t, Options{})
	rc := newReceiver(t)
	subscribe(t, s, rc, "store/sku/*", nil)
	v := s.Products()[0].Variants[0]
	wantStatus(t, call(t, s, "PUT", "/v3/inventory/adjustments/absolute", map[string]any{"items": []map[string]any{{"location_id": 1, "variant_id": v.ID, "quantity": 9}}}), http.StatusOK)
	d := waitScope(t, s, "store/sku/inventory/updated", 1)[0]
	if d.Header.Get("webhook-signature") != "" {
		t.Error("signature sent without SignWebhooks")
	}
	if !strings.Contains(string(d.Body), `"method":"absolute"`) || !strings.Contains(string(d.Body), fmt.Sprintf(`"variant_id":%d`, v.ID)) {
		t.Errorf("sku inventory payload %s", d.Body)
	}
	if scopeMatches("store/sku/*", "store/skux/created") || !scopeMatches("store/order/*", "store/order/refund/created") {
		t.Error("scope matching")
	}
}
