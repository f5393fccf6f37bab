package shipstation

import (
	"context"
	"net/url"
	"sync"
	"time"

	"github.com/toteworks/tote/connectors/budget"
)

// ShipStation finds products only by a SKU filter that is not exact, so a
// sweep of a catalog would cost one call per SKU (a 10,000-SKU catalog is
// over four hours of the 40 calls a minute). Instead the catalog is listed
// in pages of 500 and indexed by SKU, one listing shared by every run for
// productsTTL. A lone lookup in a large catalog still costs one call: the
// catalog is listed when that costs no more than the lookups it answers,
// that is when it fits in one page, or when SKUs are being looked up
// faster than a listing would cost (a sweep is under way).
const productsTTL = 5 * time.Minute

type productCatalog struct {
	listing *sharedRead[map[string]*Product]
	now     func() time.Time

	mu      sync.Mutex
	ordered map[string]time.Time // SKU -> when an order tote sent with it was answered
	pages   int                  // pages the last complete listing took; 0: none yet
	misses  int                  // SKUs looked up one by one since window began
	window  time.Time            // start of the current count of misses
}

// writtenProduct is a product as tote last wrote it.
type writtenProduct struct {
	p  *Product
	at time.Time
}

// wantsListing reports whether a SKU missing from every cache is better
// found by listing the whole catalog than by a lookup of its own.
func (pc *productCatalog) wantsListing() bool {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.pages <= 1 {
		return true // a listing costs one call, as a lookup does (or its size is unknown)
	}
	now := pc.now()
	if now.Sub(pc.window) >= productsTTL {
		pc.misses, pc.window = 0, now
	}
	pc.misses++
	return pc.misses >= max(2, pc.pages/4)
}

// sentInOrder notes that an order with sku was sent: ShipStation makes a
// product for a SKU it does not know when an order brings it, so a listing
// read before then cannot prove the SKU absent.
func (pc *productCatalog) sentInOrder(sku string) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	now := pc.now()
	if pc.ordered == nil || len(pc.ordered) > 10000 {
		fresh := map[string]time.Time{}
		for k, at := range pc.ordered {
			if now.Sub(at) < productsTTL {
				fresh[k] = at
			}
		}
		pc.ordered = fresh
	}
	pc.ordered[sku] = now
}

// absentFrom reports whether a listing begun at started proves that sku
// has no product: no order brought the SKU since.
func (pc *productCatalog) absentFrom(sku string, started time.Time) bool {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	at, ok := pc.ordered[sku]
	return !ok || at.Before(started)
}

// listed records the size of a complete listing.
func (pc *productCatalog) listed(products int) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	pc.pages = max(1, (products+pageSize-1)/pageSize)
	pc.misses, pc.window = 0, pc.now()
}

// listCatalog reads every product, active or not, indexed by SKU.
func (c *conn) listCatalog(ctx context.Context) (map[string]*Product, error) {
	q := url.Values{"showInactive": {"true"}, "sortBy": {"SKU"}}
	all, err := listAll[Product](ctx, c.c, budget.Products, "/products", q, "products")
	if err != nil {
		return nil, err
	}
	idx := make(map[string]*Product, len(all))
	for i := range all {
		if sku := deref(all[i].SKU); sku != "" && idx[sku] == nil {
			idx[sku] = &all[i]
		}
	}
	c.catalog.listed(len(all))
	return idx, nil
}
