package bigcommercetest

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/toteworks/tote/connectors/internal/fakekit"
)

// maxInventory is the largest stock level the Inventory API accepts.
const maxInventory = 2147483647

// inventoryEvent is the legacy catalog inventory webhook for a change at the
// default location; nil for other locations.
func (s *Server) inventoryEvent(k stockKey, method string, value int, byOrder bool) []event {
	if k.location != 1 {
		return nil
	}
	suffix := "inventory/updated"
	if byOrder {
		suffix = "inventory/order/updated"
	}
	if k.variant == 0 {
		return []event{{scope: "store/product/" + suffix, data: map[string]any{"type": "product", "id": k.product,
			"inventory": map[string]any{"product_id": k.product, "method": method, "value": value}}}}
	}
	skuID := k.variant
	if v := s.st.variants[k.variant]; v != nil && v.SKUID != nil {
		skuID = *v.SKUID
	}
	return []event{{scope: "store/sku/" + suffix, data: map[string]any{"type": "sku", "id": skuID,
		"inventory": map[string]any{"product_id": k.product, "method": method, "variant_id": k.variant, "value": value}}}}
}

// moveStockLocked changes stock by delta (an order taking or giving back).
func (s *Server) moveStockLocked(k stockKey, delta int, byOrder bool) []event {
	rec := s.st.stock[k]
	if rec == nil {
		rec = &stockRec{settings: ItemSettings{IsInStock: true}}
		s.st.stock[k] = rec
	}
	before := rec.onhand
	rec.onhand += delta
	if rec.onhand < 0 && !s.opts.AllowOversell {
		rec.onhand = 0
	}
	s.st.history[k] = append(s.st.history[k], levelAt{s.now(), before, rec.onhand})
	return s.inventoryEvent(k, "relative", delta, byOrder)
}

// setStockLocked sets stock absolutely.
func (s *Server) setStockLocked(k stockKey, qty int) []event {
	rec := s.st.stock[k]
	if rec == nil {
		rec = &stockRec{settings: ItemSettings{IsInStock: true}}
		s.st.stock[k] = rec
	}
	s.st.history[k] = append(s.st.history[k], levelAt{s.now(), rec.onhand, qty})
	rec.onhand = qty
	return s.inventoryEvent(k, "absolute", qty, false)
}

// itemRef is one item of an adjustment or settings body.
type itemRef struct {
	LocationID *int    `json:"location_id"`
	VariantID  *int    `json:"variant_id"`
	SKU        *string `json:"sku"`
	ProductID  *int    `json:"product_id"`
	Quantity   *int    `json:"quantity"`
}

// resolveItem finds where an item's stock lives. The error text is the
// title of the 422 the Inventory API answers.
func (s *Server) resolveItem(it itemRef) (*productRec, stockKey, string) {
	st := s.st
	ids := 0
	for _, set := range []bool{it.VariantID != nil, it.SKU != nil, it.ProductID != nil} {
		if set {
			ids++
		}
	}
	if ids != 1 {
		return nil, stockKey{}, "Each item needs exactly one of variant_id, sku or product_id"
	}
	byVariant := func(vid int, ident string) (*productRec, stockKey, string) {
		pr := st.variantOf[vid]
		if pr == nil {
			return nil, stockKey{}, fmt.Sprintf("[Item with %s does not exist]", ident)
		}
		if pr.p.InventoryTracking != "variant" {
			if len(pr.variants) == 1 {
				return pr, stockKey{pr.p.ID, 0, 0}, ""
			}
			return nil, stockKey{}, fmt.Sprintf("[Item with %s is tracked by product, please update stock by product id]", ident)
		}
		return pr, stockKey{pr.p.ID, vid, 0}, ""
	}
	byProduct := func(pid int, ident string) (*productRec, stockKey, string) {
		pr := st.products[pid]
		if pr == nil {
			return nil, stockKey{}, fmt.Sprintf("[Item with %s does not exist]", ident)
		}
		if pr.p.InventoryTracking == "variant" {
			return nil, stockKey{}, fmt.Sprintf("[Item with %s is tracked by variant, please update stock by variant id or sku]", ident)
		}
		return pr, stockKey{pid, 0, 0}, ""
	}
	switch {
	case it.VariantID != nil:
		return byVariant(*it.VariantID, fmt.Sprintf("variant_id %d", *it.VariantID))
	case it.ProductID != nil:
		return byProduct(*it.ProductID, fmt.Sprintf("product_id %d", *it.ProductID))
	}
	ident := "sku " + *it.SKU
	l := strings.ToLower(*it.SKU)
	if vid, ok := st.skus[l]; ok {
		return byVariant(vid, ident)
	}
	if pid, ok := st.skuProduct[l]; ok {
		return byProduct(pid, ident)
	}
	return nil, stockKey{}, fmt.Sprintf("[Item with %s does not exist]", ident)
}

func identDesc(it itemRef) string {
	switch {
	case it.VariantID != nil:
		return fmt.Sprintf("variant_id %d", *it.VariantID)
	case it.ProductID != nil:
		return fmt.Sprintf("product_id %d", *it.ProductID)
	case it.SKU != nil:
		return "sku " + *it.SKU
	}
	return "unknown"
}

type adjustment struct {
	Reason string    `json:"reason"`
	Items  []itemRef `json:"items"`
}

func (s *Server) adjustAbsolute(w http.ResponseWriter, r *http.Request) { s.adjust(w, r, false) }

func (s *Server) adjustRelative(w http.ResponseWriter, r *http.Request) { s.adjust(w, r, true) }

// adjust validates every item first and applies all or nothing.
func (s *Server) adjust(w http.ResponseWriter, r *http.Request, relative bool) {
	var body adjustment
	if err := decodeBody(r, &body); err != nil {
		if err == errBadContentType {
			writeProblem(w, http.StatusUnsupportedMediaType, "The request content type is not supported.")
			return
		}
		writeProblem(w, http.StatusUnprocessableEntity, "JSON data is missing or invalid")
		return
	}
	if len(body.Items) == 0 {
		writeProblem(w, http.StatusUnprocessableEntity, "The items array must contain at least one item")
		return
	}
	if len(body.Items) > 2000 {
		writeProblem(w, http.StatusRequestEntityTooLarge, "The request payload is too large. The maximum items allowed in the array is 2000.")
		return
	}
	s.mu.Lock()
	type change struct {
		key stockKey
		qty int
		sku string
	}
	var changes []change
	var needAbsolute []string
	pending := map[stockKey]int{}
	for _, it := range body.Items {
		if it.LocationID == nil || it.Quantity == nil {
			s.mu.Unlock()
			writeProblem(w, http.StatusUnprocessableEntity, "[Each item requires location_id and quantity]")
			return
		}
		if s.st.location(*it.LocationID) == nil {
			s.mu.Unlock()
			writeProblem(w, http.StatusUnprocessableEntity, fmt.Sprintf("[Location with id %d does not exist]", *it.LocationID))
			return
		}
		pr, key, msg := s.resolveItem(it)
		if msg != "" {
			s.mu.Unlock()
			writeProblem(w, http.StatusUnprocessableEntity, msg)
			return
		}
		key.location = *it.LocationID
		q := *it.Quantity
		if !relative {
			if q < 0 || q > maxInventory {
				s.mu.Unlock()
				writeProblem(w, http.StatusUnprocessableEntity, fmt.Sprintf("[Item with %s: quantity must be between 0 and %d]", identDesc(it), maxInventory))
				return
			}
			pending[key] = q
			changes = append(changes, change{key, q, s.skuOfLocked(pr, key)})
			continue
		}
		rec := s.st.stock[key]
		cur, seen := pending[key]
		if !seen {
			if rec == nil {
				needAbsolute = append(needAbsolute, identDesc(it))
				continue
			}
			cur = rec.onhand
		}
		next := cur + q
		safety := 0
		if rec != nil {
			safety = rec.settings.SafetyStock
		}
		if next > maxInventory || (q < 0 && next < safety) {
			s.mu.Unlock()
			writeProblem(w, http.StatusUnprocessableEntity, fmt.Sprintf("[Item with %s: adjustment would take stock to %d, outside 0 (plus safety stock %d) to %d]", identDesc(it), next, safety, maxInventory))
			return
		}
		pending[key] = next
		changes = append(changes, change{key, q, s.skuOfLocked(pr, key)})
	}
	if len(needAbsolute) > 0 {
		s.mu.Unlock()
		writeProblem(w, http.StatusUnprocessableEntity, fmt.Sprintf("Items with identity: [%s] requires absolute adjustment before relative", strings.Join(needAbsolute, ", ")))
		return
	}
	var events []event
	for _, c := range changes {
		s.st.moves = append(s.st.moves, StockAdjustment{SKU: c.sku, LocationID: c.key.location, Relative: relative,
			Quantity: c.qty, Reason: body.Reason, At: s.now()})
		if relative {
			events = append(events, s.moveStockLocked(c.key, c.qty, false)...)
		} else {
			events = append(events, s.setStockLocked(c.key, c.qty)...)
		}
		if pr := s.st.products[c.key.product]; pr != nil {
			pr.p.DateModified = DateISO{s.now()}
		}
	}
	tx := s.newUUIDLocked()
	s.mu.Unlock()
	s.emit(events)
	fakekit.WriteJSON(w, http.StatusOK, map[string]string{"transaction_id": tx})
}

// skuOfLocked is the SKU of the item whose stock lives at k.
func (s *Server) skuOfLocked(pr *productRec, k stockKey) string {
	if k.variant != 0 {
		if v := s.st.variants[k.variant]; v != nil {
			return v.SKU
		}
	}
	if pr != nil {
		return pr.p.SKU
	}
	return ""
}

func (s *Server) newUUIDLocked() string {
	a, b := s.rng.Uint64(), s.rng.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xfff, 0x8000|(b>>48)&0x3fff, b&0xffffffffffff)
}

// invItem is a stock-holding item and where its stock lives (location 0).
type invItem struct {
	id  ItemIdentity
	key stockKey
}

// inventoryItemsLocked lists every stock-holding item: variants of
// variant-tracked products, the product itself otherwise.
func (s *Server) inventoryItemsLocked() []invItem {
	var out []invItem
	for _, pr := range s.st.sortedProducts() {
		if pr.p.InventoryTracking == "variant" {
			for _, v := range pr.variants {
				out = append(out, invItem{ItemIdentity{SKU: v.SKU, VariantID: v.ID, ProductID: pr.p.ID, SKUID: v.SKUID}, stockKey{pr.p.ID, v.ID, 0}})
			}
			continue
		}
		out = append(out, invItem{ItemIdentity{SKU: pr.p.SKU, VariantID: pr.variants[0].ID, ProductID: pr.p.ID}, stockKey{pr.p.ID, 0, 0}})
	}
	return out
}

// itemFilter applies the sku:in, variant_id:in and product_id:in filters.
func itemFilter(r *http.Request) (func(ItemIdentity) bool, error) {
	q := r.URL.Query()
	skus, hasSKU := queryStrings(q, "sku:in")
	vids, hasV, err := queryInts(q, "variant_id:in")
	if err != nil {
		return nil, err
	}
	pids, hasP, err := queryInts(q, "product_id:in")
	if err != nil {
		return nil, err
	}
	return func(id ItemIdentity) bool {
		return (!hasSKU || skus[strings.ToLower(id.SKU)]) && (!hasV || vids[id.VariantID]) && (!hasP || pids[id.ProductID])
	}, nil
}

// inventoryPaging reads page and limit; inventory reads allow 1000 per page.
func (s *Server) inventoryPaging(r *http.Request) paging {
	p := readPaging(r.URL.Query(), 1000)
	p.broken = s.faults.Get().BrokenPaging
	return p
}

func (s *Server) itemLocation(l *Location, key stockKey) ItemLocation {
	key.location = l.ID
	rec := s.st.stock[key]
	il := ItemLocation{LocationID: l.ID, LocationCode: l.Code, LocationName: l.Label, LocationEnabled: l.Enabled,
		Settings: ItemSettings{IsInStock: true}}
	if rec != nil {
		il.TotalInventoryOnhand = rec.onhand
		il.AvailableToSell = rec.onhand - rec.settings.SafetyStock
		il.Settings = rec.settings
	}
	return il
}

func (s *Server) listInventoryItems(w http.ResponseWriter, r *http.Request) {
	keep, err := itemFilter(r)
	if err != nil {
		writeProblem(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	q := r.URL.Query()
	locIDs, hasLoc, err := queryInts(q, "location_id:in")
	if err != nil {
		writeProblem(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	locCodes, hasCode := queryStrings(q, "location_code:in")
	p := s.inventoryPaging(r)
	s.mu.Lock()
	var out []InventoryItem
	for _, it := range s.inventoryItemsLocked() {
		if !keep(it.id) {
			continue
		}
		item := InventoryItem{Identity: it.id, Locations: []ItemLocation{}}
		for _, l := range s.st.locations {
			if (hasLoc && !locIDs[l.ID]) || (hasCode && !locCodes[strings.ToLower(l.Code)]) {
				continue
			}
			item.Locations = append(item.Locations, s.itemLocation(l, it.key))
		}
		out = append(out, item)
	}
	s.mu.Unlock()
	writeV3Page(w, out, p)
}

func (s *Server) listLocationItems(w http.ResponseWriter, r *http.Request) {
	lid, _ := pathID(r, "lid")
	keep, err := itemFilter(r)
	if err != nil {
		writeProblem(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	p := s.inventoryPaging(r)
	s.mu.Lock()
	l := s.st.location(lid)
	if l == nil {
		s.mu.Unlock()
		writeProblem(w, http.StatusNotFound, fmt.Sprintf("Location with id %s not found", r.PathValue("lid")))
		return
	}
	var out []LocationItem
	for _, it := range s.inventoryItemsLocked() {
		if !keep(it.id) {
			continue
		}
		il := s.itemLocation(l, it.key)
		out = append(out, LocationItem{Identity: it.id, AvailableToSell: il.AvailableToSell,
			TotalInventoryOnhand: il.TotalInventoryOnhand, Settings: il.Settings})
	}
	s.mu.Unlock()
	writeV3Page(w, out, p)
}

func (s *Server) updateLocationItems(w http.ResponseWriter, r *http.Request) {
	lid, _ := pathID(r, "lid")
	var body struct {
		Settings []struct {
			Identity         itemRef `json:"identity"`
			SafetyStock      *int    `json:"safety_stock"`
			IsInStock        *bool   `json:"is_in_stock"`
			WarningLevel     *int    `json:"warning_level"`
			BinPickingNumber *string `json:"bin_picking_number"`
		} `json:"settings"`
	}
	if err := decodeBody(r, &body); err != nil {
		writeProblem(w, http.StatusUnprocessableEntity, "JSON data is missing or invalid")
		return
	}
	s.mu.Lock()
	if s.st.location(lid) == nil {
		s.mu.Unlock()
		writeProblem(w, http.StatusNotFound, fmt.Sprintf("Location with id %s not found", r.PathValue("lid")))
		return
	}
	keys := make([]stockKey, len(body.Settings))
	for i, set := range body.Settings {
		_, key, msg := s.resolveItem(set.Identity)
		if msg != "" {
			s.mu.Unlock()
			writeProblem(w, http.StatusUnprocessableEntity, msg)
			return
		}
		key.location = lid
		keys[i] = key
	}
	for i, set := range body.Settings {
		rec := s.st.stock[keys[i]]
		if rec == nil {
			rec = &stockRec{settings: ItemSettings{IsInStock: true}}
			s.st.stock[keys[i]] = rec
		}
		if set.SafetyStock != nil {
			rec.settings.SafetyStock = *set.SafetyStock
		}
		if set.IsInStock != nil {
			rec.settings.IsInStock = *set.IsInStock
		}
		if set.WarningLevel != nil {
			rec.settings.WarningLevel = *set.WarningLevel
		}
		if set.BinPickingNumber != nil {
			rec.settings.BinPickingNumber = *set.BinPickingNumber
		}
	}
	tx := s.newUUIDLocked()
	s.mu.Unlock()
	fakekit.WriteJSON(w, http.StatusOK, map[string]string{"transaction_id": tx})
}

func (s *Server) listLocations(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ids, hasID, err := queryInts(q, "location_id:in")
	if err != nil {
		writeV3Error(w, http.StatusUnprocessableEntity, "Invalid filter", map[string]string{"location_id:in": err.Error()})
		return
	}
	codes, hasCode := queryStrings(q, "location_code:in")
	p, ok := s.parsePaging(w, r, true)
	if !ok {
		return
	}
	s.mu.Lock()
	var out []Location
	for _, l := range s.st.locations {
		if (hasID && !ids[l.ID]) || (hasCode && !codes[strings.ToLower(l.Code)]) {
			continue
		}
		if q.Has("is_active") && fmt.Sprint(l.Enabled) != q.Get("is_active") {
			continue
		}
		out = append(out, *l)
	}
	s.mu.Unlock()
	writeV3Page(w, out, p)
}

// StockUpdate is a store's inventory setting for when an order reduces
// stock. The reference documents no API for it (see docs/vendor-notes.md).
type StockUpdate string

const (
	// StockOnOrderPlaced: an order takes its stock when it is placed
	// (BigCommerce's default).
	StockOnOrderPlaced StockUpdate = "order_placed"
	// StockOnOrderCompletedOrShipped: an order takes its stock when it
	// becomes Shipped (2) or Completed (10).
	StockOnOrderCompletedOrShipped StockUpdate = "order_completed_or_shipped"
	// StockNever: orders never change stock.
	StockNever StockUpdate = "never"
)

func (u StockUpdate) valid() bool {
	return u == StockOnOrderPlaced || u == StockOnOrderCompletedOrShipped || u == StockNever
}

// takeStockLocked takes the order's due stock when the store's setting
// says its move from status prev calls for it: on placement (prev is
// Incomplete, the order's status is not), or on becoming Shipped or
// Completed.
func (s *Server) takeStockLocked(rec *orderRec, prev int) []event {
	now := rec.o.StatusID
	var due bool
	switch s.stockUpdate {
	case StockOnOrderPlaced:
		due = prev == StatusIncomplete && now != StatusIncomplete
	case StockOnOrderCompletedOrShipped:
		due = now == StatusShipped || now == StatusCompleted
	}
	if !due {
		return nil
	}
	var events []event
	for _, m := range rec.stockDue {
		events = append(events, s.moveStockLocked(m.key, -m.qty, true)...)
		rec.stockTaken = append(rec.stockTaken, m)
	}
	rec.stockDue = nil
	return events
}

// StockUpdate is the store's setting for when orders take their stock.
func (s *Server) StockUpdate() StockUpdate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stockUpdate
}

// SetStockUpdate changes when orders placed or moved from now on take
// their stock; stock already taken stays taken.
func (s *Server) SetStockUpdate(u StockUpdate) error {
	if !u.valid() {
		return fmt.Errorf("update_stock_behavior %q is not one of %s, %s, %s", u, StockOnOrderPlaced, StockOnOrderCompletedOrShipped, StockNever)
	}
	s.mu.Lock()
	s.stockUpdate = u
	s.mu.Unlock()
	return nil
}
