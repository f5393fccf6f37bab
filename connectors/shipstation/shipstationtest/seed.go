package shipstationtest

import (
	"errors"
	"fmt"
	"strings"
)

// Names of the tags in the default seed.
const (
	TagPriority       = "Priority"
	TagStandard       = "Standard"
	TagBackorder      = "Backorder"
	TagException      = "Exception"
	TagReturnReceived = "Return Received"
)

// SeedDefault loads the default account: two manual stores, two ship-from
// warehouses (Denver, the default, and Reno), the tags Priority, Standard,
// Backorder, Exception and Return Received, five carriers (Stamps.com, UPS,
// FedEx, DHL Express and the walleted UPS by ShipStation), and two v2
// inventory warehouses with one location each. NewServer calls it unless
// Options.Bare; calling it again does nothing.
func (s *Server) SeedDefault() {
	s.mu.Lock()
	if s.seeded {
		s.mu.Unlock()
		return
	}
	s.seeded = true
	s.mu.Unlock()

	s.AddStore(Store{StoreName: "ShipStation Manual Store", CompanyName: "Sandbox Goods", Website: "https://sandbox.example.com"})
	s.AddStore(Store{StoreName: "Wholesale Store", CompanyName: "Sandbox Goods", Website: "https://wholesale.example.com"})
	s.AddWarehouse(Warehouse{WarehouseName: "Denver DC", IsDefault: true, OriginAddress: &Address{
		Name: "Shipping Dept", Company: strPtr("Sandbox Goods"), Street1: strPtr("100 Main St"),
		City: strPtr("Denver"), State: strPtr("CO"), PostalCode: strPtr("80202"), Country: strPtr("US"), Phone: strPtr("3035550199"),
	}})
	s.AddWarehouse(Warehouse{WarehouseName: "Reno DC", OriginAddress: &Address{
		Name: "Shipping Dept", Company: strPtr("Sandbox Goods"), Street1: strPtr("9 Logistics Way"),
		City: strPtr("Reno"), State: strPtr("NV"), PostalCode: strPtr("89502"), Country: strPtr("US"), Phone: strPtr("7755550142"),
	}})
	for _, t := range []struct{ name, color string }{
		{TagPriority, "#FF0000"}, {TagStandard, "#0000FF"}, {TagBackorder, "#800080"},
		{TagException, "#FFA500"}, {TagReturnReceived, "#008000"},
	} {
		s.AddTag(t.name, t.color)
	}
	s.AddCarrier(carrier("Stamps.com", "stamps_com", 1, true,
		[]CarrierService{{Code: "usps_ground_advantage", Name: "USPS Ground Advantage", Domestic: true},
			{Code: "usps_priority_mail", Name: "USPS Priority Mail", Domestic: true},
			{Code: "usps_priority_mail_international", Name: "USPS Priority Mail Intl", International: true}},
		[]CarrierService{{Code: "package", Name: "Package", Domestic: true, International: true},
			{Code: "flat_rate_envelope", Name: "Flat Rate Envelope", Domestic: true, International: true}}))
	s.AddCarrier(carrier("UPS", "ups", 2, false,
		[]CarrierService{{Code: "ups_ground", Name: "UPS® Ground", Domestic: true},
			{Code: "ups_next_day_air", Name: "UPS Next Day Air®", Domestic: true},
			{Code: "ups_worldwide_expedited", Name: "UPS Worldwide Expedited®", International: true}},
		[]CarrierService{{Code: "package", Name: "Package", Domestic: true, International: true}}))
	s.AddCarrier(carrier("FedEx", "fedex", 3, false,
		[]CarrierService{{Code: "fedex_ground", Name: "FedEx Ground®", Domestic: true},
			{Code: "fedex_2day", Name: "FedEx 2Day®", Domestic: true},
			{Code: "fedex_international_economy", Name: "FedEx International Economy®", International: true}},
		[]CarrierService{{Code: "package", Name: "Package", Domestic: true, International: true}}))
	// A carrier BigCommerce has no shipping provider for, and one billed
	// through ShipStation's own account (the _walleted codes).
	s.AddCarrier(carrier("DHL Express", "dhl_express", 4, false,
		[]CarrierService{{Code: "dhl_express_worldwide", Name: "DHL Express Worldwide", Domestic: true, International: true},
			{Code: "dhl_express_12_00", Name: "DHL Express 12:00", International: true}},
		[]CarrierService{{Code: "package", Name: "Package", Domestic: true, International: true}}))
	s.AddCarrier(carrier("UPS by ShipStation", "ups_walleted", 5, true,
		[]CarrierService{{Code: "ups_ground", Name: "UPS® Ground", Domestic: true},
			{Code: "ups_2nd_day_air", Name: "UPS 2nd Day Air®", Domestic: true},
			{Code: "ups_worldwide_saver", Name: "UPS Worldwide Saver®", International: true}},
		[]CarrierService{{Code: "package", Name: "Package", Domestic: true, International: true}}))
	for _, name := range []string{"Denver DC", "Reno DC"} {
		wh := s.AddInventoryWarehouse(name)
		_, _ = s.AddInventoryLocation(wh.InventoryWarehouseID, strings.SplitN(name, " ", 2)[0]+"-A-1")
	}
}

func carrier(name, code string, provider int64, funded bool, services, packages []CarrierService) Carrier {
	for i := range services {
		services[i].CarrierCode = code
	}
	for i := range packages {
		packages[i].CarrierCode = code
	}
	return Carrier{
		Name: name, Code: code, RequiresFundedAccount: funded, Balance: NewMoney("250.00"),
		ShippingProviderID: provider, Primary: true, Services: services, Packages: packages,
	}
}

// AddStore adds a store; a zero StoreID gets the next id. Stores are
// active manual stores (marketplace "ShipStation") unless set otherwise.
func (s *Server) AddStore(st Store) Store {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if st.StoreID == 0 {
		st.StoreID = next(&s.seq.store)
	}
	if st.MarketplaceName == "" {
		st.MarketplaceName = "ShipStation"
		st.Active = true
	}
	st.CreateDate, st.ModifyDate = timePtr(now), timePtr(now)
	s.stores = append(s.stores, &st)
	return st
}

// AddWarehouse adds a ship-from warehouse; a zero WarehouseID gets the next
// id, a missing returnAddress is the origin address, and IsDefault moves the
// default here.
func (s *Server) AddWarehouse(wh Warehouse) Warehouse {
	s.mu.Lock()
	defer s.mu.Unlock()
	if wh.WarehouseID == 0 {
		wh.WarehouseID = next(&s.seq.warehouse)
	}
	if wh.ReturnAddress == nil {
		wh.ReturnAddress = wh.OriginAddress
	}
	if wh.CreateDate == nil {
		wh.CreateDate = timePtr(s.now())
	}
	if wh.IsDefault {
		for _, other := range s.warehouses {
			other.IsDefault = false
		}
	}
	s.warehouses = append(s.warehouses, &wh)
	return wh
}

// AddTag adds an order tag (in ShipStation only the UI can).
func (s *Server) AddTag(name, color string) Tag {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.addTagLocked(name, color)
}

func (s *Server) addTagLocked(name, color string) *Tag {
	t := &Tag{TagID: next(&s.seq.tag), Name: name, Color: color}
	s.tags = append(s.tags, t)
	return t
}

// AddCarrier adds a carrier account with its services and packages.
func (s *Server) AddCarrier(c Carrier) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.carriers = append(s.carriers, &c)
}

// AddProduct adds a product record, as the UI or a CSV import does; a zero
// ProductID gets the next id. SKUs are unique.
func (s *Server) AddProduct(p Product) (Product, error) {
	if p.SKU == "" {
		return Product{}, errors.New("product sku is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.bySKU[p.SKU]; dup {
		return Product{}, fmt.Errorf("sku %q already has a product", p.SKU)
	}
	if p.ProductID == 0 {
		p.ProductID = next(&s.seq.product)
	} else if s.products[p.ProductID] != nil {
		return Product{}, fmt.Errorf("product %d already exists", p.ProductID)
	}
	now := s.now()
	if p.CreateDate == nil {
		p.CreateDate = timePtr(now)
	}
	if p.ModifyDate == nil {
		p.ModifyDate = timePtr(now)
	}
	s.putProductLocked(&p)
	return copyProduct(&p), nil
}

// UpsertOrder creates or replaces an order exactly as POST /orders/createorder
// does, webhooks included.
func (s *Server) UpsertOrder(o Order) (Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.upsertLocked(o, s.now())
	if err != nil {
		return Order{}, err
	}
	if res.notify {
		s.fireOrdersLocked([]*Order{&res.rec.order})
	}
	return copyOrder(&res.rec.order), nil
}

// AddInventoryWarehouse adds a v2 inventory warehouse.
func (s *Server) AddInventoryWarehouse(name string) InventoryWarehouse {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := V2Time{s.now()}
	wh := &InventoryWarehouse{InventoryWarehouseID: fmt.Sprintf("se-%d", next(&s.seq.v2)), Name: name, CreatedAt: now, UpdatedAt: now}
	s.invWarehouses = append(s.invWarehouses, wh)
	return *wh
}

// AddInventoryLocation adds a location to a v2 inventory warehouse.
func (s *Server) AddInventoryLocation(warehouseID, name string) (InventoryLocation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	found := false
	for _, wh := range s.invWarehouses {
		found = found || wh.InventoryWarehouseID == warehouseID
	}
	if !found {
		return InventoryLocation{}, fmt.Errorf("inventory warehouse %s was not found", warehouseID)
	}
	now := V2Time{s.now()}
	l := &InventoryLocation{
		InventoryLocationID: fmt.Sprintf("se-%d", next(&s.seq.v2)), Name: name,
		InventoryWarehouseID: warehouseID, CreatedAt: now, UpdatedAt: now,
	}
	s.invLocations = append(s.invLocations, l)
	return *l, nil
}

// SetAllocatedAt sets the units of a SKU at a location allocated to orders
// the fake does not hold (other channels); the fake's own open orders add
// theirs. An empty locationID means the SKU's primary location.
func (s *Server) SetAllocatedAt(sku, locationID string, allocated int) error {
	return s.setStockLevel(sku, locationID, func(lv *stockLevel) { lv.allocated = allocated })
}

// SetStock sets the v2 on-hand units of a SKU at its primary location (the
// first location holding it, else the first location).
func (s *Server) SetStock(sku string, onHand int) error { return s.SetStockAt(sku, "", onHand) }

// SetStockAt sets the v2 on-hand units of a SKU at a location; an empty
// locationID means the SKU's primary location.
func (s *Server) SetStockAt(sku, locationID string, onHand int) error {
	return s.setStockLevel(sku, locationID, func(lv *stockLevel) { lv.onHand = onHand })
}

// setStockLevel changes a SKU's stock row at a location (an empty
// locationID means the SKU's primary location) under the lock.
func (s *Server) setStockLevel(sku, locationID string, set func(*stockLevel)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if locationID == "" {
		locationID = s.primaryLocationLocked(sku)
	}
	if s.locationByID(locationID) == nil {
		return fmt.Errorf("inventory location %q was not found", locationID)
	}
	set(s.stockAtLocked(sku, locationID))
	return nil
}
