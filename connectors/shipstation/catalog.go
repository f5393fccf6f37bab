package shipstation

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/budget"
	"github.com/zclconf/go-cty/cty"
)

// findProduct returns the product with exactly this SKU (nil when none):
// what tote itself last wrote, else the catalog listing (see products.go),
// else a lookup of the one SKU.
func (c *conn) findProduct(ctx context.Context, sku string) (*Product, error) {
	if idx, started, ok := c.catalog.listing.fresh(""); ok {
		return c.fromListing(ctx, sku, idx, started)
	}
	if w, written := c.prodWrites.get(sku); written {
		return w.p, nil
	}
	if p, ok := c.prods.get(sku); ok {
		return p, nil
	}
	if c.catalog.wantsListing() {
		idx, started, err := c.catalog.listing.get(ctx, "", c.listCatalog)
		if err != nil {
			return nil, err
		}
		return c.fromListing(ctx, sku, idx, started)
	}
	return c.lookupProduct(ctx, sku)
}

// fromListing answers from a listing begun at started, unless tote wrote
// the product since, or sent an order that may have created it.
func (c *conn) fromListing(ctx context.Context, sku string, idx map[string]*Product, started time.Time) (*Product, error) {
	if w, ok := c.prodWrites.get(sku); ok && !w.at.Before(started) {
		return w.p, nil
	}
	if p := idx[sku]; p != nil || c.catalog.absentFrom(sku, started) {
		return p, nil
	}
	if p, ok := c.prods.get(sku); ok {
		return p, nil
	}
	return c.lookupProduct(ctx, sku)
}

// lookupProduct reads the product with exactly this SKU. The list's sku
// filter is not exact, so the match is made here.
func (c *conn) lookupProduct(ctx context.Context, sku string) (*Product, error) {
	q := url.Values{"sku": {sku}, "showInactive": {"true"}}
	all, err := listAll[Product](ctx, c.c, budget.Products, "/products", q, "products")
	if err != nil {
		return nil, err
	}
	var found *Product
	for i := range all {
		if deref(all[i].SKU) == sku {
			found = &all[i]
			break
		}
	}
	if found != nil {
		// A miss is not kept: the product appears when an order brings
		// its SKU, and a waiting update must see it then.
		c.prods.put(sku, found)
	}
	return found, nil
}

func (c *conn) getProductRead(ctx context.Context, args cty.Value) (cty.Value, error) {
	p, err := c.findProduct(ctx, str(args.GetAttr("sku")))
	if err != nil || p == nil {
		return cty.NullVal(outType[Product]()), err
	}
	return toCty(*p, false), nil
}

// productUpdate is a planned update_product.
type productUpdate struct {
	current *Product
	desired Product
}

func (c *conn) planProduct(ctx context.Context, args cty.Value) (connectors.Change, productUpdate, error) {
	sku := str(args.GetAttr("sku"))
	var u productUpdate
	if err := fromCty(args.GetAttr("product"), &u.desired); err != nil {
		return connectors.Change{}, u, connectors.Permanent(fmt.Errorf("shipstation: update_product %s: product: %w", sku, err))
	}
	cur, err := c.findProduct(ctx, sku)
	if err != nil {
		return connectors.Change{}, u, err
	}
	if cur == nil {
		// ShipStation's API cannot create products: the record appears when
		// the first order with the SKU arrives (carrying its weight), or by a
		// CSV import. The update waits for it.
		return connectors.Change{}, u, connectors.Defer(c.skuRetry, fmt.Errorf("shipstation: no product has SKU %q yet; "+
			"the first order with it (or a product CSV import) creates one, and the update waits for it", sku))
	}
	u.current = cur
	current := toCty(*cur, false)
	after := toCty(u.desired, true)
	ch := connectors.Change{Op: connectors.OpUpdate, Before: project(current, after), After: after,
		Fingerprint: connectors.Fingerprint(current)}
	if connectors.Equivalent(ch.Before, after) {
		ch.Op, ch.After, ch.Output = connectors.OpNoop, ch.Before, current
	}
	return ch, u, nil
}

// applyProduct replaces the product with the current record merged with
// the arguments (PUT replaces a product whole).
func (c *conn) applyProduct(ctx context.Context, w connectors.WriteRequest) (cty.Value, error) {
	ch, u, err := c.planProduct(ctx, w.Args)
	if err != nil || ch.Op == connectors.OpNoop {
		return ch.Output, err
	}
	body, err := overlay(u.current, u.desired)
	if err != nil {
		return cty.NilVal, connectors.Permanent(fmt.Errorf("shipstation: encoding product: %w", err))
	}
	sku := deref(u.current.SKU)
	var ans actionAnswer
	path := "/products/" + strconv.FormatInt(deref(u.current.ProductID), 10)
	err = c.c.do(ctx, call{api: v1, method: http.MethodPut, path: path, body: json.RawMessage(body), prio: budget.Products}, &ans)
	c.prods.forget(sku)
	c.prodWrites.forget(sku)
	if err != nil {
		return cty.NilVal, err
	}
	if !ans.Success {
		return cty.NilVal, connectors.Permanent(fmt.Errorf("shipstation: update_product %s: %s", sku, ans.Message))
	}
	var saved Product
	if err := json.Unmarshal(body, &saved); err != nil {
		return cty.NilVal, err
	}
	// What ShipStation now holds answers later lookups of the SKU, ahead of
	// a catalog listing read before the write.
	c.prodWrites.put(sku, writtenProduct{p: &saved, at: c.c.clk.now()})
	return toCty(saved, false), nil
}

// A get_inventory request names at most inventorySKUsPerCall SKUs in at
// most inventorySKUBytes of encoded filter, so its URL stays far below the
// 8 KiB a gateway commonly accepts (docs/vendor-notes.md), and a chunk's
// rows usually fit one page.
const (
	inventorySKUsPerCall = v2PageSize
	inventorySKUBytes    = 4096
)

// getInventoryRead is get_inventory: v2 stock rows of the given SKUs, read
// in chunks of SKUs.
func (c *conn) getInventoryRead(ctx context.Context, args cty.Value) (cty.Value, error) {
	rows, err := c.inventoryOf(ctx, args)
	if err != nil {
		return cty.NilVal, err
	}
	return listOf(rows), nil
}

// getStockLevelsRead is get_stock_levels: the available units of each SKU
// that has stock rows, summed over its locations.
func (c *conn) getStockLevelsRead(ctx context.Context, args cty.Value) (cty.Value, error) {
	rows, err := c.inventoryOf(ctx, args)
	if err != nil {
		return cty.NilVal, err
	}
	sums := map[string]int64{}
	for _, r := range rows {
		sums[deref(r.SKU)] += deref(r.Available)
	}
	if len(sums) == 0 {
		return cty.MapValEmpty(cty.Number), nil
	}
	out := make(map[string]cty.Value, len(sums))
	for sku, n := range sums {
		out[sku] = cty.NumberIntVal(n)
	}
	return cty.MapVal(out), nil
}

// inventoryOf reads the v2 stock rows of the skus argument, in chunks.
func (c *conn) inventoryOf(ctx context.Context, args cty.Value) ([]InventoryLevel, error) {
	var skus []string
	want := map[string]bool{}
	for _, v := range args.GetAttr("skus").AsValueSlice() {
		if s := str(v); s != "" && !want[s] {
			want[s] = true
			skus = append(skus, s)
		}
	}
	var rows []InventoryLevel
	for _, part := range skuChunks(skus, inventorySKUsPerCall, inventorySKUBytes) {
		q := url.Values{"sku": {strings.Join(part, ",")}, "page_size": {strconv.Itoa(v2PageSize)}}
		got, err := pageThrough[InventoryLevel](ctx, c.c, call{api: v2, method: http.MethodGet, path: "/v2/inventory", query: q, prio: budget.Inventory}, "inventory")
		if err != nil {
			return nil, err
		}
		for _, r := range got {
			if want[deref(r.SKU)] {
				rows = append(rows, r)
			}
		}
	}
	return rows, nil
}

// skuChunks splits skus into runs of at most n SKUs whose comma-joined,
// query-encoded form takes at most size bytes (a longer SKU goes alone).
func skuChunks(skus []string, n, size int) [][]string {
	var out [][]string
	var cur []string
	used := 0
	for _, s := range skus {
		l := len(url.QueryEscape(s)) + len(url.QueryEscape(","))
		if len(cur) > 0 && (len(cur) >= n || used+l > size) {
			out, cur, used = append(out, cur), nil, 0
		}
		cur, used = append(cur, s), used+l
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// listWebhooks reads the subscriptions; the list comes wrapped in
// {"webhooks": [...]} or, per some clients, bare.
func (c *conn) listWebhooks(ctx context.Context) ([]Webhook, error) {
	var raw json.RawMessage
	if err := c.c.do(ctx, call{api: v1, method: http.MethodGet, path: "/webhooks", prio: budget.Orders}, &raw); err != nil {
		return nil, err
	}
	var hooks []Webhook
	if err := json.Unmarshal(raw, &hooks); err == nil {
		return hooks, nil
	}
	var env struct {
		Webhooks []Webhook `json:"webhooks"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, fmt.Errorf("shipstation: GET /webhooks: the answer is not the documented JSON: %w", err)
	}
	return env.Webhooks, nil
}

// viewOf shows a webhook without the token in its URL.
func viewOf(h Webhook) webhookView {
	v := webhookView{ID: h.WebHookID, Event: h.HookType, StoreID: h.StoreID, Name: h.Name, Active: h.Active}
	if h.URL != nil {
		v.URL = strPtr(stripToken(*h.URL))
	}
	return v
}

// stripToken removes the token query parameter from a URL.
func stripToken(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable url)"
	}
	q := u.Query()
	if !q.Has("token") {
		return raw
	}
	q.Del("token")
	u.RawQuery = q.Encode()
	return u.String()
}

// planEnsureWebhook is ensure_webhook's plan: the subscription for event
// and url (and store) exists and is active.
func (c *conn) planEnsureWebhook(ctx context.Context, args cty.Value) (connectors.Change, *Webhook, error) {
	event, target := str(args.GetAttr("event")), str(args.GetAttr("url"))
	var store *int64
	if !args.GetAttr("storeId").IsNull() {
		id := intArg(args, "storeId")
		store = &id
	}
	hooks, err := c.listWebhooks(ctx)
	if err != nil {
		return connectors.Change{}, nil, err
	}
	after := cty.ObjectVal(map[string]cty.Value{"event": cty.StringVal(event), "active": cty.True})
	for i := range hooks {
		h := &hooks[i]
		if deref(h.HookType) != event || deref(h.URL) != target || !sameStore(h.StoreID, store) {
			continue
		}
		before := cty.ObjectVal(map[string]cty.Value{"event": cty.StringVal(event), "active": cty.BoolVal(deref(h.Active))})
		ch := connectors.Change{Op: connectors.OpUpdate, Before: before, After: after, Fingerprint: connectors.Fingerprint(toCty(*h, false))}
		if deref(h.Active) {
			ch.Op, ch.Output = connectors.OpNoop, toCty(viewOf(*h), false)
		}
		return ch, h, nil
	}
	return connectors.Change{Op: connectors.OpCreate, Before: cty.NullVal(cty.DynamicPseudoType), After: after}, nil, nil
}

func (c *conn) applyEnsureWebhook(ctx context.Context, w connectors.WriteRequest) (cty.Value, error) {
	ch, h, err := c.planEnsureWebhook(ctx, w.Args)
	if err != nil || ch.Op == connectors.OpNoop {
		return ch.Output, err
	}
	if h != nil {
		// Webhooks cannot be edited through the API: replace the inactive one.
		if err := c.unsubscribe(ctx, deref(h.WebHookID)); err != nil {
			return cty.NilVal, err
		}
	}
	var store *int64
	if !w.Args.GetAttr("storeId").IsNull() {
		id := intArg(w.Args, "storeId")
		store = &id
	}
	req := subscribeRequest{TargetURL: str(w.Args.GetAttr("url")), Event: str(w.Args.GetAttr("event")), StoreID: store,
		FriendlyName: str(w.Args.GetAttr("name"))}
	id, err := c.subscribe(ctx, req)
	if err != nil {
		return cty.NilVal, err
	}
	active := true
	return toCty(viewOf(Webhook{WebHookID: &id, StoreID: store, HookType: &req.Event, URL: &req.TargetURL,
		Name: &req.FriendlyName, Active: &active}), false), nil
}

func sameStore(a, b *int64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}
