package bigcommerce

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/toteworks/tote/connectors/budget"
)

// Limits of one inventory items call: SKUs per sku:in filter, the filter's
// encoded length (the whole URL stays well under the common 8 KiB), and
// items per page.
const (
	stockChunkSKUs  = 200
	stockChunkBytes = 6000
	stockPageLimit  = 1000
)

// stockKey is a SKU at a location, as a plan asks for it.
type stockKey struct {
	sku      string
	location int64
}

// stockRead is what a read found: ok is false when the location does not
// list the SKU.
type stockRead struct {
	onhand int64
	ok     bool
	err    error
}

// inventoryItem is an entry of GET /v3/inventory/items.
type inventoryItem struct {
	Identity  itemIdentity `json:"identity"`
	Locations []struct {
		LocationID           int64 `json:"location_id"`
		TotalInventoryOnhand int64 `json:"total_inventory_onhand"`
	} `json:"locations"`
}

// fetchStock reads the levels of keys with GET /v3/inventory/items, every
// location at once and the SKUs in chunks. A key whose SKU the answer lacks
// is not listed (ok false) when the answer shows its location exists;
// otherwise, and for SKUs a comma-separated filter cannot carry, it is read
// from its location's list as a single plan would, so an unknown location
// still fails. An error fails every key of the batch.
func (c *conn) fetchStock(ctx context.Context, keys []stockKey) (map[stockKey]stockRead, error) {
	res := make(map[stockKey]stockRead, len(keys))
	var listed, single []stockKey
	for _, k := range keys {
		if k.sku == "" || strings.Contains(k.sku, ",") {
			single = append(single, k)
		} else {
			listed = append(listed, k)
		}
	}

	var items []inventoryItem
	exists := map[int64]bool{} // locations the answer shows
	if len(listed) > 0 {
		skus, locs := stockFilters(listed)
		for _, chunk := range skuChunks(skus) {
			q := url.Values{"sku:in": {strings.Join(chunk, ",")}, "location_id:in": {joinInts(locs)},
				"limit": {strconv.Itoa(stockPageLimit)}}
			page, err := v3List[inventoryItem](ctx, c.api, call{method: http.MethodGet, path: "/v3/inventory/items", query: q, prio: budget.Inventory})
			if err != nil {
				return nil, fmt.Errorf("in one read of %d SKUs: %w", len(skus), err)
			}
			items = append(items, page...)
		}
		for _, it := range items {
			for _, l := range it.Locations {
				exists[l.LocationID] = true
			}
		}
	}

	for _, k := range listed {
		if it := findItem(items, k.sku); it != nil {
			if n, ok := it.onhandAt(k.location); ok {
				res[k] = stockRead{onhand: n, ok: true}
				continue
			}
		}
		if exists[k.location] {
			res[k] = stockRead{}
		} else {
			single = append(single, k)
		}
	}
	for _, k := range single {
		n, ok, err := c.locationStock(ctx, k.sku, k.location)
		res[k] = stockRead{onhand: n, ok: ok, err: err}
	}
	return res, nil
}

// onhandAt returns the item's on-hand stock at a location it lists.
func (it *inventoryItem) onhandAt(location int64) (int64, bool) {
	for _, l := range it.Locations {
		if l.LocationID == location {
			return l.TotalInventoryOnhand, true
		}
	}
	return 0, false
}

// stockFilters returns the distinct SKUs (without regard to case) and
// locations of keys, sorted.
func stockFilters(keys []stockKey) (skus []string, locs []int64) {
	seenSKU, seenLoc := map[string]bool{}, map[int64]bool{}
	for _, k := range keys {
		if l := strings.ToLower(k.sku); !seenSKU[l] {
			seenSKU[l] = true
			skus = append(skus, k.sku)
		}
		if !seenLoc[k.location] {
			seenLoc[k.location] = true
			locs = append(locs, k.location)
		}
	}
	sort.Strings(skus)
	sort.Slice(locs, func(i, j int) bool { return locs[i] < locs[j] })
	return skus, locs
}

// findItem returns the first item of sku, which the API matches without
// regard to case.
func findItem(items []inventoryItem, sku string) *inventoryItem {
	for i := range items {
		if strings.EqualFold(items[i].Identity.SKU, sku) {
			return &items[i]
		}
	}
	return nil
}

// skuChunks splits skus into sku:in filters of at most stockChunkSKUs SKUs
// and stockChunkBytes encoded bytes (one SKU alone may exceed the latter).
func skuChunks(skus []string) [][]string {
	var out [][]string
	var cur []string
	size := 0
	for _, s := range skus {
		n := len(url.QueryEscape(s)) + len("%2C")
		if len(cur) > 0 && (len(cur) == stockChunkSKUs || size+n > stockChunkBytes) {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, s)
		size += n
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}
