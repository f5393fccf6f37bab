package bigcommerce

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/bigcommerce/bigcommercetest"
	"github.com/zclconf/go-cty/cty"
)

func (e *env) tryRead(action string, values map[string]cty.Value) error {
	_, err := e.conn.Read(context.Background(), action, argsVal(e.t, action, values))
	return err
}

func TestServerErrorsAreRetriedThenReported(t *testing.T) {
	e := newEnv(t, envConfig{fake: bigcommercetest.Options{Seed: 7}})
	e.fake.SetFaults(bigcommercetest.Faults{ErrorRate: 1})
	err := e.tryRead("list_hooks", nil)
	if err == nil || connectors.IsPermanent(err) {
		t.Fatalf("err = %v, want a retryable error", err)
	}
	if _, ok := connectors.RetryAfter(err); ok {
		t.Errorf("a 5xx asked to wait: %v", err)
	}
	if !strings.Contains(err.Error(), "500 Internal Server Error") {
		t.Errorf("err = %v, want the vendor's message", err)
	}
	if n := e.rec.total(); n != e.conn.api.attempts {
		t.Errorf("%d requests, want %d attempts", n, e.conn.api.attempts)
	}
	e.fake.SetFaults(bigcommercetest.Faults{ErrorRate: 0.4})
	for i := range 20 {
		if err := e.tryRead("list_hooks", nil); err != nil {
			t.Fatalf("read %d under 40%% errors: %v", i, err)
		}
	}
}

func TestCreatingWritesAreNotResentAfterAServerError(t *testing.T) {
	e := newEnv(t, envConfig{})
	o := e.placeOrder()
	line := e.fake.OrderProducts(o.ID)[0]
	args := map[string]cty.Value{"order_id": cty.NumberIntVal(int64(o.ID)), "tracking_number": cty.StringVal("1Z999"),
		"order_address_id": cty.NumberIntVal(int64(line.OrderAddressID)), "items": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
			"order_product_id": cty.NumberIntVal(int64(line.ID)), "quantity": cty.NumberIntVal(1)})})}
	ch := e.plan("create_shipment", args)
	e.rec.reset()
	e.fake.SetFaults(bigcommercetest.Faults{ErrorRate: 1})
	_, err := e.conn.ApplyWrite(context.Background(), connectors.WriteRequest{Action: "create_shipment", Args: argsVal(t, "create_shipment", args), Change: ch})
	if err == nil || connectors.IsPermanent(err) {
		t.Fatalf("err = %v, want a retryable error", err)
	}
	// The POST went out once: it may have landed, and the next plan finds out.
	if n := e.rec.count("POST /v2/orders/" + itoa(o.ID) + "/shipments"); n != 1 {
		t.Fatalf("POST sent %d times, want 1: %v", n, e.rec.requests)
	}
}

func TestTimeoutsAreRetried(t *testing.T) {
	e := newEnv(t, envConfig{fake: bigcommercetest.Options{Seed: 3}, extra: map[string]cty.Value{"timeout": cty.StringVal("100ms")}})
	e.fake.SetFaults(bigcommercetest.Faults{HangRate: 1})
	err := e.tryRead("list_hooks", nil)
	if err == nil || connectors.IsPermanent(err) || !strings.Contains(err.Error(), "deadline") {
		t.Fatalf("err = %v, want a retryable timeout", err)
	}
	e.fake.SetFaults(bigcommercetest.Faults{HangRate: 0.3})
	for i := range 6 {
		if err := e.tryRead("list_hooks", nil); err != nil {
			t.Fatalf("read %d with 30%% hangs: %v", i, err)
		}
	}
}

func TestMalformedAnswersAreRetried(t *testing.T) {
	e := newEnv(t, envConfig{fake: bigcommercetest.Options{Seed: 5}})
	o := e.placeOrder()
	e.fake.SetFaults(bigcommercetest.Faults{MalformedRate: 1})
	err := e.tryRead("get_orders", map[string]cty.Value{"ids": ids(o.ID)})
	if err == nil || connectors.IsPermanent(err) || !strings.Contains(err.Error(), "malformed") {
		t.Fatalf("err = %v, want a malformed-answer error", err)
	}
	e.fake.SetFaults(bigcommercetest.Faults{MalformedRate: 0.4})
	for i := range 10 {
		if err := e.tryRead("get_orders", map[string]cty.Value{"ids": ids(o.ID)}); err != nil {
			t.Fatalf("read %d with 40%% malformed answers: %v", i, err)
		}
	}
}

func TestRateLimitStormsWaitForTheReset(t *testing.T) {
	e := newEnv(t, envConfig{fake: bigcommercetest.Options{Seed: 11}})
	e.fake.SetFaults(bigcommercetest.Faults{RateLimitStorm: 1})
	err := e.tryRead("list_hooks", nil)
	if _, ok := connectors.RetryAfter(err); !ok {
		t.Fatalf("err = %v, want a RetryAfterError", err)
	}
	e.fake.SetFaults(bigcommercetest.Faults{RateLimitStorm: 0.3})
	for i := range 20 {
		if err := e.tryRead("list_hooks", nil); err != nil {
			t.Fatalf("read %d in a 50%% 429 storm: %v", i, err)
		}
	}
}

func TestBudgetKeepsCallsUnderTheStoreQuota(t *testing.T) {
	e := newEnv(t, envConfig{fake: bigcommercetest.Options{RateLimit: bigcommercetest.RateLimit{Quota: 10, Window: 30 * time.Second}},
		extra: map[string]cty.Value{"rate_quota": cty.NumberIntVal(10)}})
	// A second connection with the same credential shares the budget.
	other, err := open(configVal(map[string]cty.Value{"store_hash": cty.StringVal("sandbox"),
		"access_token": cty.StringVal("sandbox-token"), "api_url": cty.StringVal(e.url)}), defaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if other.api.budget != e.conn.api.budget {
		t.Fatal("two connections with one credential have separate budgets")
	}
	if got := e.conn.api.budget.Limit(); got != 8 {
		t.Fatalf("budget limit %d, want 8 (80%% of 10)", got)
	}
	for i := range 30 {
		if err := e.tryRead("list_hooks", nil); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
	}
	if n := e.rec.withStatus(http.StatusTooManyRequests); n != 0 {
		t.Fatalf("the store answered %d requests with 429", n)
	}
	if e.rec.total() != 30 {
		t.Fatalf("%d requests, want 30", e.rec.total())
	}
	// 30 calls at 8 per 30 s window span at least four windows.
	if waited := e.fake.Clock().Now().Sub(t0); waited < 90*time.Second {
		t.Fatalf("30 calls took %s of store time, want at least 90s", waited)
	}
}

func TestClientErrorsCarryTheVendorsMessage(t *testing.T) {
	e := newEnv(t, envConfig{})
	o := e.placeOrder()
	_, err := e.conn.ApplyWrite(context.Background(), connectors.WriteRequest{Action: "create_shipment",
		Args: argsVal(t, "create_shipment", map[string]cty.Value{"order_id": cty.NumberIntVal(int64(o.ID)),
			"order_address_id": cty.NumberIntVal(999999), "tracking_number": cty.StringVal("X1"),
			"items": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"order_product_id": cty.NumberIntVal(999999), "quantity": cty.NumberIntVal(1)})})})})
	if !connectors.IsPermanent(err) || !strings.Contains(err.Error(), "does not belong to order") {
		t.Fatalf("err = %v, want a permanent error with the v2 message", err)
	}
	_, err = e.conn.ApplyWrite(context.Background(), connectors.WriteRequest{Action: "upsert_order_metafield",
		Args: argsVal(t, "upsert_order_metafield", map[string]cty.Value{"order_id": cty.NumberIntVal(int64(o.ID)),
			"key": cty.StringVal(strings.Repeat("k", 65)), "value": cty.StringVal("v")})})
	if !connectors.IsPermanent(err) || !strings.Contains(err.Error(), "key must be 1 to 64 characters") {
		t.Fatalf("err = %v, want a permanent error with the v3 message", err)
	}
	if strings.Contains(err.Error(), "sandbox-token") {
		t.Fatal("the access token is in an error")
	}
}

func TestWrongTokenIsPermanent(t *testing.T) {
	e := newEnv(t, envConfig{extra: map[string]cty.Value{"access_token": cty.StringVal("not-the-token")}})
	err := e.tryRead("list_hooks", nil)
	if !connectors.IsPermanent(err) || !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), "not-the-token") {
		t.Fatalf("err = %v", err)
	}
}

func TestVendorMessage(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`[{"status":404,"message":"The requested resource was not found."}]`, "The requested resource was not found."},
		{`[{"status":404,"message":"The field 'order_address_id' is invalid.","details":{"invalid_reason":"Shipping address 9 does not belong to order 1207."}}]`,
			"The field 'order_address_id' is invalid. (Shipping address 9 does not belong to order 1207.)"},
		{`{"status":422,"title":"JSON data is missing or invalid","type":"x","errors":{"destination":"error.path.missing"}}`,
			"JSON data is missing or invalid (destination: error.path.missing)"},
		{`{"data":[{"status":422,"title":"Unable to provide store credit for a guest customer.","type":"x"}]}`,
			"Unable to provide store credit for a guest customer."},
		{`{"batch_errors":[{"status":422,"title":"Variant not found","errors":{"id":"missing"}}]}`, "Variant not found (id: missing)"},
		{`{"status":400,"title":"Input is invalid","type":"x","detail":"key is required"}`, "Input is invalid: key is required"},
		{``, "(empty body)"},
		{`<html>busy</html>`, "<html>busy</html>"},
	} {
		if got := vendorMessage([]byte(tc.body)); got != tc.want {
			t.Errorf("vendorMessage(%s) = %q, want %q", tc.body, got, tc.want)
		}
	}
	var nf error = &apiError{Status: 404}
	if !errors.Is(nf, connectors.ErrNotFound) {
		t.Error("a 404 is not ErrNotFound")
	}
}
