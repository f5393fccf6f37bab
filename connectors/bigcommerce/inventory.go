package bigcommerce

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/budget"
	"github.com/toteworks/tote/connectors/schema"
	"github.com/zclconf/go-cty/cty"
)

var stockType = obj(map[string]cty.Type{
	"sku": cty.String, "location_id": cty.Number, "quantity": cty.Number, "transaction_id": cty.String, "note": cty.String,
})

// levelType is the record a stock write targets; note says why the level
// written differs from the one asked for.
var levelType = obj(map[string]cty.Type{"level": cty.Number, "note": cty.String})

func inventoryActions() []action {
	sku := schema.Attr{Name: "sku", Type: cty.String, Required: true, Doc: "The variant's (or simple product's) SKU."}
	loc := schema.Attr{Name: "location_id", Type: cty.Number, Required: true, Doc: "The inventory location (the default location is usually 1)."}
	return []action{
		{
			Spec: connectors.ActionSpec{
				Name: "set_stock", Kind: connectors.Write, Guarantee: connectors.Idempotent, Output: stockType, Identity: []string{"sku", "location_id"},
				Doc: "Set a SKU's on-hand stock at a location (an absolute adjustment). Plans nothing when the level already matches.",
				Args: schema.Object{Attrs: []schema.Attr{sku, loc,
					{Name: "quantity", Type: cty.Number, Required: true, Doc: "The new on-hand level. A negative level " +
						"(e.g. a source's available stock with more allocated than on hand) is written as 0, with a note " +
						"in the plan, the output and a warning in the log."},
					{Name: "reason", Type: cty.String},
				}},
			},
			Plan: planArgs(planSetStock), Apply: applyArgs(applySetStock),
		},
		{
			Spec: connectors.ActionSpec{
				Name: "adjust_stock", Kind: connectors.Write, Guarantee: connectors.AtMostOnce, Output: stockType, Identity: []string{"sku", "location_id", "reference"},
				Doc: "Change a SKU's on-hand stock at a location by a delta (a relative adjustment). The API has no way " +
					"to tell whether an adjustment landed, so reference names what it is for (e.g. a shipment id): " +
					"with sku and location it identifies the adjustment, and the ledger makes it at most once: an adjustment whose " +
					"answer was lost (it may have landed) is parked for tote retry, never sent again on its own. A take of more " +
					"than the location holds takes it down to 0 (BigCommerce holds no negative stock), with a note in the plan, " +
					"the output and a warning in the log.",
				Args: schema.Object{Attrs: []schema.Attr{sku, loc,
					{Name: "quantity", Type: cty.Number, Required: true, Doc: "The change, negative to take stock away."},
					{Name: "reference", Type: cty.String, Required: true, Doc: "What the adjustment is for; the default reason."},
					{Name: "reason", Type: cty.String},
				}},
			},
			Plan: planArgs(planAdjustStock), Apply: applyArgs(applyAdjustStock),
		},
	}
}

// stockLevel reads a SKU's on-hand stock at a location; ok is false when
// the location does not list the SKU. Concurrent plans' reads are merged
// (see fetchStock).
func (c *conn) stockLevel(ctx context.Context, sku string, location int64) (int64, bool, error) {
	k := stockKey{sku: sku, location: location}
	res, err := c.stock.get(ctx, []stockKey{k})
	if err != nil {
		return 0, false, fmt.Errorf("stock of %q at location %d: %w", sku, location, err)
	}
	r := res[k]
	return r.onhand, r.ok, r.err
}

// locationStock reads one SKU's stock from its location's list; an unknown
// location is a 404.
func (c *conn) locationStock(ctx context.Context, sku string, location int64) (int64, bool, error) {
	items, err := v3List[locationItem](ctx, c.api, call{method: http.MethodGet,
		path: fmt.Sprintf("/v3/inventory/locations/%d/items", location), query: url.Values{"sku:in": {sku}}, prio: budget.Inventory})
	if err != nil {
		return 0, false, err
	}
	for _, it := range items {
		if strings.EqualFold(it.Identity.SKU, sku) {
			return it.TotalInventoryOnhand, true, nil
		}
	}
	return 0, false, nil
}

func stockVal(sku string, location, quantity int64, tx, note string) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"sku": str(sku), "location_id": num(location), "quantity": num(quantity),
		"transaction_id": str(tx), "note": nullStr(note)})
}

func levelVal(n int64, note string) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"level": num(n), "note": nullStr(note)})
}

// nullStr is s, or null when empty.
func nullStr(s string) cty.Value {
	if s == "" {
		return cty.NullVal(cty.String)
	}
	return cty.StringVal(s)
}

// setStockArgs reads set_stock's arguments. BigCommerce holds no negative
// stock: a negative quantity becomes 0 and note says so.
func setStockArgs(a *args) (sku string, loc, qty int64, note string, err error) {
	sku, loc, qty = a.str("sku"), a.int("location_id"), a.int("quantity")
	if a.err != nil {
		return "", 0, 0, "", a.err
	}
	if qty < 0 {
		note = fmt.Sprintf("quantity %d written as 0: stock cannot be negative", qty)
		qty = 0
	}
	return sku, loc, qty, note, nil
}

func planSetStock(c *conn, ctx context.Context, a *args) (connectors.Change, error) {
	sku, loc, qty, note, err := setStockArgs(a)
	if err != nil {
		return connectors.Change{}, err
	}
	if note != "" {
		c.log.Warn("bigcommerce: negative stock written as 0", "sku", sku, "location_id", loc, "quantity", a.int("quantity"))
	}
	after := levelVal(qty, note)
	cur, ok, err := c.stockLevel(ctx, sku, loc)
	if err != nil {
		return connectors.Change{}, err
	}
	if !ok {
		return connectors.Change{Op: connectors.OpUpdate, Before: cty.NullVal(levelType), After: after}, nil
	}
	ch := connectors.Change{Op: connectors.OpUpdate, Before: levelVal(cur, ""), After: after, Fingerprint: connectors.Fingerprint(levelVal(cur, ""))}
	if cur == qty {
		ch.Op, ch.Output = connectors.OpNoop, stockVal(sku, loc, qty, "", note)
	}
	return ch, nil
}

func (c *conn) adjust(ctx context.Context, method, path string, body adjustment, replayable bool) (string, error) {
	var out struct {
		TransactionID string `json:"transaction_id"`
	}
	_, err := c.api.do(ctx, call{method: method, path: path, body: body, prio: budget.Inventory, replayable: replayable}, &out)
	return out.TransactionID, err
}

func applySetStock(c *conn, ctx context.Context, a *args, _ connectors.Change) (cty.Value, error) {
	sku, loc, qty, note, err := setStockArgs(a)
	if err != nil {
		return cty.NilVal, err
	}
	reason := a.str("reason")
	if note != "" {
		reason = strings.TrimSpace(reason + " (" + note + ")")
	}
	// Setting an absolute level is safe to resend.
	tx, err := c.adjust(ctx, http.MethodPut, "/v3/inventory/adjustments/absolute",
		adjustment{Reason: reason, Items: []adjustmentItem{{LocationID: loc, SKU: sku, Quantity: qty}}}, true)
	if err != nil {
		return cty.NilVal, err
	}
	return stockVal(sku, loc, qty, tx, note), nil
}

func planAdjustStock(c *conn, ctx context.Context, a *args) (connectors.Change, error) {
	sku, loc, delta := a.str("sku"), a.int("location_id"), a.int("quantity")
	if a.err != nil {
		return connectors.Change{}, a.err
	}
	cur, ok, err := c.stockLevel(ctx, sku, loc)
	if err != nil {
		return connectors.Change{}, err
	}
	if !ok {
		return connectors.Change{Op: connectors.OpUpdate, Before: cty.NullVal(levelType), After: cty.NullVal(levelType)}, nil
	}
	// BigCommerce holds no negative stock and refuses a take below 0: more
	// units left the warehouse than it had (another channel sold what it
	// had promised). The take stops at 0, noted, rather than never landing.
	after, note := cur+delta, ""
	if delta < 0 && after < 0 {
		note = fmt.Sprintf("taking %d would leave %d: taken down to 0, stock cannot be negative", -delta, after)
		after = 0
		c.log.Warn("bigcommerce: stock taken down to 0, not below", "sku", sku, "location_id", loc, "quantity", delta, "level", cur)
	}
	// No fingerprint: a delta does not depend on the level it meets, and
	// the level our own adjustment moved must not make a replay of it look
	// like a change to write again. The ledger alone guards it.
	return connectors.Change{Op: connectors.OpUpdate, Before: levelVal(cur, ""), After: levelVal(after, note)}, nil
}

// plannedDelta is the change and note of a plan of adjust_stock that
// stopped the take at 0; ok is false for any other plan, whose take is the
// quantity asked for.
func plannedDelta(ch connectors.Change) (delta int64, note string, ok bool) {
	level := func(v cty.Value) (int64, bool) {
		if v == cty.NilVal || v.IsNull() || !v.IsWhollyKnown() || !v.Type().IsObjectType() || !v.Type().HasAttribute("level") {
			return 0, false
		}
		l := v.GetAttr("level")
		if l.IsNull() {
			return 0, false
		}
		n, _ := l.AsBigFloat().Int64()
		return n, true
	}
	before, ok1 := level(ch.Before)
	after, ok2 := level(ch.After)
	if !ok1 || !ok2 {
		return 0, "", false
	}
	if n := ch.After.GetAttr("note"); !n.IsNull() {
		note = n.AsString()
	}
	return after - before, note, note != ""
}

func applyAdjustStock(c *conn, ctx context.Context, a *args, ch connectors.Change) (cty.Value, error) {
	sku, loc, delta := a.str("sku"), a.int("location_id"), a.int("quantity")
	reason := firstNonEmpty(a.str("reason"), a.str("reference"))
	if a.err != nil {
		return cty.NilVal, a.err
	}
	// A take the plan stopped at 0 takes what the plan showed.
	note := ""
	if d, n, ok := plannedDelta(ch); ok {
		delta, note = d, n
		reason = strings.TrimSpace(reason + " (" + note + ")")
	}
	if delta == 0 {
		return stockVal(sku, loc, 0, "", note), nil
	}
	// Never resent: a second delta would count twice.
	tx, err := c.adjust(ctx, http.MethodPost, "/v3/inventory/adjustments/relative",
		adjustment{Reason: reason, Items: []adjustmentItem{{LocationID: loc, SKU: sku, Quantity: delta}}}, false)
	if err != nil {
		return cty.NilVal, err
	}
	return stockVal(sku, loc, delta, tx, note), nil
}
