package sandbox

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// The fakes start with the fixed sandbox credentials and the seed data the
// sandbox and users' pipeline tests rely on.
func TestStartFakesWithSandboxCredentialsAndSeedData(t *testing.T) {
	f, err := StartFakes(Options{Addresses: Addresses{BigCommerce: "127.0.0.1:0", ShipStation: "127.0.0.1:0", SMTP: "127.0.0.1:0", Mail: "127.0.0.1:0"}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	get := func(url string, header map[string]string, user, pass string, out any) int {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Accept", "application/json")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if out != nil {
			if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
				t.Fatalf("%s: %v", url, err)
			}
		}
		return resp.StatusCode
	}

	var products struct {
		Meta struct {
			Pagination struct{ Total int } `json:"pagination"`
		} `json:"meta"`
	}
	if code := get(f.BigCommerce.URL+"/stores/sandbox/v3/catalog/products", map[string]string{"X-Auth-Token": AccessToken}, "", "", &products); code != 200 {
		t.Fatalf("catalog: %d", code)
	}
	if products.Meta.Pagination.Total < 50 {
		t.Fatalf("catalog has %d products, want at least 50", products.Meta.Pagination.Total)
	}
	var channels struct{ Data []any }
	get(f.BigCommerce.URL+"/stores/sandbox/v3/channels", map[string]string{"X-Auth-Token": AccessToken}, "", "", &channels)
	if len(channels.Data) < 2 {
		t.Fatalf("channels: %d", len(channels.Data))
	}
	if code := get(f.BigCommerce.URL+"/stores/sandbox/v2/store", map[string]string{"X-Auth-Token": "wrong"}, "", "", nil); code != 401 {
		t.Fatalf("a wrong token got %d", code)
	}

	var warehouses []any
	if code := get(f.ShipStation.URL+"/warehouses", nil, ShipStationKey, ShipStationPass, &warehouses); code != 200 || len(warehouses) != 2 {
		t.Fatalf("warehouses: %d, %d", code, len(warehouses))
	}
	var tags []struct{ Name string }
	get(f.ShipStation.URL+"/accounts/listtags", nil, ShipStationKey, ShipStationPass, &tags)
	var names []string
	for _, tg := range tags {
		names = append(names, tg.Name)
	}
	for _, want := range []string{"Priority", "Standard", "Backorder", "Return Received"} {
		if !strings.Contains(strings.Join(names, ","), want) {
			t.Fatalf("tags %v lack %s", names, want)
		}
	}
	if code := get(f.ShipStation.URL+"/v2/inventory", map[string]string{"API-Key": ShipStationV2}, "", "", nil); code != 200 {
		t.Fatalf("v2 inventory: %d", code)
	}
	var msgs []any
	if code := get(f.Mail.URL()+"/messages", nil, "", "", &msgs); code != 200 || len(msgs) != 0 {
		t.Fatalf("mail: %d %v", code, msgs)
	}
}
