package bigcommerce

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/shopspring/decimal"
	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/budget"
	"github.com/toteworks/tote/connectors/schema"
	"github.com/zclconf/go-cty/cty"
)

var refundItemsArg = cty.List(cty.ObjectWithOptionalAttrs(map[string]cty.Type{
	"item_type": cty.String, "item_id": cty.Number, "quantity": cty.Number, "amount": cty.Number, "reason": cty.String,
}, []string{"quantity", "amount", "reason"}))

var refundPaymentsArg = cty.List(cty.ObjectWithOptionalAttrs(map[string]cty.Type{
	"provider_id": cty.String, "amount": cty.Number, "offline": cty.Bool,
}, []string{"offline"}))

var refundMethodType = obj(map[string]cty.Type{
	"provider_id": cty.String, "provider_description": cty.String, "amount": cty.Number, "offline": cty.Bool,
	"offline_provider": cty.Bool, "offline_reason": cty.String,
})

var refundQuoteType = obj(map[string]cty.Type{
	"order_id": cty.Number, "total_refund_amount": cty.Number, "total_refund_tax_amount": cty.Number,
	"order_level_refund_amount": cty.Number, "rounding": cty.Number, "adjustment": cty.Number,
	"tax_inclusive": cty.Bool, "refund_methods": cty.List(cty.List(refundMethodType)),
})

var refundItemType = obj(map[string]cty.Type{
	"item_type": cty.String, "item_id": cty.Number, "quantity": cty.Number, "requested_amount": cty.Number, "reason": cty.String,
})

var refundPaymentType = obj(map[string]cty.Type{
	"id": cty.Number, "provider_id": cty.String, "amount": cty.Number, "offline": cty.Bool,
	"is_declined": cty.Bool, "declined_message": cty.String,
})

var refundType = obj(map[string]cty.Type{
	"id": cty.Number, "order_id": cty.Number, "created": cty.String, "reason": cty.String,
	"total_amount": cty.Number, "total_tax": cty.Number, "items": cty.List(refundItemType),
	"payments": cty.List(refundPaymentType), "reference": cty.String, "declined": cty.Bool,
})

const refundItemsDoc = "What to refund: item_type PRODUCT or GIFT_WRAPPING with item_id (the order line id) and " +
	"quantity; SHIPPING or HANDLING with item_id (the address id) and amount; ORDER with the order id and amount. " +
	"An item may carry a reason."

// maxReference bounds a refund's reference, which goes into reasons of at
// most 1000 characters.
const maxReference = 100

func refundActions() []action {
	return []action{
		{
			Spec: connectors.ActionSpec{
				Name: "refund_quote", Kind: connectors.Read, Output: refundQuoteType,
				Doc: "What refunding items would come to, and the ways it can be paid (refund_methods; each inner list is one way).",
				Args: schema.Object{Attrs: []schema.Attr{
					{Name: "order_id", Type: cty.Number, Required: true},
					{Name: "items", Type: refundItemsArg, Required: true, Doc: refundItemsDoc},
				}},
			},
			Read: readArgs(readRefundQuote),
		},
		{
			Spec: connectors.ActionSpec{
				Name: "list_refunds", Kind: connectors.Read, Output: cty.List(refundType),
				Doc: "An order's refunds, oldest first, declined ones included (declined: the payment provider " +
					"refused one of its payments). reference is what the refund's reason names in square brackets " +
					"(see create_refund), else empty.",
				Args: schema.Object{Attrs: []schema.Attr{{Name: "order_id", Type: cty.Number, Required: true}}},
			},
			Read: readArgs(readRefunds),
		},
		{
			Spec: connectors.ActionSpec{
				Name: "create_refund", Kind: connectors.Write, Guarantee: connectors.ReadBack, Output: refundType, Identity: []string{"order_id", "items"},
				Doc: "Refund items of an order. BigCommerce refunds are not idempotent, so the plan reads the order's " +
					"refunds and plans nothing when one standing for this one exists (see reference). A refund the " +
					"payment provider declines fails for good with the provider's message, and is never sent again (a " +
					"later apply fails with the same message): it is left for a person, and a refund of the same items " +
					"made after it naming no reference (by hand, another way) stands for it. Refunds of one order are " +
					"sent one at a time. Refunds never restock.",
				Args: schema.Object{Attrs: []schema.Attr{
					{Name: "order_id", Type: cty.Number, Required: true},
					{Name: "items", Type: refundItemsArg, Required: true, Doc: refundItemsDoc},
					{Name: "payments", Type: refundPaymentsArg,
						Doc: "How to pay it (provider_id, amount, offline), matching a refund method of the quote; default the quote's first method."},
					{Name: "reason", Type: cty.String, Doc: "Reason for items that give none (at most 1000 characters)."},
					{Name: "reference", Type: cty.String, Doc: "Names this refund among the order's refunds, for refunds " +
						"of the same items at different times (a return parcel's tracking number, say; at most 100 " +
						"characters, no square brackets). Each item's reason ends with it in square brackets. A refund " +
						"naming it is this one, whatever its items: one refund per reference. Failing that, so is a " +
						"refund of the same items that names no reference (made by hand). Without a reference, any " +
						"refund of the same items is this one."},
				}},
			},
			Plan: planArgs(planRefund), Apply: applyArgs(applyRefund),
		},
	}
}

// decimalOf converts a cty number to a decimal through its text, exactly.
func (a *args) decimalOf(what string, v cty.Value) *amount {
	if v.IsNull() {
		return nil
	}
	if !v.IsKnown() || v.Type() != cty.Number {
		a.fail("%s must be a known number", what)
		return nil
	}
	d, err := decimal.NewFromString(v.AsBigFloat().Text('f', -1))
	if err != nil {
		a.fail("%s: %v", what, err)
		return nil
	}
	return &amount{d}
}

// refundReference reads the reference argument; "" when absent.
func refundReference(a *args) string {
	ref := strings.TrimSpace(a.str("reference"))
	switch {
	case strings.ContainsAny(ref, "[]"):
		a.fail("reference must not contain square brackets")
	case len(ref) > maxReference:
		a.fail("reference is longer than %d characters", maxReference)
	}
	return ref
}

// refundItems reads the items argument. With a reference, each item's
// reason ends with it in square brackets.
func refundItems(a *args, ref string) []refundItem {
	reason := a.str("reason")
	var out []refundItem
	for i, e := range a.elems("items") {
		at := func(n string) string { return fmt.Sprintf("items[%d].%s", i, n) }
		it := refundItem{ItemType: strings.ToUpper(a.strOf(at("item_type"), e.GetAttr("item_type"))), ItemID: a.intOf(at("item_id"), e.GetAttr("item_id"))}
		if q := e.GetAttr("quantity"); !q.IsNull() {
			n := a.intOf(at("quantity"), q)
			it.Quantity = &n
		}
		it.Amount = a.decimalOf(at("amount"), e.GetAttr("amount"))
		if r := e.GetAttr("reason"); !r.IsNull() {
			it.Reason = a.strOf(at("reason"), r)
		}
		if it.Reason == "" {
			it.Reason = reason
		}
		if ref != "" && referenceOf(it.Reason) != ref {
			it.Reason = strings.TrimSpace(it.Reason + " [" + ref + "]")
		}
		out = append(out, it)
	}
	if a.err == nil && len(out) == 0 {
		a.fail("no items to refund")
	}
	return out
}

func refundQuoteVal(q refundQuote) cty.Value {
	methods := make([]cty.Value, 0, len(q.RefundMethods))
	for _, m := range q.RefundMethods {
		opts := make([]cty.Value, 0, len(m))
		for _, o := range m {
			opts = append(opts, cty.ObjectVal(map[string]cty.Value{
				"provider_id": str(o.ProviderID), "provider_description": str(o.ProviderDescription), "amount": dec(o.Amount),
				"offline": cty.BoolVal(o.Offline), "offline_provider": cty.BoolVal(o.OfflineProvider), "offline_reason": str(o.OfflineReason),
			}))
		}
		methods = append(methods, listOf(refundMethodType, opts))
	}
	inclusive := false
	for _, b := range []*bool{q.TaxInclusive, q.IsTaxIncluded} {
		if b != nil {
			inclusive = *b
		}
	}
	return cty.ObjectVal(map[string]cty.Value{
		"order_id": num(q.OrderID), "total_refund_amount": dec(q.TotalRefundAmount),
		"total_refund_tax_amount": dec(q.TotalRefundTaxAmount), "order_level_refund_amount": dec(q.OrderLevelRefundAmount),
		"rounding": dec(q.Rounding), "adjustment": dec(q.Adjustment), "tax_inclusive": cty.BoolVal(inclusive),
		"refund_methods": listOf(cty.List(refundMethodType), methods),
	})
}

func refundVal(r refund) cty.Value {
	items := make([]cty.Value, 0, len(r.Items))
	for _, it := range r.Items {
		requested := cty.NullVal(cty.Number)
		if it.RequestedAmount != nil {
			requested = optDec(*it.RequestedAmount)
		}
		items = append(items, cty.ObjectVal(map[string]cty.Value{
			"item_type": str(it.ItemType), "item_id": num(it.ItemID), "quantity": optNum(it.Quantity),
			"requested_amount": requested, "reason": str(it.Reason),
		}))
	}
	payments := make([]cty.Value, 0, len(r.Payments))
	for _, p := range r.Payments {
		payments = append(payments, cty.ObjectVal(map[string]cty.Value{
			"id": num(p.ID), "provider_id": str(p.ProviderID), "amount": dec(p.Amount), "offline": cty.BoolVal(p.Offline),
			"is_declined": cty.BoolVal(p.IsDeclined), "declined_message": str(p.DeclinedMessage),
		}))
	}
	_, refused := declined(r)
	return cty.ObjectVal(map[string]cty.Value{
		"id": num(r.ID), "order_id": num(r.OrderID), "created": str(formatTime(r.Created.Time)), "reason": str(r.Reason),
		"total_amount": dec(r.TotalAmount), "total_tax": dec(r.TotalTax),
		"items": listOf(refundItemType, items), "payments": listOf(refundPaymentType, payments),
		"reference": str(refundRef(r)), "declined": cty.BoolVal(refused),
	})
}

// referenceOf is the text in the last square brackets of a reason, or "".
func referenceOf(reason string) string {
	i := strings.LastIndex(reason, "[")
	if i < 0 {
		return ""
	}
	j := strings.Index(reason[i:], "]")
	if j < 0 {
		return ""
	}
	return strings.TrimSpace(reason[i+1 : i+j])
}

// refundRef is the reference a refund names: in its reason, else in the
// first of its items' reasons that names one.
func refundRef(r refund) string {
	if ref := referenceOf(r.Reason); ref != "" {
		return ref
	}
	for _, it := range r.Items {
		if ref := referenceOf(it.Reason); ref != "" {
			return ref
		}
	}
	return ""
}

func (c *conn) quote(ctx context.Context, orderID int64, items []refundItem) (refundQuote, error) {
	return v3Data[refundQuote](ctx, c.api, call{method: http.MethodPost,
		path: fmt.Sprintf("/v3/orders/%d/payment_actions/refund_quotes", orderID),
		body: refundRequest{Items: items}, prio: budget.Orders, replayable: true})
}

func readRefundQuote(c *conn, ctx context.Context, a *args) (cty.Value, error) {
	id := a.int("order_id")
	items := refundItems(a, "")
	if a.err != nil {
		return cty.NilVal, a.err
	}
	q, err := c.quote(ctx, id, items)
	if err != nil {
		return cty.NilVal, err
	}
	return refundQuoteVal(q), nil
}

func readRefunds(c *conn, ctx context.Context, a *args) (cty.Value, error) {
	id := a.int("order_id")
	if a.err != nil {
		return cty.NilVal, a.err
	}
	rs, err := c.refunds(ctx, id)
	if err != nil {
		return cty.NilVal, err
	}
	vals := make([]cty.Value, len(rs))
	for i, r := range rs {
		vals[i] = refundVal(r)
	}
	return listOf(refundType, vals), nil
}

// itemKey identifies what a refund item takes: units of a line, or an
// amount of a shipping, handling or order charge.
func itemKey(it refundItem) string {
	switch {
	case it.Quantity != nil:
		return fmt.Sprintf("%s/%d:%d", it.ItemType, it.ItemID, *it.Quantity)
	case it.Amount != nil:
		return fmt.Sprintf("%s/%d:%s", it.ItemType, it.ItemID, it.Amount.StringFixed(2))
	case it.RequestedAmount != nil && it.RequestedAmount.Valid:
		return fmt.Sprintf("%s/%d:%s", it.ItemType, it.ItemID, it.RequestedAmount.StringFixed(2))
	}
	return fmt.Sprintf("%s/%d", it.ItemType, it.ItemID)
}

// sameRefund reports whether an existing refund took exactly the items.
func sameRefund(existing, want []refundItem) bool {
	count := func(items []refundItem) map[string]int {
		m := map[string]int{}
		for _, it := range items {
			m[itemKey(it)]++
		}
		return m
	}
	a, b := count(existing), count(want)
	if len(a) != len(b) {
		return false
	}
	for k, n := range a {
		if b[k] != n {
			return false
		}
	}
	return true
}

func (c *conn) refunds(ctx context.Context, orderID int64) ([]refund, error) {
	rs, err := v3List[refund](ctx, c.api, call{method: http.MethodGet,
		path: fmt.Sprintf("/v3/orders/%d/payment_actions/refunds", orderID), prio: budget.Orders})
	if isNotFound(err) {
		return nil, connectors.Permanent(fmt.Errorf("bigcommerce: order %d: %w", orderID, connectors.ErrNotFound))
	}
	return rs, err
}

// declined reports whether the payment provider refused a refund (any of
// its payments), with the provider's messages.
func declined(r refund) (string, bool) {
	var msgs []string
	refused := false
	for _, p := range r.Payments {
		if p.IsDeclined {
			refused = true
			if m := strings.TrimSpace(p.DeclinedMessage); m != "" {
				msgs = append(msgs, m)
			}
		}
	}
	if refused && len(msgs) == 0 {
		msgs = append(msgs, "no reason given")
	}
	return strings.Join(msgs, "; "), refused
}

// sameRefunds finds the order's refund that stands for this one: one that
// went through, else one the payment provider declined. Without a
// reference it is a refund of exactly the items. With one it is the refund
// naming the reference, whatever its items; failing that, a refund of the
// same items naming no reference (one made by hand, or before references
// were given). A declined one is settled by the refund a person made for
// it (see settlements).
func (c *conn) sameRefunds(ctx context.Context, orderID int64, items []refundItem, ref string) (all []refund, done, refused *refund, err error) {
	all, err = c.refunds(ctx, orderID)
	if err != nil {
		return nil, nil, nil, err
	}
	if ref == "" {
		for i, r := range all {
			if !sameRefund(r.Items, items) {
				continue
			}
			if _, no := declined(r); !no {
				return all, &all[i], nil, nil
			}
			if refused == nil {
				refused = &all[i]
			}
		}
		return all, nil, refused, nil
	}
	settled := settlements(all)
	taken := map[int64]bool{}
	for _, u := range settled {
		taken[u.ID] = true
	}
	var byHand, byHandRefused *refund
	for i, r := range all {
		_, no := declined(r)
		switch got := refundRef(r); {
		case got == ref && !no:
			return all, &all[i], nil, nil
		case got == ref && refused == nil:
			refused = &all[i]
		case got != "" || !sameRefund(r.Items, items):
		case !no && byHand == nil && !taken[r.ID]:
			byHand = &all[i]
		case no && byHandRefused == nil:
			byHandRefused = &all[i]
		}
	}
	if refused == nil && byHand != nil {
		return all, byHand, nil, nil
	}
	if refused == nil {
		refused = byHandRefused
	}
	if refused != nil {
		if u, ok := settled[refused.ID]; ok {
			return all, u, nil, nil
		}
	}
	return all, nil, refused, nil
}

// settlements pairs declined refunds with the refunds a person made for
// them: each declined refund (the first per reference), oldest first, takes
// the oldest refund not taken yet that went through after it, names no
// reference and took the same items.
func settlements(all []refund) map[int64]*refund {
	out := map[int64]*refund{}
	taken := map[int64]bool{}
	seen := map[string]bool{}
	for _, d := range all {
		if _, no := declined(d); !no {
			continue
		}
		if ref := refundRef(d); ref != "" {
			if seen[ref] {
				continue
			}
			seen[ref] = true
		}
		for i := range all {
			u := &all[i]
			if _, no := declined(*u); no || u.ID <= d.ID || taken[u.ID] || refundRef(*u) != "" || !sameRefund(u.Items, d.Items) {
				continue
			}
			taken[u.ID] = true
			out[d.ID] = u
			break
		}
	}
	return out
}

// refundLocks holds a lock per order and connection: BigCommerce takes an
// order's refunds one at a time, and a refund must see the one before it.
var refundLocks = struct {
	sync.Mutex
	m map[refundLockKey]*refundLock
}{m: map[refundLockKey]*refundLock{}}

type refundLockKey struct {
	c     *conn
	order int64
}

type refundLock struct {
	sync.Mutex
	users int
}

// lockOrderRefunds takes the order's refund lock; the returned func
// releases it.
func (c *conn) lockOrderRefunds(orderID int64) func() {
	k := refundLockKey{c, orderID}
	refundLocks.Lock()
	l := refundLocks.m[k]
	if l == nil {
		l = &refundLock{}
		refundLocks.m[k] = l
	}
	l.users++
	refundLocks.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		refundLocks.Lock()
		if l.users--; l.users == 0 {
			delete(refundLocks.m, k)
		}
		refundLocks.Unlock()
	}
}

// planRefund plans nothing when a refund standing for this one went
// through. One the provider declined still plans a create, though apply
// will not send it: failing here would hold back every other write of a
// plan. The fingerprint covers the order's refunds that could stand for
// this one (with a reference, those naming it or no reference at all), so
// that a plan's other refunds of the order do not make it stale.
func planRefund(c *conn, ctx context.Context, a *args) (connectors.Change, error) {
	id := a.int("order_id")
	ref := refundReference(a)
	items := refundItems(a, ref)
	if a.err != nil {
		return connectors.Change{}, a.err
	}
	existing, done, _, err := c.sameRefunds(ctx, id, items, ref)
	if err != nil {
		return connectors.Change{}, err
	}
	vals := make([]cty.Value, 0, len(existing))
	for _, r := range existing {
		if got := refundRef(r); ref == "" || got == ref || got == "" {
			vals = append(vals, refundVal(r))
		}
	}
	ch := connectors.Change{Op: connectors.OpCreate, Before: cty.NullVal(a.v.Type()), After: a.v,
		Fingerprint: connectors.Fingerprint(listOf(refundType, vals))}
	if done != nil {
		ch.Op, ch.Before, ch.Output = connectors.OpNoop, a.v, refundVal(*done)
	}
	return ch, nil
}

func applyRefund(c *conn, ctx context.Context, a *args, _ connectors.Change) (cty.Value, error) {
	id := a.int("order_id")
	ref := refundReference(a)
	req := refundRequest{Items: refundItems(a, ref)}
	for i, e := range a.elems("payments") {
		p := refundPayment{ProviderID: a.strOf(fmt.Sprintf("payments[%d].provider_id", i), e.GetAttr("provider_id"))}
		if amt := a.decimalOf(fmt.Sprintf("payments[%d].amount", i), e.GetAttr("amount")); amt != nil {
			p.Amount = *amt
		}
		if off := e.GetAttr("offline"); !off.IsNull() && off.Type() == cty.Bool {
			p.Offline = off.True()
		}
		req.Payments = append(req.Payments, p)
	}
	if a.err != nil {
		return cty.NilVal, a.err
	}
	// Read the refunds again right before sending, the order's other
	// refunds held back: one that went through meanwhile is the answer, and
	// one the provider declined is for a person to deal with, never sent
	// again.
	defer c.lockOrderRefunds(id)()
	_, done, refused, err := c.sameRefunds(ctx, id, req.Items, ref)
	if err != nil {
		return cty.NilVal, err
	}
	if done != nil {
		return refundVal(*done), nil
	}
	if refused != nil {
		msg, _ := declined(*refused)
		return cty.NilVal, connectors.Permanent(fmt.Errorf(
			"bigcommerce: refund for order %d declined: %s (refund %d; a declined refund is not sent again)", id, msg, refused.ID))
	}
	if len(req.Payments) == 0 {
		q, err := c.quote(ctx, id, req.Items)
		if err != nil {
			return cty.NilVal, err
		}
		if len(q.RefundMethods) == 0 || len(q.RefundMethods[0]) == 0 {
			return cty.NilVal, connectors.Permanent(fmt.Errorf("bigcommerce: order %d offers no way to pay the refund", id))
		}
		for _, o := range q.RefundMethods[0] {
			req.Payments = append(req.Payments, refundPayment{ProviderID: o.ProviderID, Amount: o.Amount, Offline: o.Offline})
		}
	}
	// Never resent: a refund whose answer was lost is found by the next plan.
	r, err := v3Data[refund](ctx, c.api, call{method: http.MethodPost,
		path: fmt.Sprintf("/v3/orders/%d/payment_actions/refunds", id), body: req, prio: budget.Orders})
	if err != nil {
		return cty.NilVal, err
	}
	if msg, no := declined(r); no {
		// Created, but the money did not move: not a refund to build on,
		// and not one to try again.
		return cty.NilVal, connectors.Permanent(fmt.Errorf("bigcommerce: refund for order %d declined: %s", id, msg))
	}
	return refundVal(r), nil
}
