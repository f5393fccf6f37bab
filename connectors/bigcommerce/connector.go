package bigcommerce

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/budget"
	"github.com/toteworks/tote/connectors/internal/actions"
	"github.com/toteworks/tote/connectors/internal/redirect"
	"github.com/toteworks/tote/connectors/orderkey"
	"github.com/toteworks/tote/connectors/schema"
	"github.com/zclconf/go-cty/cty"
)

// DefaultAPIURL is the BigCommerce API gateway.
const DefaultAPIURL = "https://api.bigcommerce.com"

// New returns the BigCommerce connector.
func New() connectors.Connector { return connector{} }

type connector struct{}

var configSchema = schema.Object{Attrs: []schema.Attr{
	{Name: "store_hash", Type: cty.String, Required: true, Doc: "The store's permanent hash (stores/{store_hash} in API paths)."},
	{Name: "access_token", Type: cty.String, Required: true, Sensitive: true, Doc: "The API account's access token (X-Auth-Token)."},
	{Name: "client_secret", Type: cty.String, Sensitive: true,
		Doc: "The API account's client secret; verifies the Standard Webhooks signatures of deliveries."},
	{Name: "api_url", Type: cty.String, Doc: "The API gateway.", Default: `"` + DefaultAPIURL + `"`},
	{Name: "webhook_header_secret", Type: cty.String, Sensitive: true,
		Doc: "The key each hook's " + tokenHeader + " header is derived from (default: client_secret, else access_token); " +
			"set it to rotate hook tokens on their own. Unsigned deliveries must carry the header."},
	{Name: "rate_share", Type: cty.Number,
		Doc: "The share of the store's request quota tote may use; other apps on the store keep the rest.", Default: "0.8"},
	{Name: "rate_quota", Type: cty.Number,
		Doc: "Requests per 30 s window of the store's plan (150 on Standard and Plus; Pro has 450).", Default: "150", Example: "450"},
	{Name: "timeout", Type: cty.String, Doc: "Timeout of one request.", Default: `"30s"`},
}}

func (connector) Spec() connectors.Spec {
	spec := connectors.Spec{
		Type:     "bigcommerce",
		Doc:      "A BigCommerce store: orders, shipments, refunds, metafields, catalog, inventory and webhooks.",
		Config:   configSchema,
		Triggers: []connectors.TriggerSpec{webhookTrigger, pollTrigger},
		RouteKey: routeKey,
	}
	spec.Actions = actionTable.Specs()
	return spec
}

// options are the knobs tests turn; Open uses the defaults.
type options struct {
	httpClient  *http.Client
	clock       func() time.Time
	after       func(time.Duration) <-chan time.Time
	batchWindow time.Duration
	attempts    int
	maxPages    int // the most pages one list reads; 0: pager.DefaultMax
}

func defaultOptions() options {
	return options{httpClient: &http.Client{}, clock: time.Now, after: time.After, batchWindow: 150 * time.Millisecond, attempts: 5}
}

func (connector) Open(ctx context.Context, cfg connectors.Config) (connectors.Conn, error) {
	return open(cfg, defaultOptions())
}

// conn is an open connection to one store. It is safe for concurrent use.
type conn struct {
	name         string
	storeHash    string
	clientSecret string
	tokenKey     string // derives the hooks' tokens; never sent
	api          *client
	orders       *batcher[int64, fullOrder]
	stock        *batcher[stockKey, stockRead]
	store        storeCache
	clock        func() time.Time
	log          *slog.Logger
	stop         context.CancelFunc
}

func open(cfg connectors.Config, o options) (*conn, error) {
	a := argsOf(cfg.Values)
	store, token := a.str("store_hash"), a.str("access_token")
	apiURL := strings.TrimSuffix(a.str("api_url"), "/")
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	if err := checkAPIURL(apiURL); err != nil {
		return nil, fmt.Errorf("bigcommerce: connection %s: %w", cfg.Name, err)
	}
	share := 0.8
	if v := a.get("rate_share"); !v.IsNull() && v.Type() == cty.Number {
		share, _ = v.AsBigFloat().Float64()
	}
	quota := int64(150)
	if a.has("rate_quota") {
		quota = a.int("rate_quota")
	}
	timeout := 30 * time.Second
	if s := a.str("timeout"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("bigcommerce: connection %s: timeout %q is not a duration", cfg.Name, s)
		}
		timeout = d
	}
	switch {
	case a.err != nil:
		return nil, fmt.Errorf("connection %s: %w", cfg.Name, a.err)
	case store == "" || token == "":
		return nil, fmt.Errorf("bigcommerce: connection %s: store_hash and access_token are required", cfg.Name)
	case share <= 0 || share > 1:
		return nil, fmt.Errorf("bigcommerce: connection %s: rate_share must be in (0, 1], not %s", cfg.Name, big.NewFloat(share).Text('g', 4))
	case quota < 1:
		return nil, fmt.Errorf("bigcommerce: connection %s: rate_quota must be at least 1", cfg.Name)
	}
	// The budget is keyed by a digest of the credential, never the credential.
	sum := sha256.Sum256([]byte(apiURL + "\x00" + store + "\x00" + token))
	b := budget.Shared("bigcommerce:"+hex.EncodeToString(sum[:]), budget.Config{
		Quota: int(quota), Window: 30 * time.Second, Share: share, Clock: o.clock, After: o.after,
	})
	base, stop := context.WithCancel(context.Background())
	c := &conn{
		name: cfg.Name, storeHash: store, clientSecret: a.str("client_secret"),
		tokenKey: firstNonEmpty(a.str("webhook_header_secret"), a.str("client_secret"), token),
		api: &client{base: apiURL + "/stores/" + store, token: token, http: redirect.SameOrigin(o.httpClient), budget: b, after: o.after,
			attemptTimeout: timeout, attempts: o.attempts, maxPages: o.maxPages, observer: cfg.Observer},
		clock: o.clock, log: cfg.Logger, stop: stop,
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.orders = &batcher[int64, fullOrder]{window: o.batchWindow, base: base, fetch: c.fetchOrders}
	c.stock = &batcher[stockKey, stockRead]{window: o.batchWindow, base: base, fetch: c.fetchStock}
	return c, nil
}

func (c *conn) Close() error {
	c.stop()
	return nil
}

// action is one action: its spec and how it runs.
// action is one action: its spec bound to its implementation.
type action = actions.Action[*conn]

// actionTable is every action, by group.
var actionTable = actions.New("bigcommerce", orderActions(), shipmentActions(), metafieldActions(), refundActions(),
	catalogActions(), inventoryActions(), hookActions(), storeActions())

func (c *conn) Read(ctx context.Context, name string, v cty.Value) (cty.Value, error) {
	return actionTable.Read(c, ctx, name, v)
}

func (c *conn) PlanWrite(ctx context.Context, name string, v cty.Value) (connectors.Change, error) {
	return actionTable.Plan(c, ctx, name, v)
}

func (c *conn) ApplyWrite(ctx context.Context, w connectors.WriteRequest) (cty.Value, error) {
	return actionTable.Apply(c, ctx, w)
}

// readArgs, planArgs and applyArgs give the actions their arguments
// through args, which collects conversion errors.
func readArgs(f func(*conn, context.Context, *args) (cty.Value, error)) func(*conn, context.Context, cty.Value) (cty.Value, error) {
	return func(c *conn, ctx context.Context, v cty.Value) (cty.Value, error) { return f(c, ctx, argsOf(v)) }
}

func planArgs(f func(*conn, context.Context, *args) (connectors.Change, error)) func(*conn, context.Context, cty.Value) (connectors.Change, error) {
	return func(c *conn, ctx context.Context, v cty.Value) (connectors.Change, error) {
		return f(c, ctx, argsOf(v))
	}
}

func applyArgs(f func(*conn, context.Context, *args, connectors.Change) (cty.Value, error)) func(*conn, context.Context, connectors.WriteRequest) (cty.Value, error) {
	return func(c *conn, ctx context.Context, w connectors.WriteRequest) (cty.Value, error) {
		return f(c, ctx, argsOf(w.Args), w.Change)
	}
}

// routeKey names the store a connection serves, as the ShipStation
// connector names the store of each record whose orderKey tote wrote.
func routeKey(cfg cty.Value) string {
	if cfg.IsNull() || !cfg.IsKnown() || !cfg.Type().IsObjectType() || !cfg.Type().HasAttribute("store_hash") {
		return ""
	}
	h := cfg.GetAttr("store_hash")
	if h.IsNull() || !h.IsKnown() || h.Type() != cty.String || h.AsString() == "" {
		return ""
	}
	return orderkey.RouteKey(h.AsString())
}
