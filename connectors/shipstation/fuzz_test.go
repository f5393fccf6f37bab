package shipstation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// FuzzReceive feeds notifications to Receive through its token check,
// body decoding and resource_url check. The trigger subscribes to no
// event, so nothing is fetched. Receive answers a 4xx RequestError or
// accepts, and it accepts only the right token and a resource_url on a
// ShipStation host (or the connection's own) naming the event's list.
func FuzzReceive(f *testing.F) {
	const token, own = "tok-7Hq2", "127.0.0.1:7402"
	c := &conn{token: token, v1Host: own}
	args := cty.ObjectVal(map[string]cty.Value{"events": cty.ListValEmpty(cty.String), "storeId": cty.NullVal(cty.Number)})
	f.Fuzz(func(t *testing.T, body []byte, got string, inHeader bool) {
		target := "/hooks/tracking/ship?token=" + url.QueryEscape(got)
		if inHeader {
			target = "/hooks/tracking/ship"
		}
		r := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
		if inHeader {
			r.Header.Set(tokenHeader, got)
		}
		_, err := c.Receive(context.Background(), "shipstation_webhook", args, r, body)
		if err != nil {
			var re *connectors.RequestError
			if !errors.As(err, &re) || re.Status < 400 || re.Status > 499 || re.Reason == "" {
				t.Fatalf("Receive failed with %v, want a 4xx RequestError with a reason", err)
			}
			if strings.Contains(re.Reason, token) {
				t.Fatalf("the reason %q shows the token", re.Reason)
			}
			return
		}
		if got != token {
			t.Fatalf("accepted the token %q", got)
		}
		var n notification
		if err := json.Unmarshal(body, &n); err != nil {
			t.Fatalf("accepted a body that is not a notification: %v", err)
		}
		u, err := url.Parse(n.ResourceURL)
		if err != nil {
			t.Fatalf("accepted resource_url %q: %v", n.ResourceURL, err)
		}
		host := strings.ToLower(u.Hostname())
		shipstation := u.Scheme == "https" && strings.HasPrefix(host, "ssapi") && strings.HasSuffix(host, ".shipstation.com") && u.Port() == ""
		ours := u.Host == own && (u.Scheme == "http" || u.Scheme == "https")
		if !shipstation && !ours || u.User != nil {
			t.Fatalf("accepted resource_url %q, not on a ShipStation host", n.ResourceURL)
		}
		if want := eventResource[n.ResourceType]; !strings.EqualFold(u.Path, want) {
			t.Fatalf("accepted resource_url %q for %s, whose list is %s", n.ResourceURL, n.ResourceType, want)
		}
	})
}

// FuzzDecodeModels decodes v1 and v2 list pages into the models, builds
// the event value a poll or notification would, and encodes the records
// again: bad input from ShipStation is an error, never a panic, and what
// decodes encodes stably (Pacific times, amounts and days survive a
// second round trip unchanged).
func FuzzDecodeModels(f *testing.F) {
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		var records any
		var ev cty.Value
		switch kind % 5 {
		case 0:
			var page orderPage
			if json.Unmarshal(body, &page) != nil {
				return
			}
			records, ev = page.Orders, eventOf("ORDER_NOTIFY", "", page.Orders, nil, nil, nil)
		case 1:
			var page struct {
				Shipments []Shipment `json:"shipments"`
			}
			if json.Unmarshal(body, &page) != nil {
				return
			}
			records, ev = page.Shipments, eventOf("SHIP_NOTIFY", "", nil, page.Shipments, nil, nil)
		case 2:
			var page struct {
				Fulfillments []Fulfillment `json:"fulfillments"`
			}
			if json.Unmarshal(body, &page) != nil {
				return
			}
			records, ev = page.Fulfillments, eventOf("FULFILLMENT_SHIPPED", "", nil, nil, page.Fulfillments, nil)
		case 3:
			var page inventoryPage
			if json.Unmarshal(body, &page) != nil {
				return
			}
			records, ev = page.Inventory, listOf(page.Inventory)
		case 4:
			var page struct {
				Products []Product `json:"products"`
			}
			if json.Unmarshal(body, &page) != nil {
				return
			}
			records, ev = page.Products, listOf(page.Products)
		}
		if kind%5 < 3 {
			if _, err := convert.Convert(ev, eventType); err != nil {
				t.Fatalf("the event does not conform to the trigger's type: %v", err)
			}
		}
		once, err := json.Marshal(records)
		if err != nil {
			t.Fatalf("encoding decoded records: %v", err)
		}
		again := newLike(records)
		if err := json.Unmarshal(once, again); err != nil {
			t.Fatalf("decoding %s: %v", once, err)
		}
		twice, err := json.Marshal(again)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(once, twice) {
			t.Fatalf("a round trip changed the records:\n%s\n%s", once, twice)
		}
	})
}

// newLike returns a pointer to a new slice of records' type.
func newLike(records any) any {
	switch records.(type) {
	case []Order:
		return new([]Order)
	case []Shipment:
		return new([]Shipment)
	case []Fulfillment:
		return new([]Fulfillment)
	case []InventoryLevel:
		return new([]InventoryLevel)
	}
	return new([]Product)
}
