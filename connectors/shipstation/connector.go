package shipstation

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/budget"
	"github.com/toteworks/tote/connectors/internal/redirect"
	"github.com/zclconf/go-cty/cty"
)

// Defaults of the connection settings.
const (
	defaultAPIURL   = "https://ssapi.shipstation.com"
	defaultV2APIURL = "https://api.shipstation.com"
	defaultTimeout  = 30 * time.Second
)

// Coalescing of orders and order reads.
const (
	maxBulk      = 100 // createorders ceiling
	maxLookups   = 1000
	inFlight     = 4
	linger       = 50 * time.Millisecond
	cacheTTL     = 30 * time.Second
	namesTTL     = 10 * time.Minute
	namesRefresh = 30 * time.Second
)

// New returns the ShipStation connector.
func New() connectors.Connector { return connector{} }

// options are what tests replace; the zero value is production.
type options struct {
	clock      clock
	batchTimer func(time.Duration) <-chan time.Time // coalescer waits (default clock.after)
	backoff    time.Duration                        // first retry wait (default 1s)
	queued     func(kind string)                    // called when an order or a lookup is queued
	httpClient *http.Client
	maxPages   int // the most pages one list reads; 0: pager.DefaultMax
}

type connector struct{ opts options }

func (connector) Spec() connectors.Spec { return spec() }

// conn is an open connection, shared by every run of the process.
type conn struct {
	name      string
	closeOnce sync.Once
	skuRetry  time.Duration // how long an update of an unknown SKU waits
	log       *slog.Logger
	c         *client
	token     string
	v1Host    string // resource_url may name this host besides ssapi*.shipstation.com
	v1TLS     bool

	orders  *coalescer[*orderReq]
	lookups *coalescer[*lookupReq]
	index   *orderIndex
	written *ttlCache[string, recentWrite]
	cache   *ttlCache[string, *Order]
	prods   *ttlCache[string, *Product]
	// The product catalog, and what tote wrote to it lately.
	catalog    *productCatalog
	prodWrites *ttlCache[string, writtenProduct]
	// Listings of tagged orders, by tag and status (see tagged.go).
	tagged *sharedRead[[]Order]
	seen   *tagSeen

	tags, stores, warehouses *nameCache
	tagList                  []Tag // the tags' last read, kept under tags' lock

	// Return labels (see returns.go): the window watched, the last label
	// listing, and what never changes once read (shipments, DE tracking,
	// the order a number names while its delivery is reported).
	returnWindow time.Duration
	labelList    *ttlCache[string, []v2Label]
	v2Ships      *ttlCache[string, *v2Shipment]
	tracks       *ttlCache[string, *v2Tracking]
	returnOrders *ttlCache[string, *Order]

	ctx    context.Context // ends at Close; batches are sent under it
	cancel context.CancelFunc
}

func (k connector) Open(_ context.Context, cfg connectors.Config) (connectors.Conn, error) {
	v := cfg.Values.AsValueMap()
	key, secret := str(v["api_key"]), str(v["api_secret"])
	if key == "" || secret == "" {
		return nil, errors.New("shipstation: api_key and api_secret are required")
	}
	v1Base, err := baseURL(str(v["api_url"]), defaultAPIURL)
	if err != nil {
		return nil, fmt.Errorf("shipstation: api_url: %w", err)
	}
	v2Base, err := baseURL(str(v["v2_api_url"]), defaultV2APIURL)
	if err != nil {
		return nil, fmt.Errorf("shipstation: v2_api_url: %w", err)
	}
	if err := checkBase("api_url", v1Base, defaultAPIURL); err != nil {
		return nil, fmt.Errorf("shipstation: %w", err)
	}
	if err := checkBase("v2_api_url", v2Base, defaultV2APIURL); err != nil {
		return nil, fmt.Errorf("shipstation: %w", err)
	}
	share := 1.0
	if n := v["rate_share"]; n != cty.NilVal && !n.IsNull() {
		share, _ = n.AsBigFloat().Float64()
		if share <= 0 || share > 1 {
			return nil, fmt.Errorf("shipstation: rate_share must be more than 0 and at most 1, not %v", share)
		}
	}
	timeout := defaultTimeout
	if s := str(v["timeout"]); s != "" {
		if timeout, err = time.ParseDuration(s); err != nil || timeout <= 0 {
			return nil, fmt.Errorf("shipstation: timeout %q is not a positive duration", s)
		}
	}
	o := k.opts
	if o.clock.now == nil {
		o.clock = clock{now: time.Now, after: time.After}
	}
	if o.batchTimer == nil {
		o.batchTimer = o.clock.after
	}
	if o.backoff <= 0 {
		o.backoff = time.Second
	}
	if o.httpClient == nil {
		o.httpClient = &http.Client{}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	skuRetry := 15 * time.Minute
	if d := str(v["unknown_sku_retry"]); d != "" {
		if skuRetry, err = time.ParseDuration(d); err != nil || skuRetry <= 0 {
			return nil, fmt.Errorf("shipstation: unknown_sku_retry %q is not a positive duration", d)
		}
	}
	quota := 40
	if n := v["rate_quota"]; n != cty.NilVal && !n.IsNull() {
		q, _ := n.AsBigFloat().Int64()
		if q < 1 {
			return nil, fmt.Errorf("shipstation: rate_quota must be at least 1, not %v", n.AsBigFloat())
		}
		quota = int(q)
	}
	v2Quota := 200
	if n := v["v2_rate_quota"]; n != cty.NilVal && !n.IsNull() {
		q, _ := n.AsBigFloat().Int64()
		if q < 1 {
			return nil, fmt.Errorf("shipstation: v2_rate_quota must be at least 1, not %v", n.AsBigFloat())
		}
		v2Quota = int(q)
	}
	returnWindow := defaultReturnWindow
	if d := str(v["return_window"]); d != "" {
		if returnWindow, err = time.ParseDuration(d); err != nil || returnWindow <= 0 {
			return nil, fmt.Errorf("shipstation: return_window %q is not a positive duration", d)
		}
	}
	v2Key := str(v["v2_api_key"])
	cl := &client{
		v1Base: v1Base.String(), v2Base: v2Base.String(),
		v1Auth:   "Basic " + base64.StdEncoding.EncodeToString([]byte(key+":"+secret)),
		v2Key:    v2Key,
		http:     redirect.SameOrigin(o.httpClient),
		maxPages: o.maxPages,
		timeout:  timeout,
		backoff:  o.backoff,
		clk:      o.clock,
		keys:     newOrderKeys(),
		observer: cfg.Observer,
		// Budgets are shared by every connection using the credential,
		// keyed by a digest: the credential itself is never a map key.
		v1Budget: budget.Shared(digest("v1", key, secret), budget.Config{
			Quota: quota, Window: time.Minute, Share: share, Clock: o.clock.now, After: o.clock.after}),
		v2Budget: budget.Shared(digest("v2", v2Key), budget.Config{
			Quota: v2Quota, Window: time.Minute, Share: share, Clock: o.clock.now, After: o.clock.after}),
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{
		name: cfg.Name, log: log, c: cl, token: str(v["webhook_token"]), skuRetry: skuRetry,
		v1Host: v1Base.Host, v1TLS: v1Base.Scheme == "https",
		cache:   newTTLCache[string, *Order](cacheTTL, o.clock.now),
		index:   newOrderIndex(o.clock.now),
		written: newTTLCache[string, recentWrite](writtenTTL, o.clock.now),
		prods:   newTTLCache[string, *Product](cacheTTL, o.clock.now),
		ctx:     ctx, cancel: cancel,

		returnWindow: returnWindow,
		labelList:    newTTLCache[string, []v2Label](cacheTTL, o.clock.now),
		v2Ships:      newTTLCache[string, *v2Shipment](returnWindow, o.clock.now),
		tracks:       newTTLCache[string, *v2Tracking](returnWindow, o.clock.now),
		returnOrders: newTTLCache[string, *Order](deliveryLag, o.clock.now),
	}
	c.catalog = &productCatalog{listing: newSharedRead[map[string]*Product](ctx, productsTTL, o.clock.now), now: o.clock.now}
	c.prodWrites = newTTLCache[string, writtenProduct](productsTTL, o.clock.now)
	c.tagged = newSharedRead[[]Order](ctx, taggedTTL, o.clock.now)
	c.seen = newTagSeen(o.clock.now)
	c.tags = &nameCache{kind: "tag", load: c.loadTags, now: o.clock.now}
	c.stores = &nameCache{kind: "store", load: c.loadStores, now: o.clock.now}
	c.warehouses = &nameCache{kind: "warehouse", load: c.loadWarehouses, now: o.clock.now}
	ready := cl.v1Budget.NextToken
	// Batches leave at most at the budget's average pace while they are not
	// full, so a burst fills them instead of spending a call per order.
	c.orders = &coalescer[*orderReq]{max: maxBulk, gap: time.Minute / time.Duration(cl.v1Budget.Limit()),
		linger: linger, ready: ready, now: o.clock.now, timer: o.batchTimer, flush: c.sendOrders,
		slots: make(chan struct{}, inFlight), queued: hook(o.queued, "order")}
	c.lookups = &coalescer[*lookupReq]{max: maxLookups, gap: c.orders.gap, linger: linger, ready: ready, now: o.clock.now,
		timer: o.batchTimer, flush: c.resolveLookups, slots: make(chan struct{}, inFlight), queued: hook(o.queued, "lookup")}
	c.orders.start()
	c.lookups.start()
	return c, nil
}

// Close stops the batchers; requests still queued fail.
func (c *conn) Close() error {
	c.closeOnce.Do(func() {
		c.cancel()
		closed := errors.New("shipstation: the connection was closed")
		for _, r := range c.orders.close() {
			r.done <- orderResult{err: closed}
		}
		for _, r := range c.lookups.close() {
			r.done <- lookupResult{err: closed}
		}
	})
	return nil
}

func hook(f func(string), kind string) func() {
	if f == nil {
		return nil
	}
	return func() { f(kind) }
}

func baseURL(raw, def string) (*url.URL, error) {
	if raw == "" {
		raw = def
	}
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http(s) URL", raw)
	}
	return u, nil
}

// digest names a credential without revealing it.
func digest(parts ...string) string {
	h := sha256.New()
	h.Write([]byte("shipstation"))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func str(v cty.Value) string {
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}
