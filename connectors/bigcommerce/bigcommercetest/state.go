package bigcommercetest

import (
	"time"
)

// state is the store's data. Every field is guarded by Server.mu.
type state struct {
	orders   map[int]*orderRec
	orderIDs []int // ascending; ids only grow, so appends keep it sorted

	products   map[int]*productRec
	productIDs []int
	variants   map[int]*Variant
	variantOf  map[int]*productRec
	skus       map[string]int // lower-cased SKU -> variant id (0: a product-level SKU)
	skuProduct map[string]int // lower-cased SKU -> product id

	stock map[stockKey]*stockRec
	// history is each stock level's changes, oldest first (StockWasOut).
	history   map[stockKey][]levelAt
	moves     []StockAdjustment // every API adjustment, in order
	locations []*Location
	channels  []*Channel

	hooks   map[int]*Hook
	hookIDs []int

	refunds map[int]*Refund

	next map[string]int // id sequences by kind
}

// orderRec is an order with its sub-resources.
type orderRec struct {
	o               Order
	lines           []*OrderProduct
	addrs           []*ShippingAddress
	shipments       []*Shipment
	metas           []*Metafield
	refunds         []*Refund
	providerID      string
	refundBusyUntil time.Time
	stockTaken      []stockMove
	// stockDue is the stock the order takes when the store's StockUpdate
	// says, until it has taken it.
	stockDue []stockMove
	// downloadsAsObject renders the downloads consignment as one object
	// where the OAS has a list (SetDownloadsAsObject).
	downloadsAsObject bool
}

// levelAt is a change of a stock level: the level before and after it.
type levelAt struct {
	at            time.Time
	before, after int
}

// stockMove records stock an order took, to give it back on cancel.
type stockMove struct {
	key stockKey
	qty int
}

// productRec is a catalog product with its variants and options.
type productRec struct {
	p        Product
	variants []*Variant
	options  []*ProductOptDef
	channels []int
}

// stockKey names one item's stock at one location. Variant is 0 for stock
// tracked at product level.
type stockKey struct{ product, variant, location int }

type stockRec struct {
	onhand   int
	settings ItemSettings
}

func newState(now time.Time) *state {
	st := &state{
		orders:     map[int]*orderRec{},
		products:   map[int]*productRec{},
		variants:   map[int]*Variant{},
		variantOf:  map[int]*productRec{},
		skus:       map[string]int{},
		skuProduct: map[string]int{},
		stock:      map[stockKey]*stockRec{},
		history:    map[stockKey][]levelAt{},
		hooks:      map[int]*Hook{},
		refunds:    map[int]*Refund{},
		next: map[string]int{
			"order": 100, "line": 1, "address": 1, "shipment": 1, "metafield": 1, "refund": 1,
			"payment": 1, "hook": 23458800, "product": 77, "variant": 1, "option": 1,
			"option_value": 1, "sku": 1, "product_option": 1,
		},
	}
	created := now.UTC().Add(-365 * 24 * time.Hour).Format("2006-01-02T15:04:05Z")
	st.channels = []*Channel{
		{ID: 1, Name: "Main Store", Type: "storefront", Platform: "bigcommerce", Status: "active",
			IsListableFromUI: true, IsVisible: true, IconURL: "https://storage.googleapis.com/bigcommerce-production-dev-center/images/bigcommerce_icon.svg",
			DateCreated: created, DateModified: created},
		{ID: 2, Name: "Wholesale", Type: "storefront", Platform: "bigcommerce", Status: "active",
			IsListableFromUI: true, IsVisible: true, IconURL: "https://storage.googleapis.com/bigcommerce-production-dev-center/images/bigcommerce_icon.svg",
			DateCreated: created, DateModified: created},
	}
	st.locations = []*Location{
		newLocation(1, "BC-LOCATION-1", "Default location", created),
		newLocation(2, "WH-EAST", "East warehouse", created),
	}
	return st
}

func newLocation(id int, code, label, created string) *Location {
	return &Location{ID: id, Code: code, Label: label, TypeID: "PHYSICAL", Enabled: true,
		TimeZone: "America/Chicago", CreatedAt: created, UpdatedAt: created, StorefrontVisibility: true,
		OperatingHours: map[string]any{}, SpecialHours: []any{},
		Address: LocationAddress{Address1: "1 Warehouse Way", City: "Austin", State: "Texas", Zip: "78701",
			CountryCode: "US", Email: "ops@example.com", GeoCoordinates: map[string]any{"latitude": 30.27, "longitude": -97.74}}}
}

// nextID hands out the next id of a kind.
func (st *state) nextID(kind string) int {
	id := st.next[kind]
	st.next[kind] = id + 1
	return id
}

func (st *state) location(id int) *Location {
	for _, l := range st.locations {
		if l.ID == id {
			return l
		}
	}
	return nil
}

func (st *state) channel(id int) *Channel {
	for _, c := range st.channels {
		if c.ID == id {
			return c
		}
	}
	return nil
}
