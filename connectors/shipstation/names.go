package shipstation

import "strconv"

// known returns the names the cache holds for ids, without loading.
func (n *nameCache) known(ids []int64, out map[string]string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for name, id := range n.ids {
		for _, want := range ids {
			if id == want {
				out[strconv.FormatInt(id, 10)] = name
			}
		}
	}
}

// idNames are the store, warehouse and tag names tote already knows for
// the ids of orders, for plans to show beside the ids.
func (c *conn) idNames(orders ...*Order) map[string]string {
	var stores, warehouses, tags []int64
	for _, o := range orders {
		if o == nil {
			continue
		}
		if a := o.AdvancedOptions; a != nil {
			if a.StoreID != nil {
				stores = append(stores, *a.StoreID)
			}
			if a.WarehouseID != nil {
				warehouses = append(warehouses, *a.WarehouseID)
			}
		}
		tags = append(tags, o.TagIDs...)
	}
	out := map[string]string{}
	c.stores.known(stores, out)
	c.warehouses.known(warehouses, out)
	c.tags.known(tags, out)
	if len(out) == 0 {
		return nil
	}
	return out
}
