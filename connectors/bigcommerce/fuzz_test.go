package bigcommerce

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
)

// FuzzReceive feeds webhook deliveries to Receive. A delivery is signed
// with the connection's client secret when sign is set, so the fuzzer
// reaches the payload decoding too; one that is not is never accepted.
// Whatever the body, Receive answers a 4xx RequestError or events of the
// trigger's type, and never panics.
func FuzzReceive(f *testing.F) {
	const secret = "sandbox-secret"
	now := time.Date(2025, 3, 4, 18, 0, 0, 0, time.UTC)
	c := &conn{storeHash: "k7x2qa9d1m", clientSecret: secret, clock: func() time.Time { return now }}
	args := scopesVal("store/order/*", "store/shipment/*", "store/product/*", "store/sku/*", "store/channel/*")
	f.Fuzz(func(t *testing.T, body []byte, id string, skew int64, signature string, sign bool) {
		ts := strconv.FormatInt(now.Unix()+skew%600, 10)
		if sign {
			mac := hmac.New(sha256.New, []byte(secret))
			mac.Write([]byte(id + "." + ts + "."))
			mac.Write(body)
			signature = "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
		}
		r := httptest.NewRequest(http.MethodPost, "/hooks/orders/changed", bytes.NewReader(body))
		r.Header.Set("webhook-id", id)
		r.Header.Set("webhook-timestamp", ts)
		r.Header.Set("webhook-signature", signature)
		evs, err := c.Receive(context.Background(), webhookKind, args, r, body)
		if err != nil {
			var re *connectors.RequestError
			if !errors.As(err, &re) || re.Status < 400 || re.Status > 499 || re.Reason == "" {
				t.Fatalf("Receive failed with %v, want a 4xx RequestError with a reason", err)
			}
			return
		}
		if !sign {
			t.Fatalf("an unsigned delivery (signature %q) was accepted", signature)
		}
		for _, ev := range evs {
			if ev.Key == "" {
				t.Fatal("an event without a key")
			}
			if err := checkEvent(ev.Data); err != nil {
				t.Fatalf("event %#v: %v", ev.Data, err)
			}
		}
	})
}

// FuzzDecodeModels decodes vendor responses into the v2 and v3 models
// and converts what decodes into values: bad input from BigCommerce is an
// error, never a panic.
func FuzzDecodeModels(f *testing.F) {
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		switch kind % 6 {
		case 0:
			var o order // with consignments, when the body has them
			if json.Unmarshal(body, &o) == nil {
				orderSummaryVal(o)
				orderVal(fullOrder{order: o}, "k7x2qa9d1m")
			}
		case 1:
			var lines []orderProduct
			if json.Unmarshal(body, &lines) == nil {
				orderVal(fullOrder{lines: lines}, "k7x2qa9d1m")
			}
		case 2:
			var addrs []shippingAddress
			if json.Unmarshal(body, &addrs) == nil {
				orderVal(fullOrder{addrs: addrs}, "k7x2qa9d1m")
			}
		case 3:
			var refunds struct {
				Data []refund `json:"data"`
			}
			if json.Unmarshal(body, &refunds) == nil {
				for _, r := range refunds.Data {
					refundVal(r)
				}
			}
			var quote struct {
				Data refundQuote `json:"data"`
			}
			if json.Unmarshal(body, &quote) == nil {
				refundQuoteVal(quote.Data)
			}
		case 4:
			var page struct {
				Data []product    `json:"data"`
				Meta v3Pagination `json:"meta"`
			}
			if json.Unmarshal(body, &page) == nil {
				for _, p := range page.Data {
					productVal(p)
					for _, v := range p.Variants {
						variantVal(v)
					}
				}
			}
		case 5:
			var ships []shipment
			if json.Unmarshal(body, &ships) == nil {
				for _, s := range ships {
					shipmentVal(s)
				}
			}
		}
	})
}
