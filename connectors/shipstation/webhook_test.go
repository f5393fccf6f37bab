package shipstation

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/shipstation/shipstationtest"
	"github.com/zclconf/go-cty/cty"
)

const hookURL = "http://127.0.0.1:1/hooks/tracking/ship"

func shipArgs(t *testing.T) cty.Value {
	return triggerArgs(t, "shipstation_webhook", map[string]cty.Value{"events": cty.TupleVal([]cty.Value{cty.StringVal("SHIP_NOTIFY")})})
}

func TestSubscriptions(t *testing.T) {
	e := newEnv(t, envOpts{})
	ctx := context.Background()
	stale, _ := e.fake.Subscribe("http://127.0.0.1:1/hooks/old/gone?token=x", "ORDER_NOTIFY", nil, "old")
	other, _ := e.fake.Subscribe("https://elsewhere.example/hook", "SHIP_NOTIFY", nil, "someone else's")
	want := []connectors.Subscription{{Trigger: "shipstation_webhook", Args: shipArgs(t), URL: hookURL}}
	plan, err := e.conn.PlanSubscriptions(ctx, want, "http://127.0.0.1:1/hooks/")
	if err != nil {
		t.Fatal(err)
	}
	if len(plan) != 2 || plan[0].Op != connectors.OpCreate || plan[0].Topic != "SHIP_NOTIFY" || plan[0].URL != hookURL ||
		plan[1].Op != connectors.OpDelete || plan[1].ID != itoa(stale) {
		t.Fatalf("plan = %+v", plan)
	}
	for _, ch := range plan {
		if strings.Contains(ch.URL, "s3cret") {
			t.Error("a plan shows the token")
		}
		if err := e.conn.ApplySubscription(ctx, ch); err != nil {
			t.Fatal(err)
		}
	}
	hooks := e.fake.Webhooks()
	if len(hooks) != 2 || hooks[0].WebHookID != other || hooks[1].URL != hookURL+"?token=s3cret-token" {
		t.Fatalf("webhooks = %+v", hooks)
	}
	plan, err = e.conn.PlanSubscriptions(ctx, want, "http://127.0.0.1:1/hooks/")
	if err != nil || len(plan) != 1 || plan[0].Op != connectors.OpNoop {
		t.Fatalf("second plan = %+v, %v", plan, err)
	}
	noToken := newEnv(t, envOpts{noToken: true})
	if _, err := noToken.conn.PlanSubscriptions(ctx, want, ""); !connectors.IsPermanent(err) {
		t.Errorf("no token: %v", err)
	}
}

func TestWebhookDelivery(t *testing.T) {
	e := newEnv(t, envOpts{})
	ctx := context.Background()
	_, out := e.upsert("bc:s:7", "BC-7", nil)
	id, _ := out.GetAttr("id").AsBigFloat().Int64()
	if _, err := e.fake.Subscribe(hookURL+"?token=s3cret-token", "SHIP_NOTIFY", nil, "t"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.fake.Ship(id, shipstationtest.ShipRequest{}); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ds, err := e.fake.WaitDeliveries(wctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	d := ds[0]
	// ShipStation's API is failing: the delivery is still accepted, as
	// ShipStation would not deliver it again, and its records are fetched
	// when the run starts.
	e.fake.SetFaults(shipstationtest.Faults{ErrorRate: 1})
	calls := e.fake.Stats().V1Calls
	evs, err := e.conn.Receive(ctx, "shipstation_webhook", shipArgs(t), httpReq(t, d.TargetURL, nil), d.Body)
	if err != nil || len(evs) != 1 {
		t.Fatalf("events %v, %v", evs, err)
	}
	if n := e.fake.Stats().V1Calls - calls; n != 0 {
		t.Errorf("Receive made %d API calls, want none", n)
	}
	if evs[0].Data.GetAttr("shipments").LengthInt() != 0 || evs[0].Data.GetAttr("resource_url").AsString() != d.ResourceURL {
		t.Errorf("received event = %#v", evs[0].Data)
	}
	if _, err := e.conn.ResolveEvent(ctx, "shipstation_webhook", shipArgs(t), evs[0].Data); err == nil || connectors.IsPermanent(err) {
		t.Fatalf("resolving while ShipStation fails: %v, want a retryable error", err)
	}
	e.fake.SetFaults(shipstationtest.Faults{})
	ev, err := e.conn.ResolveEvent(ctx, "shipstation_webhook", shipArgs(t), evs[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	// An event that already carries its records is not fetched again.
	calls = e.fake.Stats().V1Calls
	if again, err := e.conn.ResolveEvent(ctx, "shipstation_webhook", shipArgs(t), ev); err != nil || !again.RawEquals(ev) || e.fake.Stats().V1Calls != calls {
		t.Errorf("resolving a resolved event: %v, %d calls", err, e.fake.Stats().V1Calls-calls)
	}
	sh := ev.GetAttr("shipments").Index(cty.NumberIntVal(0))
	if sh.GetAttr("orderKey").AsString() != "bc:s:7" || sh.GetAttr("shipmentItems").LengthInt() != 1 {
		t.Errorf("shipment = %#v", sh)
	}
	if !ev.GetAttr("order_ids").Equals(cty.ListVal([]cty.Value{cty.NumberIntVal(id)})).True() {
		t.Errorf("order_ids = %#v", ev.GetAttr("order_ids"))
	}
	// A duplicate delivery has the same key, so the inbox keeps one.
	again, err := e.conn.Receive(ctx, "shipstation_webhook", shipArgs(t), httpReq(t, d.TargetURL, nil), d.Body)
	if err != nil || again[0].Key != evs[0].Key {
		t.Errorf("duplicate: %v, %v", again, err)
	}
	// The token may come in a header instead.
	if _, err := e.conn.Receive(ctx, "shipstation_webhook", shipArgs(t), httpReq(t, hookURL, http.Header{"X-Tote-Token": {"s3cret-token"}}), d.Body); err != nil {
		t.Errorf("header token: %v", err)
	}

	for name, c := range map[string]struct {
		target string
		body   string
		status int
	}{
		"no token":      {hookURL, string(d.Body), 401},
		"wrong token":   {hookURL + "?token=guess", string(d.Body), 401},
		"not json":      {d.TargetURL, `{"resource_url": `, 400},
		"other fields":  {d.TargetURL, `{"orders": []}`, 400},
		"not an object": {d.TargetURL, `["x"]`, 400},
		"whole account": {d.TargetURL, `{"resource_url": "` + e.fake.URL + `/shipments?shipDateStart=2000-01-01", "resource_type": "SHIP_NOTIFY"}`, 400},
		"unknown event": {d.TargetURL, `{"resource_url": "https://ssapi.shipstation.com/shipments", "resource_type": "NOPE"}`, 400},
		"foreign host":  {d.TargetURL, `{"resource_url": "https://evil.example/shipments?batchId=1", "resource_type": "SHIP_NOTIFY"}`, 400},
		"lookalike":     {d.TargetURL, `{"resource_url": "https://ssapi.shipstation.com.evil.example/shipments", "resource_type": "SHIP_NOTIFY"}`, 400},
		"wrong list":    {d.TargetURL, `{"resource_url": "` + e.fake.URL + `/orders?x=1", "resource_type": "SHIP_NOTIFY"}`, 400},
	} {
		_, err := e.conn.Receive(ctx, "shipstation_webhook", shipArgs(t), httpReq(t, c.target, nil), []byte(c.body))
		var re *connectors.RequestError
		if !errors.As(err, &re) || re.Status != c.status {
			t.Errorf("%s: %v, want %d", name, err, c.status)
		}
	}
}

func TestResourceHostAllowList(t *testing.T) {
	c := &conn{v1Host: "ssapi.shipstation.com", v1TLS: true}
	for raw, ok := range map[string]bool{
		"https://ssapi.shipstation.com/shipments":         true,
		"https://ssapi13.shipstation.com/shipments":       true,
		"http://ssapi6.shipstation.com/shipments":         false,
		"https://api.shipstation.com/shipments":           false,
		"https://x.ssapi6.shipstation.com/shipments":      false,
		"https://user:pw@ssapi.shipstation.com/shipments": false,
	} {
		if _, err := c.allowed(raw, "/shipments"); (err == nil) != ok {
			t.Errorf("%s: allowed=%v, want %v", raw, err == nil, ok)
		}
	}
}

// ShipStation may add fields to its notification at any time; a delivery
// with one is still read.
func TestWebhookIgnoresUnknownFields(t *testing.T) {
	e := newEnv(t, envOpts{})
	body := `{"resource_url": "` + e.fake.URL + `/shipments?batchId=7&includeShipmentItems=False", "resource_type": "SHIP_NOTIFY",` +
		` "resource_version": 2, "account": {"id": 1}}`
	evs, err := e.conn.Receive(context.Background(), "shipstation_webhook", shipArgs(t), httpReq(t, hookURL+"?token=s3cret-token", nil), []byte(body))
	if err != nil || len(evs) != 1 {
		t.Fatalf("events %v, %v", evs, err)
	}
}

// A resource_url is checked whole: only the list its event points at, and
// only the query parameters ShipStation sends for that event.
func TestResourceURLChecked(t *testing.T) {
	c := &conn{v1Host: "ssapi.shipstation.com", v1TLS: true}
	const base = "https://ssapi.shipstation.com"
	for _, tc := range []struct {
		rtype, url string
		ok         bool
		reason     string
	}{
		{"SHIP_NOTIFY", base + "/shipments?batchId=190671332&includeShipmentItems=False", true, ""},
		{"ITEM_SHIP_NOTIFY", base + "/shipments?batchId=190671332&includeShipmentItems=True", true, ""},
		{"SHIP_NOTIFY", "https://ssapi6.shipstation.com/Shipments?BatchId=1&includeshipmentitems=false", true, ""},
		{"ORDER_NOTIFY", base + "/orders?importBatch=5b7a3f0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b", true, ""},
		{"ITEM_ORDER_NOTIFY", base + "/orders?importBatch=abc123", true, ""},
		{"FULFILLMENT_SHIPPED", base + "/fulfillments?fulfillmentId=33", true, ""},
		{"FULFILLMENT_REJECTED", base + "/fulfillments?batchId=9&orderId=12", true, ""},

		{"SHIP_NOTIFY", base + "/shipments?shipDateStart=2000-01-01", false, `"shipDateStart" is not one ShipStation sends for SHIP_NOTIFY`},
		{"SHIP_NOTIFY", base + "/shipments?batchId=1&shipDateStart=2000-01-01", false, `"shipDateStart" is not one`},
		{"SHIP_NOTIFY", base + "/shipments", false, "no batchId parameter"},
		{"SHIP_NOTIFY", base + "/shipments?includeShipmentItems=True", false, "no batchId parameter"},
		{"SHIP_NOTIFY", base + "/shipments?batchId=1&batchId=2", false, "more than once"},
		{"SHIP_NOTIFY", base + "/shipments?batchId=1&BatchId=2", false, "more than once"},
		{"SHIP_NOTIFY", base + "/shipments?batchId=1%20OR%201", false, "unexpected value"},
		{"SHIP_NOTIFY", base + "/shipments?batchId=", false, "unexpected value"},
		{"SHIP_NOTIFY", base + "/shipments?batchId=1&includeShipmentItems=maybe", false, "unexpected value"},
		{"SHIP_NOTIFY", base + "/shipments?batchId=1&page=2", false, `"page" is not one`},
		{"SHIP_NOTIFY", base + "/shipments?batchId=1&pageSize=500", false, `"pageSize" is not one`},
		{"SHIP_NOTIFY", base + "/shipments?batchId=1#x", false, "fragment"},
		{"SHIP_NOTIFY", base + "/orders?importBatch=abc", false, "is not /shipments"},
		{"ORDER_NOTIFY", base + "/orders?modifyDateStart=2000-01-01", false, `"modifyDateStart" is not one`},
		{"ORDER_NOTIFY", base + "/orders?importBatch=abc&orderStatus=shipped", false, `"orderStatus" is not one`},
		{"ORDER_NOTIFY", base + "/orders?importBatch=../x", false, "unexpected value"},
		{"FULFILLMENT_SHIPPED", base + "/fulfillments", false, "names no records"},
		{"FULFILLMENT_SHIPPED", base + "/fulfillments?createDateStart=2000-01-01", false, `"createDateStart" is not one`},
		{"SHIP_NOTIFY", "https://evil.example/shipments?batchId=1", false, "not a ShipStation API host"},
	} {
		_, q, err := c.resource(tc.url, tc.rtype)
		switch {
		case tc.ok && err != nil:
			t.Errorf("%s %s: %v", tc.rtype, tc.url, err)
		case !tc.ok && (err == nil || !strings.Contains(err.Error(), tc.reason)):
			t.Errorf("%s %s: %v, want %q", tc.rtype, tc.url, err, tc.reason)
		case tc.ok && tc.rtype == "SHIP_NOTIFY" && q.Get("batchId") == "":
			t.Errorf("%s: query %v not canonical", tc.url, q)
		}
	}
}

func itoa(n int64) string { return cty.NumberIntVal(n).AsBigFloat().Text('f', 0) }
