package bigcommerce

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

func scopesVal(scopes ...string) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"scopes": strList(scopes)})
}

// deactivate turns a hook off as BigCommerce does after 48 h of failures.
func (e *env) deactivate(id int) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPut, e.fake.APIBase()+"/v3/hooks/"+strconv.Itoa(id), bytes.NewReader([]byte(`{"is_active":false}`)))
	req.Header.Set("X-Auth-Token", e.fake.Options().AccessToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		e.t.Fatalf("deactivating hook %d: %v %v", id, err, resp)
	}
	resp.Body.Close()
}

func TestSubscriptionsCreateRepairAndRemoveHooks(t *testing.T) {
	e := newEnv(t, envConfig{extra: map[string]cty.Value{"webhook_header_secret": cty.StringVal("s3cr3t")}})
	ctx := context.Background()
	const prefix = "http://127.0.0.1:9/hooks/"
	want := []connectors.Subscription{
		{Trigger: webhookKind, Args: scopesVal("store/order/created", "store/order/updated"), URL: prefix + "orders/changed"},
		{Trigger: webhookKind, Args: scopesVal("store/product/*"), URL: prefix + "products/changed"},
	}
	changes, err := e.conn.PlanSubscriptions(ctx, want, prefix)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 3 {
		t.Fatalf("changes = %+v, want 3 creates", changes)
	}
	for _, ch := range changes {
		if ch.Op != connectors.OpCreate {
			t.Fatalf("change %+v, want create", ch)
		}
		if err := e.conn.ApplySubscription(ctx, ch); err != nil {
			t.Fatal(err)
		}
	}
	hooks := e.fake.Hooks()
	if len(hooks) != 3 || hooks[0].Headers[tokenHeader] != e.conn.hookToken(hooks[0].Scope) || !hooks[0].IsActive {
		t.Fatalf("hooks = %+v", hooks)
	}
	changes, _ = e.conn.PlanSubscriptions(ctx, want, prefix)
	for _, ch := range changes {
		if ch.Op != connectors.OpNoop {
			t.Fatalf("after apply: %+v, want noop", ch)
		}
	}

	// A deactivated hook is re-activated; one nobody wants is removed.
	e.deactivate(hooks[0].ID)
	changes, _ = e.conn.PlanSubscriptions(ctx, want[1:], prefix)
	ops := map[connectors.Op]int{}
	for _, ch := range changes {
		ops[ch.Op]++
		if err := e.conn.ApplySubscription(ctx, ch); err != nil {
			t.Fatal(err)
		}
	}
	if ops[connectors.OpDelete] != 2 || ops[connectors.OpNoop] != 1 {
		t.Fatalf("changes = %+v", changes)
	}
	if hooks := e.fake.Hooks(); len(hooks) != 1 || hooks[0].Scope != "store/product/*" {
		t.Fatalf("hooks = %+v", hooks)
	}
	e.deactivate(e.fake.Hooks()[0].ID)
	changes, _ = e.conn.PlanSubscriptions(ctx, want[1:], prefix)
	if len(changes) != 1 || changes[0].Op != connectors.OpUpdate || changes[0].Reason == "" {
		t.Fatalf("changes = %+v, want one update", changes)
	}
	if err := e.conn.ApplySubscription(ctx, changes[0]); err != nil {
		t.Fatal(err)
	}
	if !e.fake.Hooks()[0].IsActive {
		t.Fatal("hook not re-activated")
	}
}

// putHook registers a hook as another tool (or an older tote) would.
func (e *env) putHook(method, path, body string) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.fake.APIBase()+path, bytes.NewReader([]byte(body)))
	req.Header.Set("X-Auth-Token", e.fake.Options().AccessToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		e.t.Fatalf("%s %s: %v %v", method, path, err, resp)
	}
	resp.Body.Close()
}

// A hook without the token header (made before tote sent one, or by hand)
// is planned as an update and gets the header; so is one whose token was
// derived from another key.
func TestSubscriptionsGiveHooksTheirToken(t *testing.T) {
	e := newEnv(t, envConfig{})
	ctx := context.Background()
	const dest = "http://127.0.0.1:9/hooks/orders/changed"
	e.putHook(http.MethodPost, "/v3/hooks", `{"scope":"store/order/created","destination":"`+dest+`","headers":{"X-Tote-Webhook-Secret":"old"}}`)
	want := []connectors.Subscription{{Trigger: webhookKind, Args: scopesVal("store/order/created"), URL: dest}}
	changes, err := e.conn.PlanSubscriptions(ctx, want, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Op != connectors.OpUpdate || !strings.Contains(changes[0].Reason, tokenHeader) {
		t.Fatalf("changes = %+v, want an update for the header", changes)
	}
	if err := e.conn.ApplySubscription(ctx, changes[0]); err != nil {
		t.Fatal(err)
	}
	h := e.fake.Hooks()[0]
	if len(h.Headers) != 1 || h.Headers[tokenHeader] != e.conn.hookToken("store/order/created") {
		t.Fatalf("headers after apply = %v", h.Headers)
	}
	if changes, _ := e.conn.PlanSubscriptions(ctx, want, ""); len(changes) != 1 || changes[0].Op != connectors.OpNoop {
		t.Fatalf("after apply: %+v, want noop", changes)
	}

	// The hook's header survives a case change; a token of another key does not.
	e.putHook(http.MethodPut, "/v3/hooks/"+strconv.Itoa(h.ID), `{"headers":{"x-tote-hook-token":"`+e.conn.hookToken("store/order/created")+`"}}`)
	if changes, _ := e.conn.PlanSubscriptions(ctx, want, ""); len(changes) != 1 || changes[0].Op != connectors.OpNoop {
		t.Fatalf("lower-case header: %+v, want noop", changes)
	}
	e.conn.tokenKey = "rotated"
	if changes, _ := e.conn.PlanSubscriptions(ctx, want, ""); len(changes) != 1 || changes[0].Op != connectors.OpUpdate {
		t.Fatalf("after a key change: %+v, want update", changes)
	}
}

func TestEnsureHookAndListHooks(t *testing.T) {
	e := newEnv(t, envConfig{})
	args := map[string]cty.Value{"scope": cty.StringVal("store/shipment/created"), "destination": cty.StringVal("http://127.0.0.1:9/h")}
	ch, out := e.write("ensure_hook", args)
	if ch.Op != connectors.OpCreate || !out.GetAttr("is_active").True() {
		t.Fatalf("plan %s output %#v", ch.Op, out)
	}
	if ch := e.plan("ensure_hook", args); ch.Op != connectors.OpNoop {
		t.Fatalf("second plan = %s", ch.Op)
	}
	e.deactivate(int(num64(out.GetAttr("id"))))
	if ch, _ := e.write("ensure_hook", args); ch.Op != connectors.OpUpdate || !e.fake.Hooks()[0].IsActive {
		t.Fatalf("plan for a deactivated hook = %s", ch.Op)
	}
	if list := e.read("list_hooks", nil); list.LengthInt() != 1 {
		t.Fatalf("list_hooks = %#v", list)
	}
}

func TestGetStoreIsKept(t *testing.T) {
	e := newEnv(t, envConfig{})
	out := e.read("get_store", nil)
	if out.GetAttr("weight_units").AsString() != "Ounces" || out.GetAttr("dimension_units").AsString() != "Inches" {
		t.Fatalf("store = %#v", out)
	}
	e.read("get_store", nil)
	if n := e.rec.count("GET /v2/store"); n != 1 {
		t.Fatalf("%d store reads, want 1", n)
	}
}
