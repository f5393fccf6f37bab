package bigcommerce

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/bigcommerce/bigcommercetest"
	"github.com/zclconf/go-cty/cty"
)

// subscribe points a hook for scope at a receiver that answers 200.
func (e *env) subscribe(scope string) {
	e.t.Helper()
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	e.t.Cleanup(sink.Close)
	e.write("ensure_hook", map[string]cty.Value{"scope": cty.StringVal(scope), "destination": cty.StringVal(sink.URL)})
}

// deliveries waits for n deliveries and returns those of scope.
func (e *env) deliveries(n int, scope string) []bigcommercetest.Delivery {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	all, err := e.fake.WaitDeliveries(ctx, n)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []bigcommercetest.Delivery
	for _, d := range all {
		if d.Scope == scope && !d.Duplicate {
			out = append(out, d)
		}
	}
	return out
}

func request(d bigcommercetest.Delivery, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/hooks/orders/changed", bytes.NewReader(body))
	for k, v := range d.Header {
		r.Header[k] = v
	}
	return r
}

func (e *env) receive(scopes []string, r *http.Request, body []byte) ([]connectors.Event, error) {
	return e.conn.Receive(context.Background(), webhookKind, scopesVal(scopes...), r, body)
}

func wantRejected(t *testing.T, err error, status int, reason string) {
	t.Helper()
	var re *connectors.RequestError
	if !errors.As(err, &re) || re.Status != status || !strings.Contains(re.Reason, reason) {
		t.Fatalf("err = %v, want %d with %q", err, status, reason)
	}
}

func TestWebhookAcceptsSignedDeliveriesAsIDs(t *testing.T) {
	e := newEnv(t, envConfig{fake: bigcommercetest.Options{SignWebhooks: true}, extra: map[string]cty.Value{"client_secret": cty.StringVal("sandbox-secret")}})
	e.subscribe("store/order/*")
	o := e.placeOrder()
	if err := e.fake.SetOrderStatus(o.ID, 9); err != nil {
		t.Fatal(err)
	}
	// created, then statusUpdated and updated.
	d := e.deliveries(3, "store/order/created")[0]
	evs, err := e.receive([]string{"store/order/*"}, request(d, d.Body), d.Body)
	if err != nil || len(evs) != 1 {
		t.Fatalf("events %v err %v", evs, err)
	}
	ev := evs[0]
	if err := checkEvent(ev.Data); err != nil {
		t.Fatal(err)
	}
	if got := ev.Data.GetAttr("order_ids"); got.LengthInt() != 1 || num64(got.Index(cty.NumberIntVal(0))) != int64(o.ID) {
		t.Fatalf("order_ids = %#v", got)
	}
	if !strings.HasPrefix(ev.Key, d.Payload.Hash) || ev.Data.GetAttr("scope").AsString() != "store/order/created" {
		t.Errorf("key %q data %#v", ev.Key, ev.Data)
	}
	// A redelivery is the same event.
	again, err := e.receive([]string{"store/order/*"}, request(d, d.Body), d.Body)
	if err != nil || again[0].Key != ev.Key {
		t.Fatalf("redelivery key %v err %v, want %q", again, err, ev.Key)
	}

	s := e.deliveries(3, "store/order/statusUpdated")[0]
	evs, err = e.receive([]string{"store/order/statusUpdated"}, request(s, s.Body), s.Body)
	if err != nil || len(evs) != 1 {
		t.Fatalf("events %v err %v", evs, err)
	}
	if prev, next := evs[0].Data.GetAttr("previous_status_id"), evs[0].Data.GetAttr("new_status_id"); num64(prev) != 11 || num64(next) != 9 {
		t.Errorf("status %#v -> %#v, want 11 -> 9", prev, next)
	}
	if evs[0].Key == ev.Key {
		t.Error("two events share a key")
	}
	// A scope the trigger does not list is accepted and dropped.
	if evs, err := e.receive([]string{"store/product/*"}, request(d, d.Body), d.Body); err != nil || len(evs) != 0 {
		t.Fatalf("unlisted scope: events %v err %v", evs, err)
	}
}

func checkEvent(v cty.Value) error {
	_, err := convertTo(v, eventType)
	return err
}

func TestWebhookShipmentDeliveryNamesOrderAndShipment(t *testing.T) {
	e := newEnv(t, envConfig{fake: bigcommercetest.Options{SignWebhooks: true}, extra: map[string]cty.Value{"client_secret": cty.StringVal("sandbox-secret")}})
	e.subscribe("store/shipment/created")
	o := e.placeOrder()
	line := e.fake.OrderProducts(o.ID)[0]
	_, out := e.write("create_shipment", map[string]cty.Value{"order_id": cty.NumberIntVal(int64(o.ID)),
		"tracking_number": cty.StringVal("T9"), "items": shipItems(line.ID, 2)})
	d := e.deliveries(1, "store/shipment/created")[0]
	evs, err := e.receive([]string{"store/shipment/created"}, request(d, d.Body), d.Body)
	if err != nil || len(evs) != 1 {
		t.Fatalf("events %v err %v", evs, err)
	}
	data := evs[0].Data
	if num64(data.GetAttr("order_ids").Index(cty.NumberIntVal(0))) != int64(o.ID) ||
		num64(data.GetAttr("shipment_ids").Index(cty.NumberIntVal(0))) != num64(out.GetAttr("id")) {
		t.Fatalf("event = %#v", data)
	}
}

func TestWebhookRejectsForgedStaleAndForeignDeliveries(t *testing.T) {
	e := newEnv(t, envConfig{fake: bigcommercetest.Options{SignWebhooks: true}, extra: map[string]cty.Value{"client_secret": cty.StringVal("sandbox-secret")}})
	e.subscribe("store/order/created")
	e.placeOrder()
	d := e.deliveries(1, "store/order/created")[0]
	scopes := []string{"store/order/created"}

	forged := bytes.Replace(d.Body, []byte(`"id":`), []byte(`"id":1`), 1)
	_, err := e.receive(scopes, request(d, forged), forged)
	wantRejected(t, err, http.StatusUnauthorized, "signature does not match")

	// A bad signature is refused even with the right hook token.
	if d.Header.Get(tokenHeader) == "" {
		t.Fatalf("the delivery lacks %s: %v", tokenHeader, d.Header)
	}
	badSig := request(d, d.Body)
	badSig.Header.Set("webhook-signature", "v1,"+bigcommercetest.Sign("not-the-secret", d.Header.Get("webhook-id"), d.Header.Get("webhook-timestamp"), d.Body))
	_, err = e.receive(scopes, badSig, d.Body)
	wantRejected(t, err, http.StatusUnauthorized, "signature does not match")

	unsigned := request(d, d.Body)
	unsigned.Header.Del("webhook-signature")
	unsigned.Header.Del(tokenHeader)
	_, err = e.receive(scopes, unsigned, d.Body)
	wantRejected(t, err, http.StatusUnauthorized, "unsigned delivery without the "+tokenHeader)

	noID := request(d, d.Body)
	noID.Header.Del("webhook-id")
	_, err = e.receive(scopes, noID, d.Body)
	wantRejected(t, err, http.StatusUnauthorized, "without webhook-id or webhook-timestamp")

	// A signed body that is not a payload.
	id, ts := d.Header.Get("webhook-id"), d.Header.Get("webhook-timestamp")
	junk := []byte(`{"scope":`)
	r := request(d, junk)
	r.Header.Set("webhook-signature", "v1,"+bigcommercetest.Sign("sandbox-secret", id, ts, junk))
	_, err = e.receive(scopes, r, junk)
	wantRejected(t, err, http.StatusBadRequest, "not a BigCommerce webhook payload")

	// Another store of the same app signs with the same secret.
	other := newEnv(t, envConfig{fake: bigcommercetest.Options{StoreHash: "otherstore", SignWebhooks: true}})
	other.subscribe("store/order/created")
	other.placeOrder()
	od := other.deliveries(1, "store/order/created")[0]
	_, err = e.receive(scopes, request(od, od.Body), od.Body)
	wantRejected(t, err, http.StatusUnauthorized, `"stores/otherstore"`)

	// Ten minutes later the same delivery is stale.
	e.fake.Clock().Advance(10 * time.Minute)
	_, err = e.receive(scopes, request(d, d.Body), d.Body)
	wantRejected(t, err, http.StatusUnauthorized, "outside the 5-minute window")
}

// BigCommerce may not sign deliveries (the fake's default): an unsigned
// delivery is accepted only with the token tote gave the hook, which a
// restarted connection derives again and another scope or key does not share.
func TestWebhookUnsignedDeliveriesNeedTheHookToken(t *testing.T) {
	secrets := map[string]cty.Value{"client_secret": cty.StringVal("sandbox-secret")}
	e := newEnv(t, envConfig{extra: secrets})
	e.subscribe("store/order/created")
	e.placeOrder()
	d := e.deliveries(1, "store/order/created")[0]
	scopes := []string{"store/order/created"}
	token := d.Header.Get(tokenHeader)
	if token == "" || d.Header.Get("webhook-signature") != "" {
		t.Fatalf("want an unsigned delivery with %s: %v", tokenHeader, d.Header)
	}
	for _, secret := range []string{"sandbox-secret", e.fake.Options().AccessToken} {
		if strings.Contains(token, secret) {
			t.Fatal("the hook token contains a connection secret")
		}
	}
	if evs, err := e.receive(scopes, request(d, d.Body), d.Body); err != nil || len(evs) != 1 {
		t.Fatalf("events %v err %v", evs, err)
	}

	// After a restart the same token is accepted: it is derived, not stored.
	values := map[string]cty.Value{"store_hash": cty.StringVal(e.fake.Options().StoreHash),
		"access_token": cty.StringVal(e.fake.Options().AccessToken), "api_url": cty.StringVal(e.url), "client_secret": secrets["client_secret"]}
	restarted, err := open(configVal(values), defaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer restarted.Close()
	if evs, err := restarted.Receive(context.Background(), webhookKind, scopesVal(scopes...), request(d, d.Body), d.Body); err != nil || len(evs) != 1 {
		t.Fatalf("after a restart: events %v err %v", evs, err)
	}

	none := request(d, d.Body)
	none.Header.Del(tokenHeader)
	_, err = e.receive(scopes, none, d.Body)
	wantRejected(t, err, http.StatusUnauthorized, "unsigned delivery without the "+tokenHeader)

	wrong := request(d, d.Body)
	wrong.Header.Set(tokenHeader, "guess")
	_, err = e.receive(scopes, wrong, d.Body)
	wantRejected(t, err, http.StatusUnauthorized, "wrong "+tokenHeader)

	// One scope's token does not admit another scope's payload.
	other := bytes.Replace(d.Body, []byte(`"store/order/created"`), []byte(`"store/order/updated"`), 1)
	_, err = e.receive([]string{"store/order/*"}, request(d, other), other)
	wantRejected(t, err, http.StatusUnauthorized, "wrong "+tokenHeader+" header for store/order/updated")

	// A connection with another key (webhook_header_secret) refuses it.
	rotated := newEnv(t, envConfig{extra: map[string]cty.Value{"client_secret": cty.StringVal("sandbox-secret"),
		"webhook_header_secret": cty.StringVal("rotated")}})
	_, err = rotated.receive(scopes, request(d, d.Body), d.Body)
	wantRejected(t, err, http.StatusUnauthorized, "wrong "+tokenHeader)
}

// Signed deliveries from a hook tote did not register (no token header) are
// accepted on their signature alone.
func TestWebhookSignedDeliveryWithoutToken(t *testing.T) {
	e := newEnv(t, envConfig{fake: bigcommercetest.Options{SignWebhooks: true}, extra: map[string]cty.Value{"client_secret": cty.StringVal("sandbox-secret")}})
	e.subscribe("store/order/created")
	e.placeOrder()
	d := e.deliveries(1, "store/order/created")[0]
	r := request(d, d.Body)
	r.Header.Del(tokenHeader)
	if evs, err := e.receive([]string{"store/order/created"}, r, d.Body); err != nil || len(evs) != 1 {
		t.Fatalf("events %v err %v", evs, err)
	}
}

func TestNormalisePayloadShapes(t *testing.T) {
	for _, tc := range []struct {
		scope, data            string
		orders, products, vars int64
	}{
		{"store/order/metafield/created", `{"metafield_id":14,"resource_id":"270"}`, 270, 0, 0},
		{"store/order/transaction/created", `{"type":"transaction","order_id":"250","transaction_id":"x"}`, 250, 0, 0},
		{"store/order/refund/created", `{"type":"order","id":7,"refund":{"refund_id":3}}`, 7, 0, 0},
		{"store/product/updated", `{"type":"product","id":88}`, 0, 88, 0},
		{"store/product/inventory/updated", `{"type":"product","id":167,"inventory":{"product_id":167,"method":"absolute","value":3}}`, 0, 167, 0},
		{"store/sku/updated", `{"type":"sku","id":301,"sku":{"product_id":88,"variant_id":412}}`, 0, 88, 412},
		{"store/sku/inventory/order/updated", `{"type":"sku","id":301,"inventory":{"product_id":88,"method":"relative","variant_id":412,"value":-1}}`, 0, 88, 412},
		{"store/channel/1/order/created", `{"order_id":127}`, 127, 0, 0},
		{"store/channel/1/inventory/product/stock_changed", `{"variant_id":127,"product_id":113,"location_id":2}`, 0, 113, 127},
	} {
		ids, err := normalise(tc.scope, []byte(tc.data))
		first := func(xs []int64) int64 {
			if len(xs) == 0 {
				return 0
			}
			return xs[0]
		}
		if err != nil || first(ids.orders) != tc.orders || first(ids.products) != tc.products || first(ids.variants) != tc.vars {
			t.Errorf("%s %s: %+v %v", tc.scope, tc.data, ids, err)
		}
	}
	if scopeMatches("store/order/*", "store/product/created") || !scopeMatches("store/order/*", "store/order/refund/created") {
		t.Error("scopeMatches is wrong")
	}
}
