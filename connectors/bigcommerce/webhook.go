package bigcommerce

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/schema"
	"github.com/zclconf/go-cty/cty"
)

const webhookKind = "bigcommerce_webhook"

// signatureWindow is how far a delivery's webhook-timestamp may be from now.
const signatureWindow = 5 * time.Minute

var webhookTrigger = connectors.TriggerSpec{
	Kind: webhookKind, Mode: connectors.Webhook, Event: eventType, Subjects: subjects,
	Doc: "BigCommerce webhook deliveries for the given scopes, reduced to ids: order events give order_ids " +
		"(statusUpdated also previous_status_id and new_status_id), shipment events order_ids and shipment_ids, " +
		"product and sku events product_ids and variant_ids. A signed delivery must carry a valid Standard Webhooks " +
		"signature (client_secret, timestamp within 5 minutes); an unsigned one the " + tokenHeader + " header " +
		"that `tote plan`/`apply` give the hooks they register. Deliveries must come from the connection's store.",
	Args: schema.Object{Attrs: []schema.Attr{
		{Name: "scopes", Type: cty.List(cty.String), Required: true,
			Doc: "Scopes to subscribe to and accept, e.g. store/order/created; a trailing /* covers a family."},
	}},
}

func reject(status int, format string, x ...any) error {
	return &connectors.RequestError{Status: status, Reason: fmt.Sprintf(format, x...)}
}

// Receive verifies one delivery and reduces it to an event. Deliveries for
// scopes the trigger does not list are accepted and dropped.
func (c *conn) Receive(_ context.Context, trigger string, v cty.Value, r *http.Request, body []byte) ([]connectors.Event, error) {
	if trigger != webhookKind {
		return nil, reject(http.StatusNotFound, "bigcommerce has no webhook trigger %q", trigger)
	}
	if err := c.verify(r, body); err != nil {
		return nil, err
	}
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, reject(http.StatusBadRequest, "the body is not a BigCommerce webhook payload: %v", err)
	}
	if p.Scope == "" || p.Hash == "" || len(p.Data) == 0 {
		return nil, reject(http.StatusBadRequest, "the payload lacks scope, hash or data")
	}
	if want := "stores/" + c.storeHash; p.Producer != want {
		return nil, reject(http.StatusUnauthorized, "the delivery is from %q, this connection is %q", p.Producer, want)
	}
	a := argsOf(v)
	scopes := a.strs("scopes")
	if a.err != nil {
		return nil, a.err
	}
	matched := false
	for _, s := range scopes {
		matched = matched || scopeMatches(s, p.Scope)
	}
	if !matched {
		return nil, nil
	}
	ids, err := normalise(p.Scope, p.Data)
	if err != nil {
		return nil, reject(http.StatusBadRequest, "the %s payload data is malformed: %v", p.Scope, err)
	}
	// The hash digests only the thin data, which is the same for every
	// update of one order; scope and created_at tell events apart, while a
	// redelivery of one event repeats all three.
	key := fmt.Sprintf("%s:%s:%d", p.Hash, p.Scope, p.CreatedAt)
	return []connectors.Event{{Key: key, Data: eventVal(p.Scope, c.storeHash, p.Hash, time.Unix(p.CreatedAt, 0), ids)}}, nil
}

// verify authenticates a delivery by its Standard Webhooks signature when it
// is signed and the connection has the client_secret to check it (a bad one
// is refused, whatever headers come with it), else by the hook token the
// hooks tote registers carry. The reasons name what failed, never a secret.
func (c *conn) verify(r *http.Request, body []byte) error {
	if r.Header.Get("webhook-signature") != "" && c.clientSecret != "" {
		return c.verifySignature(r, body)
	}
	token := r.Header.Get(tokenHeader)
	if token == "" {
		return reject(http.StatusUnauthorized, "an unsigned delivery without the %s header", tokenHeader)
	}
	// The token is per scope: read the scope the body claims.
	var p struct {
		Scope string `json:"scope"`
	}
	if json.Unmarshal(body, &p) != nil || p.Scope == "" {
		return reject(http.StatusBadRequest, "the body is not a BigCommerce webhook payload with a scope")
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(c.hookToken(p.Scope))) != 1 {
		return reject(http.StatusUnauthorized, "wrong %s header for %s", tokenHeader, p.Scope)
	}
	return nil
}

// verifySignature checks a Standard Webhooks signature: HMAC-SHA256 under
// the client secret over id.timestamp.body, with the timestamp within
// signatureWindow of now.
func (c *conn) verifySignature(r *http.Request, body []byte) error {
	signature := r.Header.Get("webhook-signature")
	id, ts := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp")
	if id == "" || ts == "" {
		return reject(http.StatusUnauthorized, "a signed delivery without webhook-id or webhook-timestamp header")
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return reject(http.StatusUnauthorized, "webhook-timestamp %q is not Unix seconds", ts)
	}
	if skew := c.clock().Sub(time.Unix(secs, 0)); skew > signatureWindow || skew < -signatureWindow {
		return reject(http.StatusUnauthorized, "webhook-timestamp is %s away from now, outside the 5-minute window", skew.Round(time.Second))
	}
	mac := hmac.New(sha256.New, []byte(c.clientSecret))
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, part := range strings.Fields(signature) {
		if version, sig, ok := strings.Cut(part, ","); ok && version == "v1" && hmac.Equal([]byte(sig), []byte(want)) {
			return nil
		}
	}
	return reject(http.StatusUnauthorized, "the webhook signature does not match")
}
