package bigcommercetest

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/toteworks/tote/connectors/internal/fakekit"
)

// refundBody is the body of refund-quote and refund requests.
type refundBody struct {
	Items                      []RefundItem    `json:"items"`
	TaxAdjustmentAmount        *Number         `json:"tax_adjustment_amount"`
	Payments                   []RefundPayment `json:"payments"`
	MerchantCalculatedOverride *struct {
		TotalAmount *Number `json:"total_amount"`
		TotalTax    *Number `json:"total_tax"`
	} `json:"merchant_calculated_override"`
}

// refundCalc is what a set of refund items comes to.
type refundCalc struct {
	raw, total, tax, orderLevel, adjustment decimal.Decimal
	qty                                     map[int]int             // order line -> units
	lineAmount                              map[int]decimal.Decimal // order line -> amount
	items                                   []RefundItem
}

// refundedSoFar sums what earlier refunds took, by kind and target.
// Declined refunds took nothing.
func (rec *orderRec) refundedSoFar(kind string, id int) (units int, amount decimal.Decimal) {
	for _, rf := range rec.refunds {
		if refundDeclined(rf) {
			continue
		}
		for _, it := range rf.Items {
			if it.ItemType != kind || it.ItemID != id {
				continue
			}
			if it.Quantity != nil {
				units += *it.Quantity
			}
			if it.RequestedAmount != nil {
				amount = amount.Add(it.RequestedAmount.Decimal)
			}
		}
	}
	return units, amount
}

func (rec *orderRec) refundedTotal() decimal.Decimal {
	sum := decimal.Zero
	for _, rf := range rec.refunds {
		if !refundDeclined(rf) {
			sum = sum.Add(rf.TotalAmount.Decimal)
		}
	}
	return sum
}

// refundDeclined reports whether the payment provider refused a refund.
func refundDeclined(rf *Refund) bool {
	for _, p := range rf.Payments {
		if p.IsDeclined {
			return true
		}
	}
	return false
}

// calcRefund validates refund items against what is left to refund. The
// error is the title of the 422.
func calcRefund(rec *orderRec, body refundBody) (refundCalc, string) {
	c := refundCalc{qty: map[int]int{}, lineAmount: map[int]decimal.Decimal{}}
	if len(body.Items) == 0 {
		if body.TaxAdjustmentAmount == nil {
			return c, "Either items or tax_adjustment_amount is required"
		}
		c.raw, c.tax = body.TaxAdjustmentAmount.Decimal, body.TaxAdjustmentAmount.Decimal
	}
	amounts := map[string]decimal.Decimal{}
	for _, it := range body.Items {
		out := it
		out.Amount = nil
		switch it.ItemType {
		case "PRODUCT":
			l := rec.line(it.ItemID)
			if l == nil {
				return c, fmt.Sprintf("Order product %d does not belong to order %d", it.ItemID, rec.o.ID)
			}
			if it.Quantity == nil || *it.Quantity <= 0 {
				return c, fmt.Sprintf("A quantity of at least 1 is required for order product %d", it.ItemID)
			}
			c.qty[l.ID] += *it.Quantity
			if left := l.Quantity - l.QuantityRefunded; c.qty[l.ID] > left {
				return c, fmt.Sprintf("Order product %d has %d refundable units; %d requested", l.ID, left, c.qty[l.ID])
			}
			amt := l.PriceIncTax.Mul(dec(*it.Quantity))
			for _, adj := range it.Adjustments {
				if adj.Amount.IsPositive() {
					return c, "Adjustment amounts must be negative"
				}
				amt = amt.Add(adj.Amount.Decimal)
				c.adjustment = c.adjustment.Add(adj.Amount.Decimal)
			}
			if amt.IsNegative() {
				return c, fmt.Sprintf("Adjustments exceed the value of order product %d", l.ID)
			}
			c.raw = c.raw.Add(amt)
			c.tax = c.tax.Add(l.PriceTax.Mul(dec(*it.Quantity)))
			c.lineAmount[l.ID] = c.lineAmount[l.ID].Add(amt)
			out.RequestedAmount = &Number{amt}
		case "SHIPPING", "HANDLING", "ORDER":
			if it.Amount == nil || !it.Amount.IsPositive() {
				return c, fmt.Sprintf("A positive amount is required for %s item %d", it.ItemType, it.ItemID)
			}
			var limit decimal.Decimal
			switch it.ItemType {
			case "ORDER":
				if it.ItemID != rec.o.ID {
					return c, fmt.Sprintf("ORDER item_id must be the order id %d", rec.o.ID)
				}
				limit = rec.o.TotalIncTax.Decimal
				c.orderLevel = c.orderLevel.Add(it.Amount.Decimal)
			default:
				a := rec.address(it.ItemID)
				if a == nil {
					return c, fmt.Sprintf("Shipping address %d does not belong to order %d", it.ItemID, rec.o.ID)
				}
				limit = a.CostIncTax.Decimal
				if it.ItemType == "HANDLING" {
					limit = a.HandlingCostIncTax.Decimal
				}
			}
			key := fmt.Sprintf("%s/%d", it.ItemType, it.ItemID)
			amounts[key] = amounts[key].Add(it.Amount.Decimal)
			_, before := rec.refundedSoFar(it.ItemType, it.ItemID)
			if before.Add(amounts[key]).GreaterThan(limit) {
				return c, fmt.Sprintf("%s item %d has %s left to refund", it.ItemType, it.ItemID, limit.Sub(before).StringFixed(2))
			}
			c.raw = c.raw.Add(it.Amount.Decimal)
			out.RequestedAmount = &Number{it.Amount.Decimal}
		default:
			return c, fmt.Sprintf("Refunds of item_type %q are not supported for this order", it.ItemType)
		}
		c.items = append(c.items, out)
	}
	c.total = c.raw.Round(2)
	c.tax = c.tax.Round(2)
	if left := rec.o.TotalIncTax.Sub(rec.refundedTotal()); c.total.GreaterThan(left) {
		return c, fmt.Sprintf("The refund total %s exceeds the %s left to refund on order %d", c.total.StringFixed(2), left.StringFixed(2), rec.o.ID)
	}
	return c, ""
}

// refundMethods are the ways the order's refund can be paid: the original
// provider, store credit for registered customers, or a custom offline refund.
func refundMethods(rec *orderRec, amount decimal.Decimal) [][]RefundMethodOption {
	var methods [][]RefundMethodOption
	if rec.providerID != "custom" {
		methods = append(methods, []RefundMethodOption{{ProviderID: rec.providerID, ProviderDescription: rec.o.PaymentMethod, Amount: number(amount)}})
	}
	if rec.o.CustomerID != 0 {
		methods = append(methods, []RefundMethodOption{{ProviderID: "storecredit", ProviderDescription: "Store Credit", Amount: number(amount)}})
	}
	return append(methods, []RefundMethodOption{{ProviderID: "custom", ProviderDescription: "Custom", Amount: number(amount),
		Offline: true, OfflineProvider: true}})
}

func (s *Server) createRefundQuote(w http.ResponseWriter, r *http.Request) {
	var body refundBody
	if err := decodeBody(r, &body); err != nil {
		badBodyV3(w, err)
		return
	}
	s.mu.Lock()
	rec := s.orderFor(w, r, true)
	if rec == nil {
		s.mu.Unlock()
		return
	}
	c, msg := calcRefund(rec, body)
	if msg != "" {
		s.mu.Unlock()
		writeV3Error(w, http.StatusUnprocessableEntity, msg, nil)
		return
	}
	q := RefundQuote{OrderID: rec.o.ID, TotalRefundAmount: number(c.total), TotalRefundTaxAmount: number(c.tax),
		OrderLevelRefundAmount: number(c.orderLevel), Rounding: number(c.total.Sub(c.raw)), Adjustment: number(c.adjustment),
		TaxInclusive: true, RefundMethods: refundMethods(rec, c.total)}
	s.mu.Unlock()
	writeV3(w, http.StatusCreated, q)
}

// writeRefundError writes a refund-create 422 in its documented {data:[...]} form.
func writeRefundError(w http.ResponseWriter, status int, title string) {
	fakekit.WriteJSON(w, status, map[string]any{"data": []v3Err{{Status: status, Title: title, Type: statusCodesURL}}})
}

func (s *Server) createRefund(w http.ResponseWriter, r *http.Request) {
	var body refundBody
	if err := decodeBody(r, &body); err != nil {
		badBodyV3(w, err)
		return
	}
	s.mu.Lock()
	rec := s.orderFor(w, r, true)
	if rec == nil {
		s.mu.Unlock()
		return
	}
	now := s.clock.Now()
	if now.Before(rec.refundBusyUntil) {
		s.mu.Unlock()
		writeRefundError(w, s.opts.RefundBusyStatus, "A refund is already being processed for this order. Refunds on one order must be sequential.")
		return
	}
	rf, events, status, msg := s.refundLocked(rec, body)
	if msg != "" {
		s.mu.Unlock()
		writeRefundError(w, status, msg)
		return
	}
	rec.refundBusyUntil = now.Add(s.opts.RefundBusyFor)
	out := copyRefund(rf)
	s.mu.Unlock()
	s.emit(events)
	writeV3(w, http.StatusCreated, out)
}

// refundLocked records a refund with its effects: quantities refunded and
// the order's status. Refunds never restock. A refused refund comes back as
// the HTTP status and title of its error. A refund the payment provider
// declines (see DeclineRefunds) is recorded with its payment declined and
// changes nothing else.
func (s *Server) refundLocked(rec *orderRec, body refundBody) (*Refund, []event, int, string) {
	unprocessable := func(msg string) (*Refund, []event, int, string) {
		return nil, nil, http.StatusUnprocessableEntity, msg
	}
	c, msg := calcRefund(rec, body)
	if msg != "" {
		return unprocessable(msg)
	}
	total, tax := c.total, c.tax
	override := body.MerchantCalculatedOverride != nil && body.MerchantCalculatedOverride.TotalAmount != nil
	if override {
		total = body.MerchantCalculatedOverride.TotalAmount.Decimal
		if t := body.MerchantCalculatedOverride.TotalTax; t != nil {
			tax = t.Decimal
		}
	}
	if len(body.Payments) == 0 {
		return unprocessable("At least one payment is required")
	}
	allowed := map[string]bool{}
	for _, m := range refundMethods(rec, total) {
		for _, opt := range m {
			allowed[opt.ProviderID] = true
		}
	}
	paid := decimal.Zero
	for _, p := range body.Payments {
		if p.ProviderID == "storecredit" && rec.o.CustomerID == 0 {
			return unprocessable("Unable to provide store credit for a guest customer.")
		}
		if !allowed[p.ProviderID] {
			return unprocessable(fmt.Sprintf("Payment provider %q cannot refund this order", p.ProviderID))
		}
		paid = paid.Add(p.Amount.Decimal)
	}
	if !paid.Round(2).Equal(total.Round(2)) {
		return unprocessable(fmt.Sprintf("The payments total %s does not match the refund amount %s", paid.StringFixed(2), total.StringFixed(2)))
	}
	decline, declined := s.refundDeclineLocked(rec, body.Payments)
	if declined && decline.Status != 0 {
		return nil, nil, decline.Status, decline.message()
	}
	rf := &Refund{ID: s.st.nextID("refund"), OrderID: rec.o.ID, Created: DateISO{s.now()},
		TotalAmount: number(total), TotalTax: number(tax), UsesMerchantOverrideValues: override, Items: c.items}
	if rf.Items == nil {
		rf.Items = []RefundItem{}
	}
	for _, it := range body.Items {
		if it.Reason != "" {
			rf.Reason = it.Reason
			break
		}
	}
	for _, p := range body.Payments {
		rp := RefundPayment{ID: s.st.nextID("payment"), ProviderID: p.ProviderID,
			Amount: p.Amount, Offline: p.Offline || p.ProviderID == "custom", TransactionID: s.newUUIDLocked()}
		if declined && gatewayPayment(rp) {
			rp.IsDeclined, rp.DeclinedMessage = true, decline.message()
		}
		rf.Payments = append(rf.Payments, rp)
	}
	rec.refunds = append(rec.refunds, rf)
	s.st.refunds[rf.ID] = rf
	if declined {
		return rf, nil, 0, ""
	}
	for id, q := range c.qty {
		l := rec.line(id)
		l.QuantityRefunded += q
		l.IsRefunded = l.QuantityRefunded >= l.Quantity
		l.RefundAmount = money(l.RefundAmount.Add(c.lineAmount[id]))
	}
	prev := rec.o.StatusID
	next := StatusPartiallyRefunded
	if !rec.refundedTotal().LessThan(rec.o.TotalIncTax.Decimal) {
		next = StatusRefunded
	}
	rec.o.DateModified = Date2822{s.now()}
	events := []event{
		{scope: "store/order/refund/created", data: map[string]any{"type": "order", "id": rec.o.ID, "refund": map[string]int{"refund_id": rf.ID}}},
		channelOrderEvent("refund/created", &rec.o),
	}
	if next != prev {
		rec.setStatus(next)
		events = append(events, s.statusSideEffectsLocked(rec, prev)...)
	} else {
		rec.o.PaymentStatus = paymentStatusFor(next)
	}
	events = append(events, orderEvent("store/order/updated", &rec.o), channelOrderEvent("updated", &rec.o))
	return rf, events, 0, ""
}

func copyRefund(rf *Refund) Refund {
	c := *rf
	c.Items = append([]RefundItem{}, rf.Items...)
	c.Payments = append([]RefundPayment{}, rf.Payments...)
	return c
}

func (s *Server) listOrderRefunds(w http.ResponseWriter, r *http.Request) {
	tx := r.URL.Query().Get("transaction_id")
	s.mu.Lock()
	rec := s.orderFor(w, r, true)
	if rec == nil {
		s.mu.Unlock()
		return
	}
	out := []Refund{}
	for _, rf := range rec.refunds {
		if tx == "" || refundHasTransaction(rf, tx) {
			out = append(out, copyRefund(rf))
		}
	}
	s.mu.Unlock()
	writeV3(w, http.StatusOK, out)
}

func refundHasTransaction(rf *Refund, tx string) bool {
	for _, p := range rf.Payments {
		if p.TransactionID == tx {
			return true
		}
	}
	return false
}

func (s *Server) listAllRefunds(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	orders, hasOrders, err1 := queryInts(q, "order_id:in")
	ids, hasIDs, err2 := queryInts(q, "id:in")
	var minT, maxT time.Time
	var err3, err4 error
	if q.Has("created:min") {
		minT, err3 = time.Parse(time.RFC3339, q.Get("created:min"))
	}
	if q.Has("created:max") {
		maxT, err4 = time.Parse(time.RFC3339, q.Get("created:max"))
	}
	for _, err := range []error{err1, err2, err3, err4} {
		if err != nil {
			writeV3Error(w, http.StatusUnprocessableEntity, "Invalid filter", map[string]string{"filter": err.Error()})
			return
		}
	}
	p, ok := s.parsePaging(w, r, true)
	if !ok {
		return
	}
	tx := q.Get("transaction_id")
	s.mu.Lock()
	var out []Refund
	for id := 1; id < s.st.next["refund"]; id++ {
		rf := s.st.refunds[id]
		switch {
		case rf == nil,
			hasOrders && !orders[rf.OrderID],
			hasIDs && !ids[rf.ID],
			!minT.IsZero() && rf.Created.Before(minT),
			!maxT.IsZero() && rf.Created.After(maxT),
			tx != "" && !refundHasTransaction(rf, tx):
			continue
		}
		out = append(out, copyRefund(rf))
	}
	s.mu.Unlock()
	writeV3Page(w, out, p)
}

func (s *Server) getRefund(w http.ResponseWriter, r *http.Request) {
	id, _ := pathID(r, "rid")
	s.mu.Lock()
	rf := s.st.refunds[id]
	var out Refund
	if rf != nil {
		out = copyRefund(rf)
	}
	s.mu.Unlock()
	if rf == nil {
		writeV3Error(w, http.StatusNotFound, fmt.Sprintf("Refund with id %s not found", strings.TrimSpace(r.PathValue("rid"))), nil)
		return
	}
	writeV3(w, http.StatusOK, out)
}
