package shipstationtest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// v2DefaultPageSize is the page size of v2 lists when none is asked.
const v2DefaultPageSize = 100

func (s *Server) v2Router() *router {
	rt := &router{
		notFound: func(w http.ResponseWriter, r *http.Request) {
			s.v2Error(w, http.StatusNotFound, v2TypeValidation, "invalid_identifier", "The requested resource was not found.")
		},
		badMethod: func(w http.ResponseWriter, r *http.Request) {
			s.v2Error(w, http.StatusMethodNotAllowed, v2TypeValidation, "unspecified", "Method "+r.Method+" is not allowed here.")
		},
	}
	rt.handle(http.MethodGet, "/v2/inventory", s.v2ListInventory)
	rt.handle(http.MethodPost, "/v2/inventory", s.v2ChangeInventory)
	rt.handle(http.MethodGet, "/v2/inventory_warehouses", s.v2ListWarehouses)
	rt.handle(http.MethodGet, "/v2/inventory_warehouses/{}", s.v2GetWarehouse)
	rt.handle(http.MethodGet, "/v2/inventory_locations", s.v2ListLocations)
	rt.handle(http.MethodGet, "/v2/inventory_locations/{}", s.v2GetLocation)
	rt.handle(http.MethodGet, "/v2/labels", s.v2ListLabels)
	rt.handle(http.MethodPost, "/v2/labels", s.v2CreateLabel)
	rt.handle(http.MethodGet, "/v2/labels/{}", s.v2GetLabel)
	rt.handle(http.MethodPost, "/v2/labels/{}/return", s.v2CreateReturnLabel)
	rt.handle(http.MethodGet, "/v2/labels/{}/track", s.v2TrackLabel)
	rt.handle(http.MethodPut, "/v2/labels/{}/void", s.v2VoidLabel)
	rt.handle(http.MethodGet, "/v2/shipments", s.v2ListShipments)
	rt.handle(http.MethodGet, "/v2/shipments/{}", s.v2GetShipment)
	return rt
}

type v2Link struct {
	Href string `json:"href,omitempty"`
}

type v2Links struct {
	First v2Link `json:"first"`
	Last  v2Link `json:"last"`
	Prev  v2Link `json:"prev"`
	Next  v2Link `json:"next"`
}

// v2Page reads page and page_size (limit is accepted as page_size).
func (s *Server) v2Page(w http.ResponseWriter, q url.Values) (page, bool) {
	pg := page{number: 1, size: v2DefaultPageSize, broken: s.faults.Get().BrokenPaging}
	for _, f := range []struct {
		name string
		dst  *int
	}{{"page", &pg.number}, {"limit", &pg.size}, {"page_size", &pg.size}} {
		v := q.Get(f.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.v2Error(w, http.StatusBadRequest, v2TypeValidation, "invalid_field_value", fmt.Sprintf("%s must be a positive integer.", f.name))
			return pg, false
		}
		*f.dst = n
	}
	return pg, true
}

// v2LinksFor builds first/last/prev/next links for a page of a list.
func (s *Server) v2LinksFor(r *http.Request, pg page, pages int) v2Links {
	href := func(n int) v2Link {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(n))
		q.Set("page_size", strconv.Itoa(pg.size))
		return v2Link{Href: s.resourceBase() + r.URL.Path + "?" + q.Encode()}
	}
	last := max(pages, 1)
	l := v2Links{First: href(1), Last: href(last)}
	if pg.number > 1 {
		l.Prev = href(min(pg.number-1, last))
	}
	if pg.number < pages {
		l.Next = href(pg.number + 1)
	}
	return l
}

// writeV2List answers a v2 list with page pg of all, the items under field.
func writeV2List[T any](s *Server, w http.ResponseWriter, r *http.Request, field string, all []T, pg page) {
	items, total, pages := paginate(all, pg)
	writeJSON(w, http.StatusOK, map[string]any{
		field: items, "total": total, "page": pg.number, "pages": pages,
		"links": s.v2LinksFor(r, pg, pages),
	})
}

func (s *Server) v2ListInventory(w http.ResponseWriter, r *http.Request, _ []string) {
	q := r.URL.Query()
	pg, ok := s.v2Page(w, q)
	if !ok {
		return
	}
	skus := map[string]bool{}
	for _, v := range strings.Split(q.Get("sku"), ",") {
		if v = strings.TrimSpace(v); v != "" {
			skus[v] = true
		}
	}
	whID, locID := q.Get("inventory_warehouse_id"), q.Get("inventory_location_id")
	groupBy := q.Get("group_by")
	if groupBy != "" && groupBy != "warehouse" && groupBy != "location" {
		s.v2Error(w, http.StatusBadRequest, v2TypeValidation, "invalid_field_value", "group_by must be warehouse or location.")
		return
	}
	s.mu.Lock()
	rows := s.levelsLocked(groupBy == "warehouse", func(sku, wh, loc string) bool {
		return (len(skus) == 0 || skus[sku]) && (whID == "" || wh == whID) && (locID == "" || loc == locID)
	})
	s.mu.Unlock()
	writeV2List(s, w, r, "inventory", rows, pg)
}

// inventoryChange is the body of POST /v2/inventory.
type inventoryChange struct {
	TransactionType        string   `json:"transaction_type"`
	InventoryLocationID    string   `json:"inventory_location_id"`
	SKU                    string   `json:"sku"`
	Quantity               *int     `json:"quantity"`
	Cost                   *V2Money `json:"cost"`
	Condition              string   `json:"condition"`
	NewInventoryLocationID string   `json:"new_inventory_location_id"`
	NewCost                *V2Money `json:"new_cost"`
	NewCondition           string   `json:"new_condition"`
}

// v2Fail is a v2 request error with its status and vocabulary.
type v2Fail struct {
	status          int
	typ, code, text string
}

func (e *v2Fail) Error() string { return e.text }

func invalid(code, format string, args ...any) *v2Fail {
	return &v2Fail{http.StatusBadRequest, v2TypeValidation, code, fmt.Sprintf(format, args...)}
}

func (s *Server) v2ChangeInventory(w http.ResponseWriter, r *http.Request, _ []string) {
	var in inventoryChange
	if err := decodeJSON(r, &in); err != nil {
		s.v2Error(w, http.StatusBadRequest, v2TypeValidation, "request_body_required", "The request body is not valid JSON: "+err.Error())
		return
	}
	s.mu.Lock()
	fail := s.applyInventoryLocked(&in)
	s.mu.Unlock()
	if fail != nil {
		s.v2Error(w, fail.status, fail.typ, fail.code, fail.text)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) applyInventoryLocked(in *inventoryChange) *v2Fail {
	switch {
	case in.TransactionType == "":
		return invalid("field_value_required", "transaction_type is required.")
	case in.SKU == "":
		return invalid("field_value_required", "sku is required.")
	case in.Quantity == nil:
		return invalid("field_value_required", "quantity is required.")
	case in.InventoryLocationID == "":
		return invalid("field_value_required", "inventory_location_id is required.")
	case s.locationByID(in.InventoryLocationID) == nil:
		return invalid("invalid_identifier", "inventory_location_id %s was not found.", in.InventoryLocationID)
	}
	if _, known := s.bySKU[in.SKU]; !known && !s.opts.V2AllowUnknownSKU {
		return &v2Fail{http.StatusBadRequest, v2TypeBusiness, "invalid_field_value", fmt.Sprintf("sku %s is not a product in this account.", in.SKU)}
	}
	q := *in.Quantity
	lv := s.stockAtLocked(in.SKU, in.InventoryLocationID)
	switch in.TransactionType {
	case "increment":
		if q < 1 {
			return invalid("invalid_field_value", "quantity must be at least 1 for increment.")
		}
		if in.Cost != nil {
			lv.cost = averageCost(lv, q, *in.Cost)
		}
		lv.onHand += q
	case "decrement":
		if q < 1 {
			return invalid("invalid_field_value", "quantity must be at least 1 for decrement.")
		}
		if q > lv.onHand {
			return &v2Fail{http.StatusBadRequest, v2TypeBusiness, "invalid_field_value", fmt.Sprintf("cannot decrement %d units of %s: %d on hand.", q, in.SKU, lv.onHand)}
		}
		lv.onHand -= q
	case "adjust":
		if q < 0 {
			return invalid("invalid_field_value", "quantity must not be negative for adjust.")
		}
		lv.onHand = q
		if in.Condition != "" {
			lv.condition = in.Condition
		}
	case "modify":
		return s.modifyLocked(in, lv, q)
	default:
		return invalid("invalid_field_value", "transaction_type must be increment, decrement, adjust or modify.")
	}
	return nil
}

// modifyLocked changes attributes of stock: its location, cost or condition.
func (s *Server) modifyLocked(in *inventoryChange, lv *stockLevel, q int) *v2Fail {
	if in.NewInventoryLocationID == "" && in.NewCost == nil && in.NewCondition == "" {
		return invalid("field_value_required", "modify needs new_inventory_location_id, new_cost or new_condition.")
	}
	if in.NewInventoryLocationID != "" {
		if s.locationByID(in.NewInventoryLocationID) == nil {
			return invalid("invalid_identifier", "new_inventory_location_id %s was not found.", in.NewInventoryLocationID)
		}
		if q < 1 || q > lv.onHand {
			return &v2Fail{http.StatusBadRequest, v2TypeBusiness, "invalid_field_value", fmt.Sprintf("cannot move %d units of %s: %d on hand.", q, in.SKU, lv.onHand)}
		}
		dst := s.stockAtLocked(in.SKU, in.NewInventoryLocationID)
		dst.cost = averageCost(dst, q, lv.cost)
		dst.onHand += q
		lv.onHand -= q
	}
	if in.NewCost != nil {
		lv.cost = *in.NewCost
	}
	if in.NewCondition != "" {
		lv.condition = in.NewCondition
	}
	return nil
}

// averageCost is the cost of lv after adding q units at cost.
func averageCost(lv *stockLevel, q int, cost V2Money) V2Money {
	total := decimal.NewFromInt(int64(lv.onHand + q))
	if total.IsZero() {
		return cost
	}
	sum := lv.cost.Amount.Mul(decimal.NewFromInt(int64(lv.onHand))).Add(cost.Amount.Mul(decimal.NewFromInt(int64(q))))
	return V2Money{Amount: Money{sum.Div(total).Round(4)}, Currency: cost.Currency}
}

func (s *Server) v2ListWarehouses(w http.ResponseWriter, r *http.Request, _ []string) {
	pg, ok := s.v2Page(w, r.URL.Query())
	if !ok {
		return
	}
	s.mu.Lock()
	all := make([]InventoryWarehouse, len(s.invWarehouses))
	for i, wh := range s.invWarehouses {
		all[i] = *wh
	}
	s.mu.Unlock()
	writeV2List(s, w, r, "inventory_warehouses", all, pg)
}

func (s *Server) v2GetWarehouse(w http.ResponseWriter, r *http.Request, p []string) {
	s.mu.Lock()
	var found *InventoryWarehouse
	for _, wh := range s.invWarehouses {
		if wh.InventoryWarehouseID == p[0] {
			c := *wh
			found = &c
		}
	}
	s.mu.Unlock()
	if found == nil {
		s.v2Error(w, http.StatusNotFound, v2TypeValidation, "invalid_identifier", "inventory_warehouse_id "+p[0]+" was not found.")
		return
	}
	writeJSON(w, http.StatusOK, found)
}

func (s *Server) v2ListLocations(w http.ResponseWriter, r *http.Request, _ []string) {
	pg, ok := s.v2Page(w, r.URL.Query())
	if !ok {
		return
	}
	s.mu.Lock()
	all := make([]InventoryLocation, len(s.invLocations))
	for i, l := range s.invLocations {
		all[i] = *l
	}
	s.mu.Unlock()
	writeV2List(s, w, r, "inventory_locations", all, pg)
}

func (s *Server) v2GetLocation(w http.ResponseWriter, r *http.Request, p []string) {
	s.mu.Lock()
	var found *InventoryLocation
	if l := s.locationByID(p[0]); l != nil {
		c := *l
		found = &c
	}
	s.mu.Unlock()
	if found == nil {
		s.v2Error(w, http.StatusNotFound, v2TypeValidation, "invalid_identifier", "inventory_location_id "+p[0]+" was not found.")
		return
	}
	writeJSON(w, http.StatusOK, found)
}
