package shipstationtest

// db is the fake's account data, guarded by Server.mu. Every lookup the hot
// paths need (order by id or key, product by SKU, batch contents) is a map;
// the id slices keep creation order for listing.
type db struct {
	seq sequences

	orders        map[int64]*orderRec
	orderIDs      []int64
	byKey         map[string]int64
	importBatches map[string][]int64 // importBatch GUID -> order ids
	held          map[int64]struct{} // orders on hold with a release date
	customers     map[string]int64   // customer email or username -> customerId

	shipments   map[int64]*Shipment
	shipmentIDs []int64
	shipBatches map[int64][]int64 // webhook batchId -> shipment ids

	fulfillments []*Fulfillment

	products   map[int64]*Product
	productIDs []int64
	bySKU      map[string]int64
	productPut map[int64]int // PUT /products/{id} that replaced the product

	stores     []*Store
	warehouses []*Warehouse
	tags       []*Tag
	carriers   []*Carrier
	webhooks   []*Webhook

	invWarehouses []*InventoryWarehouse
	invLocations  []*InventoryLocation
	stock         map[stockKey]*stockLevel
	stockOrder    []stockKey

	v2Labels    map[string]*v2LabelRec
	v2LabelIDs  []string
	v2Shipments map[string]*V2Shipment
}

// sequences hand out ids in the ranges ShipStation's own ids live in.
type sequences struct {
	order, item, shipment, fulfillment, product, customer int64
	store, warehouse, tag, webhook, shipBatch, v2         int64
}

func newDB() db {
	return db{
		seq: sequences{
			order: 512340000, item: 700110000, shipment: 90011000, fulfillment: 30045000,
			product: 41002000, customer: 88123000, store: 30550, warehouse: 14264,
			tag: 8361, webhook: 123455, shipBatch: 190671000, v2: 1000,
		},
		orders:        map[int64]*orderRec{},
		byKey:         map[string]int64{},
		importBatches: map[string][]int64{},
		held:          map[int64]struct{}{},
		customers:     map[string]int64{},
		shipments:     map[int64]*Shipment{},
		shipBatches:   map[int64][]int64{},
		products:      map[int64]*Product{},
		bySKU:         map[string]int64{},
		productPut:    map[int64]int{},
		stock:         map[stockKey]*stockLevel{},
		v2Labels:      map[string]*v2LabelRec{},
		v2Shipments:   map[string]*V2Shipment{},
	}
}

func next(n *int64) int64 {
	*n++
	return *n
}

// orderRec is an order plus the state ShipStation keeps beside it.
type orderRec struct {
	order   Order
	deleted bool
	// shipped counts, per orderItemId, the units on outbound labels not voided.
	shipped map[int64]int
	// returned counts, per orderItemId, the units on return labels not voided.
	returned map[int64]int
}

func (d *db) storeByID(id int64) *Store {
	for _, st := range d.stores {
		if st.StoreID == id {
			return st
		}
	}
	return nil
}

func (d *db) warehouseByID(id int64) *Warehouse {
	for _, wh := range d.warehouses {
		if wh.WarehouseID == id {
			return wh
		}
	}
	return nil
}

func (d *db) tagByID(id int64) *Tag {
	for _, t := range d.tags {
		if t.TagID == id {
			return t
		}
	}
	return nil
}

func (d *db) tagByName(name string) *Tag {
	for _, t := range d.tags {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// defaultStoreID is the first manual store, else the first store.
func (d *db) defaultStoreID() (int64, bool) {
	for _, st := range d.stores {
		if st.MarketplaceID == 0 && st.Active {
			return st.StoreID, true
		}
	}
	if len(d.stores) > 0 {
		return d.stores[0].StoreID, true
	}
	return 0, false
}

// defaultWarehouseID is the default ship-from location, else the first.
func (d *db) defaultWarehouseID() *int64 {
	for _, wh := range d.warehouses {
		if wh.IsDefault {
			id := wh.WarehouseID
			return &id
		}
	}
	if len(d.warehouses) > 0 {
		id := d.warehouses[0].WarehouseID
		return &id
	}
	return nil
}

// liveOrder returns a non-deleted order by id.
func (d *db) liveOrder(id int64) *orderRec {
	rec := d.orders[id]
	if rec == nil || rec.deleted {
		return nil
	}
	return rec
}
