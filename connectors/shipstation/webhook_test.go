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
	evs, err := e.conn.Receive(ctx, "shipstation_webhook", shipArgs(t), httpReq(t, d.TargetURL, nil), d.Body)
	if err != nil || len(evs) != 1 {
		t.Fatalf("events %v, %v", evs, err)
	}
	ev := evs[0].Data
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

func itoa(n int64) string { return cty.NumberIntVal(n).AsBigFloat().Text('f', 0) }
