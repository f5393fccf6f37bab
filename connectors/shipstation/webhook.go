package shipstation

import (
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
	// The shipments of other channels' orders (no BigCommerce orderKey),
	// also given to each instance of a for_each pipeline, whose shipments
	// are its own store's only.
	"other_shipments": cty.List(outType[Shipment]()),
})

func reject(status int, reason string) error {
	return &connectors.RequestError{Status: status, Reason: reason}
}

// VerifyRequest checks a delivery's token from its URL or header, before
// its body is read.
func (c *conn) VerifyRequest(_ string, _ cty.Value, r *http.Request) error {
	if c.token == "" {
		return reject(http.StatusUnauthorized, "the connection has no webhook_token, so deliveries are refused")
	}
	got := r.URL.Query().Get("token")
	if got == "" {
		got = r.Header.Get(tokenHeader)
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(c.token)) != 1 {
		return reject(http.StatusUnauthorized, "missing or wrong token")
	}
	return nil
}

// Receive verifies a delivery and returns one event keyed by the
// notification, so a duplicate delivery dedupes. It reads nothing from
// ShipStation: ShipStation does not retry a delivery, so one that waited
// for a slow or failing API would be lost. The event carries the checked
// resource_url, and ResolveEvent fetches it when the run starts.
func (c *conn) Receive(_ context.Context, trigger string, args cty.Value, r *http.Request, body []byte) ([]connectors.Event, error) {
	if err := c.VerifyRequest(trigger, args, r); err != nil {
		return nil, err
	}
	// Unknown fields are ignored: ShipStation may add one at any time,
	// and the body is only ever used to find what to fetch.
	var n notification
	if err := json.Unmarshal(body, &n); err != nil || n.ResourceURL == "" || n.ResourceType == "" {
		return nil, reject(http.StatusBadRequest, "the body is not a ShipStation notification {resource_url, resource_type}")
	}
	if _, known := eventResource[n.ResourceType]; !known {
		return nil, reject(http.StatusBadRequest, fmt.Sprintf("unknown resource_type %q", n.ResourceType))
	}
	if _, _, err := c.resource(n.ResourceURL, n.ResourceType); err != nil {
		return nil, reject(http.StatusBadRequest, err.Error())
	}
	if !slices.Contains(events(args), n.ResourceType) {
		return nil, nil // not an event this trigger subscribes to
	}
	sum := sha256.Sum256([]byte(n.ResourceURL + "\x00" + n.ResourceType))
	key := hex.EncodeToString(sum[:16])
	return []connectors.Event{{Key: key, Data: eventOf(n.ResourceType, n.ResourceURL, nil, nil, nil, nil)}}, nil
}

// ResolveEvent fetches the records a notification points at. An event
// that already carries records (received by an earlier tote, which fetched
// before answering) is returned as it is.
func (c *conn) ResolveEvent(ctx context.Context, trigger string, _ cty.Value, data cty.Value) (cty.Value, error) {
	if trigger != "shipstation_webhook" || data.IsNull() || !data.IsWhollyKnown() {
		return data, nil
	}
	for _, list := range routedLists {
		if v := data.GetAttr(list); !v.IsNull() && v.LengthInt() > 0 {
			return data, nil
		}
	}
	rtype, rurl := str(data.GetAttr("resource_type")), str(data.GetAttr("resource_url"))
	u, q, err := c.resource(rurl, rtype)
	if err != nil {
		return cty.NilVal, connectors.Permanent(fmt.Errorf("the notification's %s", err))
	}
	var orders []Order
	var shipments []Shipment
	var fulfillments []Fulfillment
	switch eventResource[rtype] {
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
		return cty.NilVal, fmt.Errorf("fetching the %s notification's records: %w", rtype, err)
	}
	return eventOf(rtype, rurl, orders, shipments, fulfillments, nil), nil
}

// resourceParams are the query parameters ShipStation puts in each list's
// resource_url, by lower-cased name (its API matches names in any case),
// with their spelling and a check of their value. Any other parameter
// (a date range, a page) is refused: it would make tote read far more than
// the notification's records. The /fulfillments set is inferred (see
// docs/vendor-notes.md).
var resourceParams = map[string]map[string]param{
	"/orders": {"importbatch": {"importBatch", guidValue, true}},
	"/shipments": {
		"batchid":              {"batchId", digitsValue, true},
		"includeshipmentitems": {"includeShipmentItems", boolValue, false},
	},
	"/fulfillments": {
		"batchid":        {"batchId", digitsValue, false},
		"fulfillmentid":  {"fulfillmentId", digitsValue, false},
		"orderid":        {"orderId", digitsValue, false},
		"ordernumber":    {"orderNumber", anyValue, false},
		"trackingnumber": {"trackingNumber", anyValue, false},
	},
}

type param struct {
	name     string
	valid    *regexp.Regexp
	required bool
}

var (
	guidValue   = regexp.MustCompile(`^[0-9A-Za-z-]{1,64}$`)
	digitsValue = regexp.MustCompile(`^[0-9]{1,19}$`)
	boolValue   = regexp.MustCompile(`^(?i:true|false)$`)
	anyValue    = regexp.MustCompile(`^.{1,100}$`)
)

// resource checks a resource_url whole, for the list its resource_type
// points at: an allowed host, that list's path, and only the query
// parameters ShipStation sends for it, each once. It returns the URL
// without its query and the query with canonical names.
func (c *conn) resource(raw, rtype string) (*url.URL, url.Values, error) {
	path := eventResource[rtype]
	u, err := c.allowed(raw, path)
	if err != nil {
		return nil, nil, err
	}
	if u.Fragment != "" {
		return nil, nil, fmt.Errorf("resource_url has a fragment")
	}
	rawQuery, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, nil, fmt.Errorf("resource_url has an unreadable query")
	}
	allowed := resourceParams[path]
	q := url.Values{}
	for k, vs := range rawQuery {
		p, ok := allowed[strings.ToLower(k)]
		if !ok {
			return nil, nil, fmt.Errorf("resource_url query parameter %q is not one ShipStation sends for %s (allowed: %s)", k, rtype, paramNames(allowed))
		}
		if len(vs) != 1 || q.Has(p.name) {
			return nil, nil, fmt.Errorf("resource_url query parameter %q appears more than once", k)
		}
		if !p.valid.MatchString(vs[0]) {
			return nil, nil, fmt.Errorf("resource_url query parameter %q has an unexpected value", k)
		}
		q.Set(p.name, vs[0])
	}
	narrowed := false
	for _, p := range allowed {
		if p.required && !q.Has(p.name) {
			return nil, nil, fmt.Errorf("resource_url has no %s parameter, which ShipStation always sends for %s", p.name, rtype)
		}
		narrowed = narrowed || (q.Has(p.name) && p.valid != boolValue)
	}
	if !narrowed {
		return nil, nil, fmt.Errorf("resource_url names no records (allowed: %s)", paramNames(allowed))
	}
	u.RawQuery = ""
	return u, q, nil
}

func paramNames(ps map[string]param) string {
	names := make([]string, 0, len(ps))
	for _, p := range ps {
		names = append(names, p.name)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// allowed checks a resource_url's host and path: ShipStation's API hosts
// over https, or the connection's own api_url host, and the list the event
// points at.
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
	shipList := listOf(shipments)
	return cty.ObjectVal(map[string]cty.Value{
		"resource_type":   cty.StringVal(rtype),
		"resource_url":    cty.StringVal(stripToken(rurl)),
		"orders":          listOf(orders),
		"shipments":       shipList,
		"other_shipments": otherChannels(shipList),
		"fulfillments":    listOf(fulfillments),
		"return_labels":   listOf(returns),
		"order_ids":       idList,
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
