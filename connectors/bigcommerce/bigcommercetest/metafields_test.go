package bigcommercetest

import (
	"fmt"
	"net/http"
	"testing"
)

func TestOrderMetafields(t *testing.T) {
	s := newTestServer(t, Options{ClientID: "q8c1x0examplecl1ent"})
	id, _ := createOrder(t, s)
	base := fmt.Sprintf("/v3/orders/%d/metafields", id)
	body := map[string]any{"permission_set": "app_only", "namespace": "shipstation", "key": "ss_order_id", "value": "448812093", "description": "ShipStation orderId"}

	r := call(t, s, "POST", base, body)
	wantStatus(t, r, http.StatusOK) // 200, not 201, per the spec
	m := r.v3data(t)
	checkShape(t, "metafield", m, map[string]string{"id": "int", "permission_set": "string", "namespace": "string", "key": "string",
		"value": "string", "description": "string", "resource_type": "string", "resource_id": "int", "date_created": "iso",
		"date_modified": "iso", "owner_client_id": "string"})
	if m["resource_type"] != "order" || m["resource_id"].(float64) != float64(id) || m["owner_client_id"] != "q8c1x0examplecl1ent" {
		t.Errorf("metafield %v", m)
	}
	mid := int(m["id"].(float64))

	// Unique per (namespace, key) on the order.
	r = call(t, s, "POST", base, body)
	wantStatus(t, r, http.StatusConflict)
	checkShape(t, "409", r.object(t), map[string]string{"status": "int", "title": "string", "type": "string"})
	// Validation.
	r = call(t, s, "POST", base, map[string]any{"namespace": "x", "key": "y", "value": "z"})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if _, ok := r.object(t)["errors"].(map[string]any)["permission_set"]; !ok {
		t.Errorf("422 without permission_set error: %s", r.body)
	}
	wantStatus(t, call(t, s, "POST", base, map[string]any{"permission_set": "read", "namespace": "tote", "key": "", "value": "v"}), http.StatusUnprocessableEntity)

	wantStatus(t, call(t, s, "POST", base, map[string]any{"permission_set": "read", "namespace": "tote", "key": "carrier", "value": "usps"}), http.StatusOK)

	// List with filters and pagination meta.
	r = call(t, s, "GET", base, nil)
	wantStatus(t, r, http.StatusOK)
	data, meta := r.v3list(t)
	if len(data) != 2 {
		t.Errorf("%d metafields", len(data))
	}
	checkShape(t, "pagination", meta["pagination"].(map[string]any), map[string]string{"total": "int", "count": "int", "per_page": "int", "current_page": "int", "total_pages": "int", "links": "object"})
	for q, want := range map[string]int{"namespace=tote": 1, "key=ss_order_id": 1, "namespace:in=tote,shipstation": 2, "key=nope": 0} {
		data, _ := call(t, s, "GET", base+"?"+q, nil).v3list(t)
		if len(data) != want {
			t.Errorf("%s: %d, want %d", q, len(data), want)
		}
	}

	// Get, update, delete.
	path := fmt.Sprintf("%s/%d", base, mid)
	wantStatus(t, call(t, s, "GET", path, nil), http.StatusOK)
	r = call(t, s, "PUT", path, map[string]any{"value": "448812094"})
	wantStatus(t, r, http.StatusOK)
	if r.v3data(t)["value"] != "448812094" {
		t.Errorf("after PUT: %s", r.body)
	}
	wantStatus(t, call(t, s, "PUT", path, map[string]any{"namespace": "tote", "key": "carrier"}), http.StatusConflict)
	wantStatus(t, call(t, s, "DELETE", path, nil), http.StatusNoContent)
	r = call(t, s, "GET", path, nil)
	wantStatus(t, r, http.StatusNotFound)
	checkShape(t, "404", r.object(t), map[string]string{"status": "int", "title": "string", "type": "string"})
	wantStatus(t, call(t, s, "GET", "/v3/orders/999999/metafields", nil), http.StatusNotFound)
}
