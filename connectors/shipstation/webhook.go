package shipstation

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/budget"
	"github.com/zclconf/go-cty/cty"
)

// tokenHeader carries the webhook token when a proxy in front of tote
// moves it out of the URL; ShipStation itself can only use the query.
const tokenHeader = "X-Tote-Token"

// The v1 webhook events, and the list each one's resource_url points at.
var eventResource = map[string]string{
	"ORDER_NOTIFY": "/orders", "ITEM_ORDER_NOTIFY": "/orders",
	"SHIP_NOTIFY": "/shipments", "ITEM_SHIP_NOTIFY": "/shipments",
	"FULFILLMENT_SHIPPED": "/fulfillments", "FULFILLMENT_REJECTED": "/fulfillments",
}

// shardHost matches ShipStation's numbered API hosts (ssapi6.shipstation.com).
var shardHost = regexp.MustCompile(`^ssapi\d*\.shipstation\.com$`)

// eventType is the event of both triggers: the records a notification or a
// poll found, and the ids of their orders.
var eventType = cty.Object(map[string]cty.Type{
	"resource_type": cty.String,
	"resource_url":  cty.String,
	"orders":        cty.List(outType[Order]()),
	"shipments":     cty.List(outType[Shipment]()),
	"fulfillments":  cty.List(outType[Fulfillment]()),
	"return_labels": cty.List(outType[ReturnLabel]()),
	"order_ids":     cty.List(cty.Number),
})

func reject(status int, reason string) error {
	return &connectors.RequestError{Status: status, Reason: reason}
}

// Receive verifies a delivery's token, fetches its resource_url (from an
// allowed host only; the body is never trusted beyond that) and returns
// one event keyed by the notification, so a duplicate delivery dedupes.
func (c *conn) Receive(ctx context.Context, _ string, args cty.Value, r *http.Request, body []byte) ([]connectors.Event, error) {
	if c.token == "" {
		return nil, reject(http.StatusUnauthorized, "the connection has no webhook_token, so deliveries are refused")
	}
	got := r.URL.Query().Get("token")
	if got == "" {
		got = r.Header.Get(tokenHeader)
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(c.token)) != 1 {
		return nil, reject(http.StatusUnauthorized, "missing or wrong token")
	}
	var n notification
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&n); err != nil || n.ResourceURL == "" || n.ResourceType == "" {
		return nil, reject(http.StatusBadRequest, "the body is not a ShipStation notification {resource_url, resource_type}")
	}
	path, known := eventResource[n.ResourceType]
	if !known {
		return nil, reject(http.StatusBadRequest, fmt.Sprintf("unknown resource_type %q", n.ResourceType))
	}
	u, err := c.allowed(n.ResourceURL, path)
	if err != nil {
		return nil, reject(http.StatusBadRequest, err.Error())
	}
	if !slices.Contains(events(args), n.ResourceType) {
		return nil, nil // not an event this trigger subscribes to
	}
	q := u.Query()
	u.RawQuery = ""
	var orders []Order
	var shipments []Shipment
	var fulfillments []Fulfillment
	switch path {
	case "/orders":
		orders, err = listAll[Order](ctx, c.c, budget.Orders, u.String(), q, "orders")
	case "/shipments":
		q.Set("includeShipmentItems", "True") // SHIP_NOTIFY's URL asks for none
		shipments, err = listAll[Shipment](ctx, c.c, budget.Tracking, u.String(), q, "shipments")
	default:
		fulfillments, err = listAll[Fulfillment](ctx, c.c, budget.Tracking, u.String(), q, "fulfillments")
		if err == nil {
			err = c.keyFulfillments(ctx, fulfillments)
		}
	}
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(n.ResourceURL + "\x00" + n.ResourceType))
	key := hex.EncodeToString(sum[:16])
	return []connectors.Event{{Key: key, Data: eventOf(n.ResourceType, n.ResourceURL, orders, shipments, fulfillments, nil)}}, nil
}

// allowed checks a resource_url: ShipStation's API hosts over https, or the
// connection's own api_url host, and the list the event points at.
func (c *conn) allowed(raw, path string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.User != nil {
		return nil, fmt.Errorf("resource_url is not a plain URL")
	}
	host := strings.ToLower(u.Hostname())
	ok := (u.Scheme == "https" && shardHost.MatchString(host)) ||
		(u.Host == c.v1Host && (u.Scheme == "https" || (!c.v1TLS && u.Scheme == "http")))
	if !ok {
		return nil, fmt.Errorf("resource_url host %q is not a ShipStation API host", u.Host)
	}
	if !strings.EqualFold(u.Path, path) {
		return nil, fmt.Errorf("resource_url path %q is not %s", u.Path, path)
	}
	return u, nil
}

// eventOf builds an event value.
func eventOf(rtype, rurl string, orders []Order, shipments []Shipment, fulfillments []Fulfillment, returns []ReturnLabel) cty.Value {
	var ids []int64
	add := func(id *int64) {
		if id != nil && !slices.Contains(ids, *id) {
			ids = append(ids, *id)
		}
	}
	for _, o := range orders {
		add(o.OrderID)
	}
	for _, s := range shipments {
		add(s.OrderID)
	}
	for _, f := range fulfillments {
		add(f.OrderID)
	}
	for _, r := range returns {
		add(r.OrderID)
	}
	idVals := make([]cty.Value, len(ids))
	for i, id := range ids {
		idVals[i] = cty.NumberIntVal(id)
	}
	idList := cty.ListValEmpty(cty.Number)
	if len(idVals) > 0 {
		idList = cty.ListVal(idVals)
	}
	return cty.ObjectVal(map[string]cty.Value{
		"resource_type": cty.StringVal(rtype),
		"resource_url":  cty.StringVal(stripToken(rurl)),
		"orders":        listOf(orders),
		"shipments":     listOf(shipments),
		"fulfillments":  listOf(fulfillments),
		"return_labels": listOf(returns),
		"order_ids":     idList,
	})
}

// events reads a webhook trigger's events argument.
func events(args cty.Value) []string {
	v := args.GetAttr("events")
	if v.IsNull() {
		return nil
	}
	var out []string
	for _, e := range v.AsValueSlice() {
		out = append(out, str(e))
	}
	return out
}

// storeArg reads a webhook trigger's storeId argument.
func storeArg(args cty.Value) *int64 {
	if args.GetAttr("storeId").IsNull() {
		return nil
	}
	id := intArg(args, "storeId")
	return &id
}
