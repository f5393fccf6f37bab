package bigcommercetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/toteworks/tote/connectors/internal/fakekit"
)

// project applies include_fields / exclude_fields to a rendered resource;
// id is always kept.
func project(v any, q url.Values) any {
	inc, exc := q.Get("include_fields"), q.Get("exclude_fields")
	if inc == "" && exc == "" {
		return v
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(mustJSON(v), &m); err != nil {
		return v
	}
	keep := map[string]bool{"id": true, "variants": true, "options": true, "channels": true}
	if inc != "" {
		for _, f := range strings.Split(inc, ",") {
			keep[strings.TrimSpace(f)] = true
		}
		for k := range m {
			if !keep[k] {
				delete(m, k)
			}
		}
	}
	for _, f := range strings.Split(exc, ",") {
		if f = strings.TrimSpace(f); f != "" && f != "id" {
			delete(m, f)
		}
	}
	return m
}

func includes(q url.Values) map[string]bool {
	out := map[string]bool{}
	for _, inc := range strings.Split(q.Get("include"), ",") {
		out[strings.TrimSpace(inc)] = true
	}
	return out
}

// intFilter is one integer field's filters (x, x:in, x:not_in, x:min, x:max,
// x:greater, x:less).
type intFilter struct {
	eq, in, notIn map[int]bool
	lo, hi        *int
	greater, less *int
}

func parseIntFilter(q url.Values, name string) (intFilter, error) {
	var f intFilter
	var err error
	if q.Has(name) {
		if f.eq, _, err = queryInts(q, name); err != nil {
			return f, err
		}
	}
	if f.in, _, err = queryInts(q, name+":in"); err != nil {
		return f, err
	}
	if f.notIn, _, err = queryInts(q, name+":not_in"); err != nil {
		return f, err
	}
	for _, b := range []struct {
		suffix string
		dst    **int
	}{{":min", &f.lo}, {":max", &f.hi}, {":greater", &f.greater}, {":less", &f.less}} {
		if q.Has(name + b.suffix) {
			n, err := strconv.Atoi(q.Get(name + b.suffix))
			if err != nil {
				return f, fmt.Errorf("%s%s: not an integer", name, b.suffix)
			}
			*b.dst = &n
		}
	}
	return f, nil
}

func (f intFilter) match(n int) bool {
	return (f.eq == nil || f.eq[n]) && (f.in == nil || f.in[n]) && (f.notIn == nil || !f.notIn[n]) &&
		(f.lo == nil || n >= *f.lo) && (f.hi == nil || n <= *f.hi) &&
		(f.greater == nil || n > *f.greater) && (f.less == nil || n < *f.less)
}

// parseCatalogDate reads a date_modified filter; a bare date gets the
// current time of day appended, as the docs describe.
func parseCatalogDate(s string, now time.Time) (time.Time, error) {
	t, err := parseFilterTime(s)
	if err == nil && len(strings.TrimSpace(s)) == len("2006-01-02") {
		y, m, d := t.Date()
		n := now.UTC()
		t = time.Date(y, m, d, n.Hour(), n.Minute(), n.Second(), 0, time.UTC)
	}
	return t, err
}

func (s *Server) listProducts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	idf, err := parseIntFilter(q, "id")
	if err != nil {
		writeV3Error(w, http.StatusUnprocessableEntity, "Invalid filter", map[string]string{"id": err.Error()})
		return
	}
	levelf, err := parseIntFilter(q, "inventory_level")
	if err != nil {
		writeV3Error(w, http.StatusUnprocessableEntity, "Invalid filter", map[string]string{"inventory_level": err.Error()})
		return
	}
	chans, hasChans, err := queryInts(q, "channel_id:in")
	if err != nil {
		writeV3Error(w, http.StatusUnprocessableEntity, "Invalid filter", map[string]string{"channel_id:in": err.Error()})
		return
	}
	skus, hasSKUs := queryStrings(q, "sku:in")
	now := s.now()
	var dmin, dmax, deq time.Time
	for _, d := range []struct {
		key string
		dst *time.Time
	}{{"date_modified:min", &dmin}, {"date_modified:max", &dmax}, {"date_modified", &deq}} {
		if q.Has(d.key) {
			t, err := parseCatalogDate(q.Get(d.key), now)
			if err != nil {
				writeV3Error(w, http.StatusUnprocessableEntity, "Invalid filter", map[string]string{d.key: err.Error()})
				return
			}
			*d.dst = t
		}
	}
	p, ok := s.parsePaging(w, r, true)
	if !ok {
		return
	}
	inc := includes(q)
	if inc["options"] || inc["modifiers"] {
		p.limit = min(p.limit, 10)
	}
	keyword := strings.ToLower(q.Get("keyword"))
	s.mu.Lock()
	var out []Product
	for _, pr := range s.st.sortedProducts() {
		rp := s.st.renderProduct(pr, inc)
		switch {
		case !idf.match(rp.ID), !levelf.match(rp.InventoryLevel),
			q.Has("name") && rp.Name != q.Get("name"),
			q.Has("sku") && !strings.EqualFold(rp.SKU, q.Get("sku")),
			hasSKUs && !skus[strings.ToLower(rp.SKU)],
			q.Has("upc") && rp.UPC != q.Get("upc"),
			q.Has("type") && rp.Type != q.Get("type"),
			q.Has("is_visible") && strconv.FormatBool(rp.IsVisible) != q.Get("is_visible"),
			q.Has("availability") && rp.Availability != q.Get("availability"),
			hasChans && !anyIn(pr.channels, chans),
			!dmin.IsZero() && rp.DateModified.Before(dmin),
			!dmax.IsZero() && rp.DateModified.After(dmax),
			!deq.IsZero() && !rp.DateModified.Equal(deq),
			keyword != "" && !strings.Contains(strings.ToLower(rp.Name), keyword) && !strings.Contains(strings.ToLower(rp.SKU), keyword):
			continue
		}
		out = append(out, rp)
	}
	s.mu.Unlock()
	if err := sortProducts(out, q.Get("sort"), q.Get("direction")); err != nil {
		writeV3Error(w, http.StatusUnprocessableEntity, "Invalid sort", map[string]string{"sort": err.Error()})
		return
	}
	projected := make([]any, len(out))
	for i := range out {
		projected[i] = project(out[i], q)
	}
	writeV3Page(w, projected, p)
}

func anyIn(xs []int, set map[int]bool) bool {
	for _, x := range xs {
		if set[x] {
			return true
		}
	}
	return false
}

func sortProducts(ps []Product, field, dir string) error {
	if field == "" {
		field = "id"
	}
	less := map[string]func(a, b *Product) int{
		"id":               func(a, b *Product) int { return a.ID - b.ID },
		"name":             func(a, b *Product) int { return strings.Compare(a.Name, b.Name) },
		"sku":              func(a, b *Product) int { return strings.Compare(a.SKU, b.SKU) },
		"price":            func(a, b *Product) int { return a.Price.Cmp(b.Price.Decimal) },
		"calculated_price": func(a, b *Product) int { return a.CalculatedPrice.Cmp(b.CalculatedPrice.Decimal) },
		"date_modified":    func(a, b *Product) int { return a.DateModified.Compare(b.DateModified.Time) },
		"inventory_level":  func(a, b *Product) int { return a.InventoryLevel - b.InventoryLevel },
		"total_sold":       func(a, b *Product) int { return a.TotalSold - b.TotalSold },
	}[field]
	if less == nil {
		return fmt.Errorf("cannot sort by %q", field)
	}
	sort.SliceStable(ps, func(i, j int) bool {
		c := less(&ps[i], &ps[j])
		if c == 0 {
			c = ps[i].ID - ps[j].ID
		}
		if dir == "desc" {
			return c > 0
		}
		return c < 0
	})
	return nil
}

// productFor finds the product named in the path; it answers 404 itself.
func (s *Server) productFor(w http.ResponseWriter, r *http.Request) *productRec {
	id, _ := pathID(r, "pid")
	pr := s.st.products[id]
	if pr == nil {
		fakekit.WriteJSON(w, http.StatusNotFound, map[string]any{"status": 404, "title": "The requested product was not found.",
			"type": statusCodesURL, "instance": r.URL.Path})
	}
	return pr
}

func (s *Server) getProduct(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	pr := s.productFor(w, r)
	if pr == nil {
		s.mu.Unlock()
		return
	}
	out := s.st.renderProduct(pr, includes(q))
	s.mu.Unlock()
	writeV3(w, http.StatusOK, project(out, q))
}

// productWritable are the product fields PUT applies; others are ignored.
var productWritable = map[string]bool{"name": true, "type": true, "sku": true, "description": true, "weight": true,
	"width": true, "depth": true, "height": true, "price": true, "cost_price": true, "retail_price": true,
	"sale_price": true, "map_price": true, "tax_class_id": true, "categories": true, "brand_id": true,
	"inventory_warning_level": true, "inventory_tracking": true, "fixed_cost_shipping_price": true,
	"is_free_shipping": true, "is_visible": true, "is_featured": true, "bin_picking_number": true, "upc": true,
	"gtin": true, "mpn": true, "availability": true, "condition": true, "sort_order": true,
	"order_quantity_minimum": true, "order_quantity_maximum": true, "availability_description": true}

// catalogError is a rejected catalog write.
type catalogError struct {
	status int
	title  string
	errs   map[string]string
}

func (e *catalogError) write(w http.ResponseWriter) { writeV3Error(w, e.status, e.title, e.errs) }

func invalid(field, msg string) *catalogError {
	return &catalogError{http.StatusUnprocessableEntity, "JSON data is missing or invalid", map[string]string{field: msg}}
}

// patch overlays the allowed keys of body onto dst through its JSON form.
func patch(dst any, body map[string]json.RawMessage, allowed map[string]bool) error {
	var cur map[string]json.RawMessage
	if err := json.Unmarshal(mustJSON(dst), &cur); err != nil {
		return err
	}
	for k, v := range body {
		if allowed[k] {
			cur[k] = v
		}
	}
	return json.Unmarshal(mustJSON(cur), dst)
}

// productChange is a validated product update, not yet applied.
type productChange struct {
	pr    *productRec
	next  Product
	level *int
}

// prepareProductLocked validates a partial product body without changing anything.
func (s *Server) prepareProductLocked(pr *productRec, body map[string]json.RawMessage) (productChange, *catalogError) {
	next := pr.p
	if err := patch(&next, body, productWritable); err != nil {
		return productChange{}, invalid("body", err.Error())
	}
	switch {
	case strings.TrimSpace(next.Name) == "" || len(next.Name) > 250:
		return productChange{}, invalid("name", "name must be 1 to 250 characters")
	case next.Type != "physical" && next.Type != "digital":
		return productChange{}, invalid("type", "type must be physical or digital")
	case next.InventoryTracking != "none" && next.InventoryTracking != "product" && next.InventoryTracking != "variant":
		return productChange{}, invalid("inventory_tracking", "inventory_tracking must be none, product or variant")
	}
	for field, n := range map[string]Number{"weight": next.Weight, "width": next.Width, "depth": next.Depth,
		"height": next.Height, "price": next.Price, "cost_price": next.CostPrice} {
		if n.IsNegative() {
			return productChange{}, invalid(field, field+" must not be negative")
		}
	}
	for _, o := range s.st.products {
		if o != pr && strings.EqualFold(o.p.Name, next.Name) {
			return productChange{}, &catalogError{http.StatusConflict, "The product name is a duplicate", map[string]string{"name": "duplicate"}}
		}
	}
	if !strings.EqualFold(next.SKU, pr.p.SKU) && next.SKU != "" {
		if _, taken := s.st.skuProduct[strings.ToLower(next.SKU)]; taken {
			return productChange{}, &catalogError{http.StatusConflict, "The product SKU is a duplicate", map[string]string{"sku": "duplicate"}}
		}
	}
	c := productChange{pr: pr, next: next}
	if raw, ok := body["inventory_level"]; ok {
		var n int
		if err := json.Unmarshal(raw, &n); err != nil || n < 0 {
			return productChange{}, invalid("inventory_level", "inventory_level must be a non-negative integer")
		}
		if next.InventoryTracking == "variant" {
			return productChange{}, invalid("inventory_level", "this product tracks inventory by variant; set inventory_level on its variants")
		}
		c.level = &n
	}
	return c, nil
}

// commitProductLocked applies a prepared product update.
func (s *Server) commitProductLocked(c productChange) []event {
	pr, next := c.pr, c.next
	// Keep the SKU index and the base variant's SKU in step.
	if next.SKU != pr.p.SKU {
		delete(s.st.skuProduct, strings.ToLower(pr.p.SKU))
		if next.SKU != "" {
			s.st.skuProduct[strings.ToLower(next.SKU)] = pr.p.ID
		}
		if len(pr.variants) == 1 && pr.p.BaseVariantID != nil {
			v := pr.variants[0]
			delete(s.st.skus, strings.ToLower(v.SKU))
			v.SKU = next.SKU
			if v.SKU != "" {
				s.st.skus[strings.ToLower(v.SKU)] = v.ID
			}
		}
	}
	if next.InventoryTracking != pr.p.InventoryTracking {
		// Stock moves to where the new mode keeps it, starting at zero there.
		for _, v := range pr.variants {
			k := stockKeyOf(&productRec{p: next}, v.ID, 1)
			if s.st.stock[k] == nil {
				s.st.stock[k] = &stockRec{settings: ItemSettings{IsInStock: true}}
			}
		}
	}
	next.CalculatedPrice = next.Price
	if next.SalePrice.IsPositive() {
		next.CalculatedPrice = next.SalePrice
	}
	next.DateModified = DateISO{s.now()}
	pr.p = next
	events := []event{{scope: "store/product/updated", data: map[string]any{"type": "product", "id": pr.p.ID}}}
	if c.level != nil {
		events = append(events, s.setStockLocked(stockKey{pr.p.ID, 0, 1}, *c.level)...)
	}
	return events
}

func (s *Server) updateProduct(w http.ResponseWriter, r *http.Request) {
	var body map[string]json.RawMessage
	if err := decodeBody(r, &body); err != nil {
		badBodyV3(w, err)
		return
	}
	s.mu.Lock()
	pr := s.productFor(w, r)
	if pr == nil {
		s.mu.Unlock()
		return
	}
	c, cerr := s.prepareProductLocked(pr, body)
	if cerr != nil {
		s.mu.Unlock()
		cerr.write(w)
		return
	}
	events := s.commitProductLocked(c)
	out := s.st.renderProduct(pr, includes(r.URL.Query()))
	s.mu.Unlock()
	s.emit(events)
	writeV3(w, http.StatusOK, out)
}

func (s *Server) batchUpdateProducts(w http.ResponseWriter, r *http.Request) {
	var bodies []map[string]json.RawMessage
	if err := decodeBody(r, &bodies); err != nil {
		badBodyV3(w, err)
		return
	}
	if len(bodies) > 10 {
		writeV3Error(w, http.StatusRequestEntityTooLarge, "The request payload is too large. The maximum items allowed in the array is 10.", nil)
		return
	}
	s.mu.Lock()
	recs := make([]*productRec, len(bodies))
	for i, b := range bodies {
		var id int
		if err := json.Unmarshal(b["id"], &id); err != nil || s.st.products[id] == nil {
			s.mu.Unlock()
			invalid(fmt.Sprintf("[%d].id", i), "each product needs the id of an existing product").write(w)
			return
		}
		recs[i] = s.st.products[id]
	}
	changes := make([]productChange, len(recs))
	for i, pr := range recs {
		c, cerr := s.prepareProductLocked(pr, bodies[i])
		if cerr != nil {
			s.mu.Unlock()
			cerr.write(w)
			return
		}
		changes[i] = c
	}
	var events []event
	out := []Product{}
	for _, c := range changes {
		events = append(events, s.commitProductLocked(c)...)
		out = append(out, s.st.renderProduct(c.pr, nil))
	}
	s.mu.Unlock()
	s.emit(events)
	writeV3(w, http.StatusOK, out)
}

func (s *Server) listProductOptions(w http.ResponseWriter, r *http.Request) {
	p, ok := s.parsePaging(w, r, true)
	if !ok {
		return
	}
	s.mu.Lock()
	pr := s.productFor(w, r)
	if pr == nil {
		s.mu.Unlock()
		return
	}
	out := s.st.renderProduct(pr, map[string]bool{"options": true}).Options
	s.mu.Unlock()
	writeV3Page(w, out, p)
}

func (s *Server) listProductVariants(w http.ResponseWriter, r *http.Request) {
	p, ok := s.parsePaging(w, r, true)
	if !ok {
		return
	}
	q := r.URL.Query()
	s.mu.Lock()
	pr := s.productFor(w, r)
	if pr == nil {
		s.mu.Unlock()
		return
	}
	var out []any
	for _, v := range pr.variants {
		out = append(out, project(s.st.renderVariant(pr, v), q))
	}
	s.mu.Unlock()
	writeV3Page(w, out, p)
}

// variantFor finds the variant named in the path under its product.
func (s *Server) variantFor(w http.ResponseWriter, r *http.Request) (*productRec, *Variant) {
	pr := s.productFor(w, r)
	if pr == nil {
		return nil, nil
	}
	vid, _ := pathID(r, "vid")
	for _, v := range pr.variants {
		if v.ID == vid {
			return pr, v
		}
	}
	fakekit.WriteJSON(w, http.StatusNotFound, map[string]any{"status": 404, "title": "The requested variant was not found.",
		"type": statusCodesURL, "instance": r.URL.Path})
	return nil, nil
}

func (s *Server) getProductVariant(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	pr, v := s.variantFor(w, r)
	if v == nil {
		s.mu.Unlock()
		return
	}
	out := s.st.renderVariant(pr, v)
	s.mu.Unlock()
	writeV3(w, http.StatusOK, project(out, r.URL.Query()))
}

var variantWritable = map[string]bool{"sku": true, "price": true, "sale_price": true, "retail_price": true,
	"cost_price": true, "map_price": true, "weight": true, "width": true, "height": true, "depth": true,
	"inventory_warning_level": true, "bin_picking_number": true, "upc": true, "gtin": true, "mpn": true,
	"is_free_shipping": true, "fixed_cost_shipping_price": true, "purchasing_disabled": true,
	"purchasing_disabled_message": true, "image_url": true}

// variantChange is a validated variant update, not yet applied.
type variantChange struct {
	pr    *productRec
	v     *Variant
	next  Variant
	level *int
}

// prepareVariantLocked validates a partial variant body without changing anything.
func (s *Server) prepareVariantLocked(pr *productRec, v *Variant, body map[string]json.RawMessage) (variantChange, *catalogError) {
	next := *v
	next.OptionValues = append([]OptionValue{}, v.OptionValues...)
	if err := patch(&next, body, variantWritable); err != nil {
		return variantChange{}, invalid("body", err.Error())
	}
	for field, n := range map[string]*Number{"price": next.Price, "weight": next.Weight, "width": next.Width,
		"height": next.Height, "depth": next.Depth, "cost_price": next.CostPrice} {
		if n != nil && n.IsNegative() {
			return variantChange{}, invalid(field, field+" must not be negative")
		}
	}
	if !strings.EqualFold(next.SKU, v.SKU) && next.SKU != "" {
		if _, taken := s.st.skuProduct[strings.ToLower(next.SKU)]; taken {
			return variantChange{}, &catalogError{http.StatusConflict, "The variant SKU is a duplicate", map[string]string{"sku": "duplicate"}}
		}
	}
	c := variantChange{pr: pr, v: v, next: next}
	if raw, ok := body["inventory_level"]; ok {
		var n int
		if err := json.Unmarshal(raw, &n); err != nil || n < 0 {
			return variantChange{}, invalid("inventory_level", "inventory_level must be a non-negative integer")
		}
		if pr.p.InventoryTracking != "variant" && len(pr.variants) > 1 {
			return variantChange{}, invalid("inventory_level", "this product tracks inventory by product; set inventory_level on the product")
		}
		c.level = &n
	}
	return c, nil
}

// commitVariantLocked applies a prepared variant update.
func (s *Server) commitVariantLocked(c variantChange) []event {
	pr, v, next := c.pr, c.v, c.next
	if next.SKU != v.SKU {
		delete(s.st.skus, strings.ToLower(v.SKU))
		delete(s.st.skuProduct, strings.ToLower(v.SKU))
		if next.SKU != "" {
			s.st.skus[strings.ToLower(next.SKU)] = v.ID
			s.st.skuProduct[strings.ToLower(next.SKU)] = pr.p.ID
		}
	}
	*v = next
	pr.p.DateModified = DateISO{s.now()}
	skuID := v.ID
	if v.SKUID != nil {
		skuID = *v.SKUID
	}
	events := []event{{scope: "store/sku/updated", data: map[string]any{"type": "sku", "id": skuID,
		"sku": map[string]int{"product_id": pr.p.ID, "variant_id": v.ID}}}}
	if c.level != nil {
		events = append(events, s.setStockLocked(stockKeyOf(pr, v.ID, 1), *c.level)...)
	}
	return events
}

func (s *Server) updateProductVariant(w http.ResponseWriter, r *http.Request) {
	var body map[string]json.RawMessage
	if err := decodeBody(r, &body); err != nil {
		badBodyV3(w, err)
		return
	}
	s.mu.Lock()
	pr, v := s.variantFor(w, r)
	if v == nil {
		s.mu.Unlock()
		return
	}
	c, cerr := s.prepareVariantLocked(pr, v, body)
	if cerr != nil {
		s.mu.Unlock()
		cerr.write(w)
		return
	}
	events := s.commitVariantLocked(c)
	out := s.st.renderVariant(pr, v)
	s.mu.Unlock()
	s.emit(events)
	writeV3(w, http.StatusOK, out)
}

func (s *Server) listVariants(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	idf, err := parseIntFilter(q, "id")
	if err != nil {
		writeV3Error(w, http.StatusUnprocessableEntity, "Invalid filter", map[string]string{"id": err.Error()})
		return
	}
	pids, hasP, err := queryInts(q, "product_id:in")
	if err != nil {
		writeV3Error(w, http.StatusUnprocessableEntity, "Invalid filter", map[string]string{"product_id:in": err.Error()})
		return
	}
	skus, hasSKUs := queryStrings(q, "sku:in")
	p, ok := s.parsePaging(w, r, true)
	if !ok {
		return
	}
	s.mu.Lock()
	var out []any
	for _, pr := range s.st.sortedProducts() {
		if hasP && !pids[pr.p.ID] {
			continue
		}
		for _, v := range pr.variants {
			switch {
			case !idf.match(v.ID),
				q.Has("sku") && !strings.EqualFold(v.SKU, q.Get("sku")),
				hasSKUs && !skus[strings.ToLower(v.SKU)],
				q.Has("upc") && v.UPC != q.Get("upc"):
				continue
			}
			out = append(out, project(s.st.renderVariant(pr, v), q))
		}
	}
	s.mu.Unlock()
	writeV3Page(w, out, p)
}

// batchError is one entry of a variants batch 422.
type batchError struct {
	Status   int               `json:"status"`
	Title    string            `json:"title"`
	Type     string            `json:"type"`
	Instance string            `json:"instance"`
	Errors   map[string]string `json:"errors"`
}

// batchUpdateVariants updates up to 50 variants by id, all or nothing.
func (s *Server) batchUpdateVariants(w http.ResponseWriter, r *http.Request) {
	var bodies []map[string]json.RawMessage
	if err := decodeBody(r, &bodies); err != nil {
		badBodyV3(w, err)
		return
	}
	if len(bodies) > 50 {
		writeV3Error(w, http.StatusRequestEntityTooLarge, "The request payload is too large. The maximum items allowed in the array is 50.", nil)
		return
	}
	s.mu.Lock()
	var errs []batchError
	for i, b := range bodies {
		var id int
		if err := json.Unmarshal(b["id"], &id); err != nil || s.st.variants[id] == nil {
			errs = append(errs, batchError{Status: 422, Title: "Variant not found", Type: statusCodesURL,
				Instance: fmt.Sprintf("[%d]", i), Errors: map[string]string{"id": "each item needs the id of an existing variant"}})
		}
	}
	if len(errs) > 0 {
		s.mu.Unlock()
		fakekit.WriteJSON(w, http.StatusUnprocessableEntity, map[string]any{"batch_errors": errs})
		return
	}
	// Validate every item first, so a bad item changes nothing.
	changes := make([]variantChange, len(bodies))
	for i, b := range bodies {
		var id int
		_ = json.Unmarshal(b["id"], &id)
		c, cerr := s.prepareVariantLocked(s.st.variantOf[id], s.st.variants[id], b)
		if cerr != nil {
			s.mu.Unlock()
			fakekit.WriteJSON(w, http.StatusUnprocessableEntity, map[string]any{"batch_errors": []batchError{{
				Status: cerr.status, Title: cerr.title, Type: statusCodesURL, Instance: fmt.Sprintf("[%d]", i), Errors: cerr.errs}}})
			return
		}
		changes[i] = c
	}
	var events []event
	out := []Variant{}
	for _, c := range changes {
		events = append(events, s.commitVariantLocked(c)...)
		out = append(out, s.st.renderVariant(c.pr, c.v))
	}
	s.mu.Unlock()
	s.emit(events)
	writeV3(w, http.StatusOK, out)
}
