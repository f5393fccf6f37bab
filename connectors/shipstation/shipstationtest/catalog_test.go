package shipstationtest

import (
	"fmt"
	"testing"
)

func TestProductsGetAndPutFullReplace(t *testing.T) {
	s := newTestServer(t, Options{})
	p, err := s.AddProduct(Product{SKU: "MUG-BLK-12", Name: "Black Mug", Active: true,
		InternalNotes: strPtr("keep dry"), CustomsDescription: strPtr("Ceramic mug"), WeightOz: new(float64)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddProduct(Product{SKU: "MUG-BLK-12"}); err == nil {
		t.Error("duplicate SKU accepted")
	}
	path := fmt.Sprintf("/products/%d", p.ProductID)
	got := mustStatus(t, api(t, s, "GET", path, nil), 200).json(t)
	for _, f := range []string{"productId", "sku", "name", "price", "defaultCost", "length", "width", "height", "weightOz",
		"internalNotes", "fulfillmentSku", "createDate", "modifyDate", "active", "productCategory", "productType",
		"warehouseLocation", "defaultCarrierCode", "defaultServiceCode", "defaultPackageCode", "defaultIntlCarrierCode",
		"defaultIntlServiceCode", "defaultIntlPackageCode", "defaultConfirmation", "defaultIntlConfirmation",
		"customsDescription", "customsValue", "customsTariffNo", "customsCountryCode", "noCustoms", "tags", "aliases"} {
		if _, ok := got[f]; !ok {
			t.Errorf("product field %s missing", f)
		}
	}
	r := mustStatus(t, api(t, s, "PUT", path, map[string]any{"productId": p.ProductID, "sku": "MUG-BLK-12", "name": "Black Mug 12oz",
		"weightOz": 14, "length": 5, "active": true}), 200).json(t)
	if r["success"] != true || r["message"] != "The requested product has been updated" {
		t.Errorf("PUT = %v", r)
	}
	got = api(t, s, "GET", path, nil).json(t)
	if got["name"] != "Black Mug 12oz" || got["weightOz"] != 14.0 || got["internalNotes"] != nil || got["customsDescription"] != nil {
		t.Errorf("after PUT: name %v weight %v notes %v customs %v (full replace clears)", got["name"], got["weightOz"], got["internalNotes"], got["customsDescription"])
	}
	mustStatus(t, api(t, s, "PUT", "/products/1", map[string]any{"sku": "X", "name": "X"}), 404)
	mustStatus(t, api(t, s, "PUT", path, map[string]any{"name": "no sku"}), 400)
	if u := s.ProductUpdates(); len(u) != 1 || u["MUG-BLK-12"] != 1 {
		t.Errorf("ProductUpdates = %v, want one replace of MUG-BLK-12", u)
	}
	mustStatus(t, api(t, s, "GET", "/products/1", nil), 404)
	mustStatus(t, api(t, s, "POST", "/products", nil), 405)
}

func TestProductListFilters(t *testing.T) {
	for _, tc := range []struct {
		match SKUMatch
		want  float64
	}{{SKUContains, 3}, {SKUPrefix, 2}, {SKUExact, 1}} {
		s := newTestServer(t, Options{ProductSKUMatch: tc.match})
		for _, sku := range []string{"MUG", "MUG-2", "BIG-MUG", "PLATE"} {
			if _, err := s.AddProduct(Product{SKU: sku, Name: sku + " name", Active: true}); err != nil {
				t.Fatal(err)
			}
		}
		r := mustStatus(t, api(t, s, "GET", "/products?sku=MUG", nil), 200).json(t)
		if r["total"] != tc.want {
			t.Errorf("match %d: sku=MUG total %v, want %v", tc.match, r["total"], tc.want)
		}
	}
	s := newTestServer(t, Options{})
	if _, err := s.AddProduct(Product{SKU: "OLD", Name: "Old", Active: false}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddProduct(Product{SKU: "NEW", Name: "New", Active: true}); err != nil {
		t.Fatal(err)
	}
	if r := api(t, s, "GET", "/products", nil).json(t); r["total"] != 1.0 {
		t.Errorf("inactive listed by default: %v", r["total"])
	}
	if r := api(t, s, "GET", "/products?showInactive=True&sortBy=SKU&sortDir=DESC", nil).json(t); r["total"] != 2.0 || r["products"].([]any)[0].(map[string]any)["sku"] != "OLD" {
		t.Errorf("showInactive=True sorted: %v", r)
	}
	if r := api(t, s, "GET", "/products?name=ne", nil).json(t); r["total"] != 1.0 {
		t.Errorf("name filter: %v", r["total"])
	}
}

func TestAccountLists(t *testing.T) {
	s := newTestServer(t, Options{})
	wh := mustStatus(t, api(t, s, "GET", "/warehouses", nil), 200).list(t)
	if len(wh) != 2 {
		t.Fatalf("warehouses = %d", len(wh))
	}
	w0 := wh[0].(map[string]any)
	for _, f := range []string{"warehouseId", "warehouseName", "originAddress", "returnAddress", "createDate", "isDefault"} {
		if _, ok := w0[f]; !ok {
			t.Errorf("warehouse field %s missing", f)
		}
	}
	if w0["isDefault"] != true || wh[1].(map[string]any)["isDefault"] != false {
		t.Error("first warehouse should be the default")
	}
	mustStatus(t, api(t, s, "GET", fmt.Sprintf("/warehouses/%v", int64(w0["warehouseId"].(float64))), nil), 200)

	stores := mustStatus(t, api(t, s, "GET", "/stores", nil), 200).list(t)
	st := stores[0].(map[string]any)
	if st["marketplaceId"] != 0.0 || st["marketplaceName"] != "ShipStation" || st["active"] != true {
		t.Errorf("store = %v", st)
	}
	one := mustStatus(t, api(t, s, "GET", fmt.Sprintf("/stores/%v", int64(st["storeId"].(float64))), nil), 200).json(t)
	if one["statusMappings"] == nil {
		t.Error("GET /stores/{id} lacks statusMappings")
	}

	tags := mustStatus(t, api(t, s, "GET", "/accounts/listtags", nil), 200).list(t)
	var names []string
	for _, tg := range tags {
		m := tg.(map[string]any)
		if _, ok := m["tagId"].(float64); !ok || m["color"] == nil {
			t.Errorf("tag = %v", m)
		}
		names = append(names, m["name"].(string))
	}
	if fmt.Sprint(names) != "[Priority Standard Backorder Exception Return Received]" {
		t.Errorf("tags = %v", names)
	}
	carriers := mustStatus(t, api(t, s, "GET", "/carriers", nil), 200).list(t)
	c0 := carriers[0].(map[string]any)
	for _, f := range []string{"name", "code", "accountNumber", "requiresFundedAccount", "balance", "nickname", "shippingProviderId", "primary"} {
		if _, ok := c0[f]; !ok {
			t.Errorf("carrier field %s missing", f)
		}
	}
	var codes []string
	for _, c := range carriers {
		codes = append(codes, c.(map[string]any)["code"].(string))
	}
	if fmt.Sprint(codes) != "[stamps_com ups fedex dhl_express ups_walleted]" {
		t.Errorf("carrier codes = %v", codes)
	}
	svc := mustStatus(t, api(t, s, "GET", "/carriers/listservices?carrierCode=ups", nil), 200).list(t)
	if m := svc[0].(map[string]any); m["carrierCode"] != "ups" || m["code"] != "ups_ground" {
		t.Errorf("service = %v", m)
	}
	mustStatus(t, api(t, s, "GET", "/carriers/listpackages?carrierCode=fedex", nil), 200)
	mustStatus(t, api(t, s, "GET", "/carriers/getcarrier?carrierCode=stamps_com", nil), 200)
	mustStatus(t, api(t, s, "GET", "/carriers/getcarrier?carrierCode=nope", nil), 404)
	mustStatus(t, api(t, s, "GET", "/carriers/listservices", nil), 400)
}

func TestBareServerHasNoSeed(t *testing.T) {
	s := newTestServer(t, Options{Bare: true})
	if l := api(t, s, "GET", "/warehouses", nil).list(t); len(l) != 0 {
		t.Errorf("bare warehouses = %d", len(l))
	}
	// Without a store there is nowhere to put an order.
	mustStatus(t, api(t, s, "POST", "/orders/createorder", orderJSON("k", "N")), 400)
	s.SeedDefault()
	s.SeedDefault() // idempotent
	if l := api(t, s, "GET", "/warehouses", nil).list(t); len(l) != 2 {
		t.Errorf("seeded warehouses = %d", len(l))
	}
	createOrder(t, s, orderJSON("k", "N"))
}
