package shipstationtest

import (
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"
)

// V2Time is a v2 timestamp: ISO 8601 in UTC with a "Z".
type V2Time struct{ time.Time }

// MarshalJSON writes the time in UTC with up to three fractional digits.
func (t V2Time) MarshalJSON() ([]byte, error) {
	return json.Marshal(t.UTC().Format("2006-01-02T15:04:05.999Z"))
}

// UnmarshalJSON reads an RFC 3339 time.
func (t *V2Time) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	t.Time = v
	return err
}

// InventoryWarehouse is a v2 inventory warehouse (not a ship-from warehouse).
type InventoryWarehouse struct {
	InventoryWarehouseID string `json:"inventory_warehouse_id"`
	Name                 string `json:"name"`
	CreatedAt            V2Time `json:"created_at"`
	UpdatedAt            V2Time `json:"updated_at"`
}

// InventoryLocation is a bin or shelf inside an inventory warehouse.
type InventoryLocation struct {
	InventoryLocationID  string `json:"inventory_location_id"`
	Name                 string `json:"name"`
	InventoryWarehouseID string `json:"inventory_warehouse_id"`
	CreatedAt            V2Time `json:"created_at"`
	UpdatedAt            V2Time `json:"updated_at"`
}

// V2Money is a v2 amount with its currency.
type V2Money struct {
	Amount   Money  `json:"amount"`
	Currency string `json:"currency"`
}

// InventoryLevel is one row of GET /v2/inventory.
type InventoryLevel struct {
	SKU                  string  `json:"sku"`
	OnHand               int     `json:"on_hand"`
	Allocated            int     `json:"allocated"`
	Available            int     `json:"available"`
	AverageCost          V2Money `json:"average_cost"`
	InventoryWarehouseID string  `json:"inventory_warehouse_id"`
	InventoryLocationID  string  `json:"inventory_location_id,omitempty"`
}

type stockKey struct{ sku, location string }

// stockLevel is the stock of one SKU at one location. Its allocated units
// are those set by hand (orders of channels the fake does not hold); the
// fake's own open orders add theirs when listed (allocationsLocked).
type stockLevel struct {
	onHand    int
	allocated int
	cost      V2Money
	condition string
}

// allocatingStatuses are the order statuses whose unshipped units are
// allocated (inferred: reference/shipstation-api.md §12.2 says only
// "committed to open orders").
var allocatingStatuses = map[string]bool{StatusAwaitingShipment: true, StatusOnHold: true}

// allocationsLocked returns the units open orders allocate, per SKU at its
// primary location; none under Options.V2NoAllocation.
func (s *Server) allocationsLocked() map[stockKey]int {
	if s.opts.V2NoAllocation {
		return nil
	}
	primary := map[string]string{}
	for _, k := range s.stockOrder {
		if _, ok := primary[k.sku]; !ok {
			primary[k.sku] = k.location
		}
	}
	out := map[stockKey]int{}
	for _, id := range s.orderIDs {
		rec := s.orders[id]
		if rec == nil || rec.deleted || !allocatingStatuses[rec.order.OrderStatus] {
			continue
		}
		for _, it := range rec.order.Items {
			loc, ok := primary[it.SKU]
			if left := it.Quantity - rec.shipped[it.OrderItemID]; ok && left > 0 {
				out[stockKey{it.SKU, loc}] += left
			}
		}
	}
	return out
}

func (s *Server) locationByID(id string) *InventoryLocation {
	for _, l := range s.invLocations {
		if l.InventoryLocationID == id {
			return l
		}
	}
	return nil
}

// stockAtLocked returns the level of sku at a location, creating it empty.
func (s *Server) stockAtLocked(sku, location string) *stockLevel {
	k := stockKey{sku, location}
	lv := s.stock[k]
	if lv == nil {
		lv = &stockLevel{cost: V2Money{Amount: Money{decimal.Zero}, Currency: "USD"}, condition: "sellable"}
		s.stock[k] = lv
		s.stockOrder = append(s.stockOrder, k)
	}
	return lv
}

// primaryLocationLocked is where label and return sims move a SKU's
// stock: the first location holding it, else the first location.
func (s *Server) primaryLocationLocked(sku string) string {
	for _, k := range s.stockOrder {
		if k.sku == sku {
			return k.location
		}
	}
	if len(s.invLocations) > 0 {
		return s.invLocations[0].InventoryLocationID
	}
	return ""
}

// changeStockLocked moves on-hand stock of sku by delta at its primary
// location, never below zero. Without inventory locations it does nothing.
func (s *Server) changeStockLocked(sku string, delta int) {
	if sku == "" {
		return
	}
	loc := s.primaryLocationLocked(sku)
	if loc == "" {
		return
	}
	lv := s.stockAtLocked(sku, loc)
	lv.onHand = max(lv.onHand+delta, 0)
}

// levelsLocked lists stock rows, one per SKU and location, or one per SKU
// and warehouse when byWarehouse.
func (s *Server) levelsLocked(byWarehouse bool, keep func(sku, warehouse, location string) bool) []InventoryLevel {
	var out []InventoryLevel
	index := map[[2]string]int{}
	alloc := s.allocationsLocked()
	for _, k := range s.stockOrder {
		lv := s.stock[k]
		allocated := lv.allocated + alloc[k]
		wh := ""
		if loc := s.locationByID(k.location); loc != nil {
			wh = loc.InventoryWarehouseID
		}
		if !keep(k.sku, wh, k.location) {
			continue
		}
		row := InventoryLevel{
			SKU: k.sku, OnHand: lv.onHand, Allocated: allocated, Available: lv.onHand - allocated, AverageCost: lv.cost,
			InventoryWarehouseID: wh, InventoryLocationID: k.location,
		}
		if byWarehouse {
			row.InventoryLocationID = ""
			if i, ok := index[[2]string{k.sku, wh}]; ok {
				out[i].OnHand += lv.onHand
				out[i].Allocated += allocated
				out[i].Available += lv.onHand - allocated
				continue
			}
			index[[2]string{k.sku, wh}] = len(out)
		}
		out = append(out, row)
	}
	return out
}
