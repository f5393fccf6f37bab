package personal

import (
	"strings"
	"testing"
)

func TestJSONRedactsPersonalData(t *testing.T) {
	in := `{"order_ids":[100],"orders":[{"orderNumber":"100","customerEmail":"ada@example.com",
		"billTo":{"name":"Ada Lovelace","street1":"1 Main St","city":"Austin","postalCode":"78701","phone":"555-0100","country":"US"},
		"items":[{"sku":"SKU-1","name":"Sock","quantity":2}],"resource_url":"https://ssapi.shipstation.com/x"}]}`
	out := string(JSON([]byte(in)))
	for _, gone := range []string{"ada@example.com", "Ada Lovelace", "1 Main St", "Austin", "78701", "555-0100"} {
		if strings.Contains(out, gone) {
			t.Errorf("%q is still in %s", gone, out)
		}
	}
	for _, kept := range []string{`"orderNumber":"100"`, `"sku":"SKU-1"`, `"quantity":2`, `"order_ids":[100]`, `"country":"US"`, `"resource_url":"https://`} {
		if !strings.Contains(out, kept) {
			t.Errorf("%s is missing from %s", kept, out)
		}
	}
	if got := string(JSON([]byte("not json {"))); got != `"(redacted)"` {
		t.Errorf("non-JSON = %s", got)
	}
}
