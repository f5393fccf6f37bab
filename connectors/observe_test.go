package connectors

import "testing"

func TestEndpointCollapsesIDs(t *testing.T) {
	cases := map[string]string{
		"/v2/orders/123/products?limit=250":                      "/v2/orders/{id}/products",
		"https://api.bigcommerce.com/stores/abc123/v3/catalog/x": "/stores/{id}/v3/catalog/x",
		"https://ssapi.shipstation.com/shipments?batchId=9":      "/shipments",
		"/v2/inventory":        "/v2/inventory",
		"/orders/createorders": "/orders/createorders",
		"/v3/hooks/5b1c0f3e-59c3-4b7c-8a0b-1c2d3e4f5a6b": "/v3/hooks/{id}",
		"/a/b/c/d/e/f/g/h":        "/a/b/c/d/e/f/...",
		"/v2/warehouses/se-12345": "/v2/warehouses/{id}",
	}
	for in, want := range cases {
		if got := Endpoint(in); got != want {
			t.Errorf("Endpoint(%q) = %q, want %q", in, got, want)
		}
	}
}
