package bigcommercetest

import (
	"fmt"
	"net/http"
	"testing"
)

func TestHooksCRUD(t *testing.T) {
	s := newTestServer(t, Options{ClientID: "q8c1x0examplecl1ent"})
	rc := newReceiver(t)
	body := map[string]any{"scope": "store/order/statusUpdated", "destination": rc.URL + "/hooks/bigcommerce",
		"is_active": true, "headers": map[string]string{"X-Integration-Secret": "s3cr3t-value"}, "events_history_enabled": true}
	r := call(t, s, "POST", "/v3/hooks", body)
	wantStatus(t, r, http.StatusOK) // 200, not 201
	h := r.v3data(t)
	checkShape(t, "hook", h, map[string]string{"id": "int", "client_id": "string", "store_hash": "string", "scope": "string",
		"destination": "string", "is_active": "bool", "headers": "object", "created_at": "int", "updated_at": "int"})
	if h["client_id"] != "q8c1x0examplecl1ent" || h["store_hash"] != "sandbox" {
		t.Errorf("hook %v", h)
	}
	id := int(h["id"].(float64))

	wantStatus(t, call(t, s, "POST", "/v3/hooks", body), http.StatusUnprocessableEntity) // duplicate
	wantStatus(t, call(t, s, "POST", "/v3/hooks", map[string]any{"scope": "store/order/nonsense", "destination": rc.URL}), http.StatusUnprocessableEntity)
	wantStatus(t, call(t, s, "POST", "/v3/hooks", map[string]any{"scope": "store/order/*", "destination": "http://example.com/hook"}), http.StatusUnprocessableEntity)
	wantStatus(t, call(t, s, "POST", "/v3/hooks", map[string]any{"scope": "store/order/*", "destination": "https://example.com:8443/hook"}), http.StatusUnprocessableEntity)
	wantStatus(t, call(t, s, "POST", "/v3/hooks", map[string]any{"scope": "store/order/*", "destination": "https://example.com/hook"}), http.StatusOK)

	r = call(t, s, "GET", "/v3/hooks?scope=store/order/statusUpdated", nil)
	data, meta := r.v3list(t)
	if len(data) != 1 || meta["pagination"] == nil {
		t.Errorf("list by scope %d", len(data))
	}
	path := fmt.Sprintf("/v3/hooks/%d", id)
	wantStatus(t, call(t, s, "GET", path, nil), http.StatusOK)
	r = call(t, s, "PUT", path, map[string]any{"is_active": false})
	wantStatus(t, r, http.StatusOK)
	if r.v3data(t)["is_active"] != false {
		t.Errorf("after PUT %s", r.body)
	}
	wantStatus(t, call(t, s, "PUT", path, map[string]any{}), http.StatusUnprocessableEntity)
	if d, _ := call(t, s, "GET", "/v3/hooks?is_active=false", nil).v3list(t); len(d) != 1 {
		t.Errorf("is_active=false gave %d", len(d))
	}

	r = call(t, s, "DELETE", path, nil)
	wantStatus(t, r, http.StatusOK) // 200 with the deleted hook
	if r.v3data(t)["id"].(float64) != float64(id) {
		t.Errorf("delete body %s", r.body)
	}
	r = call(t, s, "GET", path, nil)
	wantStatus(t, r, http.StatusNotFound)
	if title := r.object(t)["title"]; title != fmt.Sprintf("Webhook with id [%d] not found", id) {
		t.Errorf("404 title %q", title)
	}
}

func TestHooksNeedHTTPSWithoutKnob(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	r := call(t, s, "POST", "/v3/hooks", map[string]any{"scope": "store/order/created", "destination": "http://127.0.0.1:9/hook"})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if _, ok := r.object(t)["errors"].(map[string]any)["destination"]; !ok {
		t.Errorf("no destination error: %s", r.body)
	}
}
