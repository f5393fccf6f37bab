package bigcommercetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/toteworks/tote/connectors/internal/fakekit"
)

// renderOrder copies an order for output, with its links and includes.
func (s *Server) renderOrder(rec *orderRec, base string, q url.Values) Order {
	o := rec.o
	o.BillingAddress.FormFields = append([]FormField{}, rec.o.BillingAddress.FormFields...)
	id := strconv.Itoa(o.ID)
	link := func(path string) Resource {
		return Resource{URL: base + "/orders/" + id + path, Resource: "/orders/" + id + path}
	}
	o.Products = link("/products")
	o.ShippingAddresses = link("/shippingaddresses")
	o.Coupons = link("/coupons")
	includes := map[string]bool{}
	for _, inc := range strings.Split(q.Get("include"), ",") {
		includes[strings.TrimSpace(inc)] = true
	}
	if includes["consignments"] || includes["consignments.line_items"] {
		if q.Get("consignment_structure") == "object" {
			o.Consignments = s.consignments(rec, base, includes["consignments.line_items"])
		} else {
			o.Consignments = link("/consignments")
		}
	}
	if includes["fees"] {
		fees := []OrderFee{} // the fake creates no order fees
		o.Fees = &fees
	}
	return o
}

// consignments builds the object form of an order's consignments. Money in
// consignments is numbers, unlike /shipping_addresses.
func (s *Server) consignments(rec *orderRec, base string, withLines bool) map[string]any {
	shipping := []map[string]any{}
	for _, a := range rec.addrs {
		c := map[string]any{
			"id": a.ID, "first_name": a.FirstName, "last_name": a.LastName, "company": a.Company,
			"street_1": a.Street1, "street_2": a.Street2, "city": a.City, "state": a.State, "zip": a.Zip,
			"country": a.Country, "country_iso2": a.CountryISO2, "phone": a.Phone, "email": a.Email,
			"items_total": a.ItemsTotal, "items_shipped": a.ItemsShipped, "shipping_method": a.ShippingMethod,
			"base_cost": number(a.BaseCost.Decimal), "cost_ex_tax": number(a.CostExTax.Decimal),
			"cost_inc_tax": number(a.CostIncTax.Decimal), "cost_tax": number(a.CostTax.Decimal),
			"cost_tax_class_id": a.CostTaxClassID, "base_handling_cost": number(a.BaseHandlingCost.Decimal),
			"handling_cost_ex_tax": number(a.HandlingCostExTax.Decimal), "handling_cost_inc_tax": number(a.HandlingCostIncTax.Decimal),
			"handling_cost_tax": number(a.HandlingCostTax.Decimal), "handling_cost_tax_class_id": a.HandlingCostTaxClassID,
			"shipping_zone_id": a.ShippingZoneID, "shipping_zone_name": a.ShippingZoneName,
			"form_fields": append([]FormField{}, a.FormFields...),
		}
		var lines []any
		for _, l := range rec.lines {
			if l.OrderAddressID != a.ID {
				continue
			}
			if withLines {
				lines = append(lines, copyLine(l))
			} else {
				p := fmt.Sprintf("/orders/%d/products/%d", rec.o.ID, l.ID)
				lines = append(lines, Resource{URL: base + p, Resource: p})
			}
		}
		if lines == nil {
			lines = []any{}
		}
		c["line_items"] = lines
		shipping = append(shipping, c)
	}
	var downloads any = []any{}
	if rec.downloadsAsObject {
		downloads = map[string]any{"id": rec.o.ID, "recipient_email": rec.o.BillingAddress.Email, "line_items": []any{}}
	}
	return map[string]any{"shipping": shipping, "pickups": []any{}, "downloads": downloads,
		"email": map[string]any{"gift_certificates": []any{}}}
}

func copyLine(l *OrderProduct) OrderProduct {
	c := *l
	c.ProductOptions = append([]ProductOption{}, l.ProductOptions...)
	c.AppliedDiscounts = append([]AppliedDiscount{}, l.AppliedDiscounts...)
	c.ConfigurableFields = append([]FormField{}, l.ConfigurableFields...)
	return c
}

// orderFilter is the parsed query of GET /v2/orders and /v2/orders/count.
type orderFilter struct {
	minID, maxID                     int
	minTotal, maxTotal               *decimal.Decimal
	customerID, statusID, channelID  *int
	email, cartID, payment, external string
	minCreated, maxCreated           time.Time
	minModified, maxModified         time.Time
}

func parseOrderFilter(q url.Values) (orderFilter, error) {
	var f orderFilter
	var errs []error
	intp := func(key string) *int {
		if !q.Has(key) {
			return nil
		}
		n, err := strconv.Atoi(q.Get(key))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: not an integer", key))
			return nil
		}
		return &n
	}
	decp := func(key string) *decimal.Decimal {
		if !q.Has(key) {
			return nil
		}
		d, err := decimal.NewFromString(q.Get(key))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: not a number", key))
			return nil
		}
		return &d
	}
	timep := func(key string) time.Time {
		if !q.Has(key) {
			return time.Time{}
		}
		t, err := parseFilterTime(q.Get(key))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", key, err))
		}
		return t
	}
	if p := intp("min_id"); p != nil {
		f.minID = *p
	}
	if p := intp("max_id"); p != nil {
		f.maxID = *p
	}
	f.minTotal, f.maxTotal = decp("min_total"), decp("max_total")
	f.customerID, f.statusID, f.channelID = intp("customer_id"), intp("status_id"), intp("channel_id")
	f.email, f.cartID, f.payment, f.external = q.Get("email"), q.Get("cart_id"), q.Get("payment_method"), q.Get("external_order_id")
	f.minCreated, f.maxCreated = timep("min_date_created"), timep("max_date_created")
	f.minModified, f.maxModified = timep("min_date_modified"), timep("max_date_modified")
	return f, errors.Join(errs...)
}

// match reports whether an order passes the filter.
func (f orderFilter) match(o *Order, listIncomplete bool) bool {
	switch {
	case o.IsDeleted:
		return false
	case f.statusID != nil && o.StatusID != *f.statusID:
		return false
	case f.statusID == nil && o.StatusID == StatusIncomplete && !listIncomplete:
		return false
	case f.customerID != nil && o.CustomerID != *f.customerID:
		return false
	case f.channelID != nil && o.ChannelID != *f.channelID:
		return false
	case f.email != "" && !strings.EqualFold(o.BillingAddress.Email, f.email):
		return false
	case f.cartID != "" && o.CartID != f.cartID:
		return false
	case f.payment != "" && !strings.EqualFold(o.PaymentMethod, f.payment):
		return false
	case f.external != "" && o.ExternalOrderID != f.external:
		return false
	case f.minTotal != nil && o.TotalIncTax.LessThan(*f.minTotal):
		return false
	case f.maxTotal != nil && o.TotalIncTax.GreaterThan(*f.maxTotal):
		return false
	case !f.minCreated.IsZero() && o.DateCreated.Before(f.minCreated):
		return false
	case !f.maxCreated.IsZero() && o.DateCreated.After(f.maxCreated):
		return false
	case !f.minModified.IsZero() && o.DateModified.Before(f.minModified):
		return false
	case !f.maxModified.IsZero() && o.DateModified.After(f.maxModified):
		return false
	}
	return true
}

// matchingOrders returns the orders passing f in id order; min_id and max_id
// narrow the scan by binary search.
func (s *Server) matchingOrders(f orderFilter) []*orderRec {
	ids := s.st.orderIDs
	lo := sort.SearchInts(ids, f.minID)
	hi := len(ids)
	if f.maxID > 0 {
		hi = sort.SearchInts(ids, f.maxID+1)
	}
	var out []*orderRec
	for _, id := range ids[lo:max(lo, hi)] {
		if rec := s.st.orders[id]; rec != nil && f.match(&rec.o, s.opts.ListIncompleteOrders) {
			out = append(out, rec)
		}
	}
	return out
}

var orderSortKeys = map[string]func(a, b *Order) int{
	"id":            func(a, b *Order) int { return a.ID - b.ID },
	"customer_id":   func(a, b *Order) int { return a.CustomerID - b.CustomerID },
	"date_created":  func(a, b *Order) int { return a.DateCreated.Compare(b.DateCreated.Time) },
	"date_modified": func(a, b *Order) int { return a.DateModified.Compare(b.DateModified.Time) },
	"status_id":     func(a, b *Order) int { return a.StatusID - b.StatusID },
	"channel_id":    func(a, b *Order) int { return a.ChannelID - b.ChannelID },
	"external_id": func(a, b *Order) int {
		return strings.Compare(deref(a.ExternalID), deref(b.ExternalID))
	},
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := parseOrderFilter(q)
	if err != nil {
		writeV2Error(w, http.StatusBadRequest, err.Error())
		return
	}
	p, ok := s.parsePaging(w, r, false)
	if !ok {
		return
	}
	field, dir, _ := strings.Cut(q.Get("sort"), ":")
	if field == "" {
		field = "id"
	}
	cmp, known := orderSortKeys[field]
	if !known || (dir != "" && dir != "asc" && dir != "desc") {
		writeV2Invalid(w, "sort", fmt.Sprintf("Cannot sort by %q.", q.Get("sort")))
		return
	}
	base := s.linkBase(r)
	s.mu.Lock()
	recs := s.matchingOrders(f)
	if field != "id" || dir == "desc" {
		sort.SliceStable(recs, func(i, j int) bool {
			c := cmp(&recs[i].o, &recs[j].o)
			if c == 0 {
				c = recs[i].o.ID - recs[j].o.ID
			}
			if dir == "desc" {
				return c > 0
			}
			return c < 0
		})
	}
	page := pageOf(recs, p)
	out := make([]Order, 0, len(page))
	for _, rec := range page {
		out = append(out, s.renderOrder(rec, base, q))
	}
	s.mu.Unlock()
	writeV2List(w, out)
}

func (s *Server) countOrders(w http.ResponseWriter, r *http.Request) {
	f, err := parseOrderFilter(r.URL.Query())
	if err != nil {
		writeV2Error(w, http.StatusBadRequest, err.Error())
		return
	}
	s.mu.Lock()
	recs := s.matchingOrders(f)
	s.mu.Unlock()
	byStatus := map[int]int{}
	for _, rec := range recs {
		byStatus[rec.o.StatusID]++
	}
	type statusCount struct {
		ID                int    `json:"id"`
		Name              string `json:"name"`
		SystemLabel       string `json:"system_label"`
		CustomLabel       string `json:"custom_label"`
		SystemDescription string `json:"system_description"`
		Count             int    `json:"count"`
		SortOrder         int    `json:"sort_order"`
	}
	statuses := []statusCount{}
	for _, st := range orderStatuses {
		statuses = append(statuses, statusCount{st.ID, st.Name, st.SystemLabel, st.CustomLabel, st.SystemDescription, byStatus[st.ID], st.Order})
	}
	fakekit.WriteJSON(w, http.StatusOK, map[string]any{"statuses": statuses, "count": len(recs)})
}

// orderFor looks up the order named in the path; it answers 404 itself.
func (s *Server) orderFor(w http.ResponseWriter, r *http.Request, v3 bool) *orderRec {
	id, ok := pathID(r, "id")
	var rec *orderRec
	if ok {
		rec = s.st.orders[id]
	}
	if rec == nil || rec.o.IsDeleted {
		if v3 {
			writeV3Error(w, http.StatusNotFound, fmt.Sprintf("Order with id %s not found", r.PathValue("id")), nil)
		} else {
			writeV2NotFound(w)
		}
		return nil
	}
	return rec
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	rec := s.orderFor(w, r, false)
	if rec == nil {
		s.mu.Unlock()
		return
	}
	o := s.renderOrder(rec, s.linkBase(r), r.URL.Query())
	s.mu.Unlock()
	fakekit.WriteJSON(w, http.StatusOK, o)
}

func (s *Server) createOrder(w http.ResponseWriter, r *http.Request) {
	var in OrderInput
	if err := decodeBody(r, &in); err != nil {
		badBodyV2(w, err)
		return
	}
	s.placeOrder(w, r, in, apiSource)
}

// placeOrder creates an order, answers 200 with it and fires its webhooks.
func (s *Server) placeOrder(w http.ResponseWriter, r *http.Request, in OrderInput, src orderSource) {
	s.mu.Lock()
	rec, events, err := s.createOrderLocked(in, src)
	if err != nil {
		s.mu.Unlock()
		var ie *inputError
		if errors.As(err, &ie) {
			ie.write(w)
			return
		}
		writeV2Error(w, http.StatusInternalServerError, err.Error())
		return
	}
	o := s.renderOrder(rec, s.linkBase(r), r.URL.Query())
	s.mu.Unlock()
	s.emit(events)
	fakekit.WriteJSON(w, http.StatusOK, o)
}

// orderReadOnly are order fields a PUT must not carry.
var orderReadOnly = []string{"id", "date_modified", "date_shipped", "status", "cart_id", "subtotal_tax",
	"shipping_cost_tax", "handling_cost_tax", "wrapping_cost_tax", "total_tax", "shipping_cost_tax_class_id",
	"handling_cost_tax_class_id", "wrapping_cost_tax_class_id", "payment_status", "currency_id", "currency_code",
	"currency_exchange_rate", "default_currency_id", "coupon_discount", "shipping_address_count", "is_email_opt_in",
	"external_id", "external_merchant_id", "order_source", "items_total", "items_shipped", "custom_status"}

// orderUnsupported are writable fields whose edits the fake does not model.
var orderUnsupported = []string{"products", "shipping_addresses", "consignments", "fees"}

func (s *Server) updateOrder(w http.ResponseWriter, r *http.Request) {
	var body map[string]json.RawMessage
	if err := decodeBody(r, &body); err != nil {
		badBodyV2(w, err)
		return
	}
	for _, k := range orderReadOnly {
		if _, ok := body[k]; ok {
			writeV2Error(w, http.StatusBadRequest, fmt.Sprintf("The field '%s' cannot be written to. Please remove it from your request before trying again.", k))
			return
		}
	}
	for _, k := range orderUnsupported {
		if _, ok := body[k]; ok {
			writeV2Error(w, http.StatusBadRequest, fmt.Sprintf("The field '%s' cannot be edited on this store.", k))
			return
		}
	}
	s.mu.Lock()
	rec := s.orderFor(w, r, false)
	if rec == nil {
		s.mu.Unlock()
		return
	}
	events, err := s.applyOrderUpdateLocked(rec, body)
	if err != nil {
		s.mu.Unlock()
		var ie *inputError
		if errors.As(err, &ie) {
			ie.write(w)
		} else {
			writeV2Error(w, http.StatusBadRequest, err.Error())
		}
		return
	}
	o := s.renderOrder(rec, s.linkBase(r), r.URL.Query())
	s.mu.Unlock()
	s.emit(events)
	fakekit.WriteJSON(w, http.StatusOK, o)
}

// applyOrderUpdateLocked applies a partial order body. Nothing changes when
// it returns an error.
func (s *Server) applyOrderUpdateLocked(rec *orderRec, body map[string]json.RawMessage) ([]event, error) {
	next := rec.o
	str := func(key string, dst *string) error {
		if raw, ok := body[key]; ok {
			if err := json.Unmarshal(raw, dst); err != nil {
				return &inputError{key, "must be a string"}
			}
		}
		return nil
	}
	for key, dst := range map[string]*string{"staff_notes": &next.StaffNotes, "customer_message": &next.CustomerMessage,
		"external_order_id": &next.ExternalOrderID, "payment_method": &next.PaymentMethod,
		"customer_locale": &next.CustomerLocale, "ip_address": &next.IPAddress} {
		if err := str(key, dst); err != nil {
			return nil, err
		}
	}
	if raw, ok := body["external_source"]; ok {
		var v *string
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, &inputError{"external_source", "must be a string"}
		}
		next.ExternalSource = v
	}
	for key, dst := range map[string]*int{"customer_id": &next.CustomerID, "channel_id": &next.ChannelID, "status_id": &next.StatusID} {
		if raw, ok := body[key]; ok {
			if err := json.Unmarshal(raw, dst); err != nil {
				return nil, &inputError{key, "must be an integer"}
			}
		}
	}
	if _, ok := statusByID(next.StatusID); !ok {
		return nil, &inputError{"status_id", fmt.Sprintf("Status %d does not exist.", next.StatusID)}
	}
	if c := s.st.channel(next.ChannelID); c == nil {
		return nil, &inputError{"channel_id", fmt.Sprintf("Channel %d is not a valid enabled channel.", next.ChannelID)}
	}
	if raw, ok := body["billing_address"]; ok {
		if err := json.Unmarshal(raw, &next.BillingAddress); err != nil {
			return nil, &inputError{"billing_address", "must be an address object"}
		}
	}
	if raw, ok := body["discount_amount"]; ok {
		if err := json.Unmarshal(raw, &next.DiscountAmount); err != nil {
			return nil, &inputError{"discount_amount", "must be a number"}
		}
	}
	for _, group := range []struct {
		name      string
		ex, inc   string
		exP, incP *Money
		taxP      *Money
	}{
		{"subtotal", "subtotal_ex_tax", "subtotal_inc_tax", &next.SubtotalExTax, &next.SubtotalIncTax, &next.SubtotalTax},
		{"shipping_cost", "shipping_cost_ex_tax", "shipping_cost_inc_tax", &next.ShippingCostExTax, &next.ShippingCostIncTax, &next.ShippingCostTax},
		{"handling_cost", "handling_cost_ex_tax", "handling_cost_inc_tax", &next.HandlingCostExTax, &next.HandlingCostIncTax, &next.HandlingCostTax},
		{"wrapping_cost", "wrapping_cost_ex_tax", "wrapping_cost_inc_tax", &next.WrappingCostExTax, &next.WrappingCostIncTax, &next.WrappingCostTax},
		{"total", "total_ex_tax", "total_inc_tax", &next.TotalExTax, &next.TotalIncTax, &next.TotalTax},
	} {
		rawEx, hasEx := body[group.ex]
		rawInc, hasInc := body[group.inc]
		if hasEx != hasInc {
			return nil, &inputError{group.ex, fmt.Sprintf("%s and %s must be sent together.", group.ex, group.inc)}
		}
		if !hasEx {
			continue
		}
		if json.Unmarshal(rawEx, group.exP) != nil || json.Unmarshal(rawInc, group.incP) != nil {
			return nil, &inputError{group.ex, "must be a number"}
		}
		*group.taxP = money(group.incP.Sub(group.exP.Decimal))
	}
	deleted := false
	if raw, ok := body["is_deleted"]; ok {
		if err := json.Unmarshal(raw, &deleted); err != nil {
			return nil, &inputError{"is_deleted", "must be a boolean"}
		}
	}

	prev := rec.o.StatusID
	next.DateModified = Date2822{s.now()}
	rec.o = next
	var events []event
	if next.StatusID != prev {
		rec.setStatus(next.StatusID)
		events = append(events, s.statusSideEffectsLocked(rec, prev)...)
	}
	events = append(events, orderEvent("store/order/updated", &rec.o), channelOrderEvent("updated", &rec.o))
	if deleted {
		rec.o.IsDeleted = true
		events = append(events, orderEvent("store/order/archived", &rec.o), channelOrderEvent("archived", &rec.o))
	}
	return events, nil
}

// statusSideEffectsLocked runs what a status change does besides the
// status itself: its webhooks and, when configured, restocking on cancel.
func (s *Server) statusSideEffectsLocked(rec *orderRec, prev int) []event {
	events := statusEvents(&rec.o, prev)
	events = append(events, s.takeStockLocked(rec, prev)...)
	if rec.o.StatusID == StatusCancelled && s.opts.RestockOnCancel {
		for _, m := range rec.stockTaken {
			events = append(events, s.moveStockLocked(m.key, m.qty, true)...)
		}
		rec.stockTaken = nil
	}
	return events
}

func (s *Server) archiveOrder(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	rec := s.orderFor(w, r, false)
	if rec == nil {
		s.mu.Unlock()
		return
	}
	rec.o.IsDeleted = true
	rec.o.DateModified = Date2822{s.now()}
	events := []event{orderEvent("store/order/archived", &rec.o), channelOrderEvent("archived", &rec.o)}
	s.mu.Unlock()
	s.emit(events)
	w.WriteHeader(http.StatusNoContent)
}

// writeSubList writes a v2 sub-resource list, honouring EmptySubListsAsArray.
func writeSubList[T any](s *Server, w http.ResponseWriter, items []T) {
	if len(items) == 0 && s.opts.EmptySubListsAsArray {
		fakekit.WriteJSON(w, http.StatusOK, []T{})
		return
	}
	writeV2List(w, items)
}

func (s *Server) listOrderProducts(w http.ResponseWriter, r *http.Request) {
	if out, ok := pageOfOrder(s, w, r, func(rec *orderRec) []*OrderProduct { return rec.lines }, copyLine); ok {
		writeSubList(s, w, out)
	}
}

func (s *Server) getOrderProduct(w http.ResponseWriter, r *http.Request) {
	lineID, _ := pathID(r, "line")
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.orderFor(w, r, false)
	if rec == nil {
		return
	}
	for _, l := range rec.lines {
		if l.ID == lineID {
			fakekit.WriteJSON(w, http.StatusOK, copyLine(l))
			return
		}
	}
	writeV2NotFound(w)
}

func renderAddress(a *ShippingAddress, base string) ShippingAddress {
	c := *a
	c.FormFields = append([]FormField{}, a.FormFields...)
	p := fmt.Sprintf("/orders/%d/shippingaddresses/%d/shippingquotes", a.OrderID, a.ID)
	c.ShippingQuotes = Resource{URL: base + p, Resource: p}
	return c
}

func (s *Server) listShippingAddresses(w http.ResponseWriter, r *http.Request) {
	base := s.linkBase(r)
	render := func(a *ShippingAddress) ShippingAddress { return renderAddress(a, base) }
	if out, ok := pageOfOrder(s, w, r, func(rec *orderRec) []*ShippingAddress { return rec.addrs }, render); ok {
		writeSubList(s, w, out)
	}
}

// pageOfOrder renders the requested page of one order's sub-records (lines,
// addresses, shipments). ok is false when the request was already answered
// (bad paging, or no such order).
func pageOfOrder[R, T any](s *Server, w http.ResponseWriter, r *http.Request, of func(*orderRec) []R, render func(R) T) ([]T, bool) {
	p, ok := s.parsePaging(w, r, false)
	if !ok {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.orderFor(w, r, false)
	if rec == nil {
		return nil, false
	}
	var out []T
	for _, item := range pageOf(of(rec), p) {
		out = append(out, render(item))
	}
	return out, true
}

func (rec *orderRec) address(id int) *ShippingAddress {
	for _, a := range rec.addrs {
		if a.ID == id {
			return a
		}
	}
	return nil
}

func (s *Server) getShippingAddress(w http.ResponseWriter, r *http.Request) {
	addrID, _ := pathID(r, "addr")
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.orderFor(w, r, false)
	if rec == nil {
		return
	}
	a := rec.address(addrID)
	if a == nil {
		writeV2NotFound(w)
		return
	}
	fakekit.WriteJSON(w, http.StatusOK, renderAddress(a, s.linkBase(r)))
}

// updateShippingAddress changes address fields only; shipping and tax are
// not recomputed. Fields left out of the body keep their values.
func (s *Server) updateShippingAddress(w http.ResponseWriter, r *http.Request) {
	var body map[string]json.RawMessage
	if err := decodeBody(r, &body); err != nil {
		badBodyV2(w, err)
		return
	}
	addrID, _ := pathID(r, "addr")
	s.mu.Lock()
	rec := s.orderFor(w, r, false)
	if rec == nil {
		s.mu.Unlock()
		return
	}
	a := rec.address(addrID)
	if a == nil {
		s.mu.Unlock()
		writeV2NotFound(w)
		return
	}
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(mustJSON(a.AddressFields), &fields)
	for k := range fields {
		if v, ok := body[k]; ok {
			fields[k] = v
		}
	}
	merged := a.AddressFields
	method := a.ShippingMethod
	forms := a.FormFields
	err := json.Unmarshal(mustJSON(fields), &merged)
	if raw, ok := body["shipping_method"]; ok && err == nil {
		err = json.Unmarshal(raw, &method)
	}
	if raw, ok := body["form_fields"]; ok && err == nil {
		err = json.Unmarshal(raw, &forms)
	}
	if err != nil {
		s.mu.Unlock()
		writeV2Error(w, http.StatusBadRequest, "The request body is invalid: "+err.Error())
		return
	}
	a.AddressFields, a.ShippingMethod, a.FormFields = merged, method, forms
	rec.o.DateModified = Date2822{s.now()}
	out := renderAddress(a, s.linkBase(r))
	events := []event{orderEvent("store/order/updated", &rec.o), channelOrderEvent("updated", &rec.o)}
	s.mu.Unlock()
	s.emit(events)
	fakekit.WriteJSON(w, http.StatusOK, out)
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func (s *Server) listOrderStatuses(w http.ResponseWriter, r *http.Request) {
	fakekit.WriteJSON(w, http.StatusOK, orderStatuses)
}

func (s *Server) getOrderStatus(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("status"))
	st, ok := statusByID(id)
	if err != nil || !ok {
		writeV2NotFound(w)
		return
	}
	fakekit.WriteJSON(w, http.StatusOK, st)
}
