package shipstationtest

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

// orderFilter is a parsed GET /orders query.
type orderFilter struct {
	orderNumber, status, customerName, itemKeyword, importBatch string
	storeID                                                     int64
	hasStore                                                    bool
	tagID                                                       int64
	hasTag                                                      bool
	created, modified, ordered, paid                            dateRange
}

func (s *Server) parseOrderFilter(p params) (orderFilter, error) {
	f := orderFilter{
		orderNumber:  p.get("ordernumber"),
		status:       p.get("orderstatus"),
		customerName: p.get("customername"),
		itemKeyword:  p.get("itemkeyword"),
		importBatch:  p.get("importbatch"),
	}
	var err error
	if f.storeID, f.hasStore, err = p.int64("storeid"); err != nil {
		return f, err
	}
	if f.tagID, f.hasTag, err = p.int64("tagid"); err != nil {
		return f, err
	}
	honor := s.opts.HonorDateOffsets
	for prefix, r := range map[string]*dateRange{
		"createdate": &f.created, "modifydate": &f.modified,
		"orderdate": &f.ordered, "paymentdate": &f.paid,
	} {
		if *r, err = p.dateRange(prefix, honor); err != nil {
			return f, err
		}
	}
	return f, nil
}

func orderTime(t *OrderTime) *time.Time {
	if t == nil {
		return nil
	}
	return &t.Time
}

func (f *orderFilter) matches(o *Order) bool {
	switch {
	case f.orderNumber != "" && !hasPrefixFold(o.OrderNumber, f.orderNumber):
		return false
	case f.status != "" && !strings.EqualFold(o.OrderStatus, f.status):
		return false
	case f.hasStore && deref64(o.AdvancedOptions.StoreID) != f.storeID:
		return false
	case f.hasTag && !slices.Contains(o.TagIDs, f.tagID):
		return false
	case f.customerName != "" && !customerMatches(o, f.customerName):
		return false
	case f.itemKeyword != "" && !itemMatches(o, f.itemKeyword):
		return false
	}
	return f.created.holds(orderTime(o.CreateDate)) && f.modified.holds(orderTime(o.ModifyDate)) &&
		f.ordered.holds(orderTime(o.OrderDate)) && f.paid.holds(orderTime(o.PaymentDate))
}

func customerMatches(o *Order, name string) bool {
	return (o.ShipTo != nil && containsFold(o.ShipTo.Name, name)) ||
		(o.BillTo != nil && containsFold(o.BillTo.Name, name)) ||
		containsFold(deref(o.CustomerUsername), name)
}

func itemMatches(o *Order, kw string) bool {
	for _, it := range o.Items {
		if containsFold(it.SKU, kw) || containsFold(it.Name, kw) {
			return true
		}
		for _, op := range it.Options {
			if containsFold(op.Value, kw) {
				return true
			}
		}
	}
	return false
}

func deref64(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}

// listOrders answers GET /orders (and /orders/listbytag, whose filters are a
// subset). Order ids ascend by default; sortBy orders by a date instead.
func (s *Server) listOrders(w http.ResponseWriter, r *http.Request, _ []string) {
	p := queryOf(r)
	f, err := s.parseOrderFilter(p)
	if err != nil {
		writeParamError(w, err)
		return
	}
	pg, err := s.pageOf(p)
	if err != nil {
		writeParamError(w, err)
		return
	}
	var sortKey func(o *Order) time.Time
	switch strings.ToLower(p.get("sortby")) {
	case "":
	case "orderdate":
		sortKey = func(o *Order) time.Time { return o.OrderDate.Time }
	case "modifydate":
		sortKey = func(o *Order) time.Time { return o.ModifyDate.Time }
	case "createdate":
		sortKey = func(o *Order) time.Time { return o.CreateDate.Time }
	default:
		v1Invalid(w, "sortBy", "The value '"+p.get("sortby")+"' is not valid for sortBy.")
		return
	}
	desc := sortDesc(p)

	s.mu.Lock()
	var found []*Order
	ids := s.orderIDs
	if f.importBatch != "" {
		ids = s.importBatches[f.importBatch]
	}
	for _, id := range ids {
		rec := s.orders[id]
		if !rec.deleted && f.matches(&rec.order) {
			found = append(found, &rec.order)
		}
	}
	slices.SortStableFunc(found, func(a, b *Order) int {
		c := 0
		if sortKey != nil {
			c = sortKey(a).Compare(sortKey(b))
		}
		if c == 0 {
			c = cmp.Compare(a.OrderID, b.OrderID)
		}
		if desc {
			c = -c
		}
		return c
	})
	pageOrders, total, pages := paginate(found, pg)
	body, err := json.Marshal(struct {
		Orders []*Order `json:"orders"`
		Total  int      `json:"total"`
		Page   int      `json:"page"`
		Pages  int      `json:"pages"`
	}{pageOrders, total, pg.number, pages})
	s.mu.Unlock()
	if err != nil {
		v1Exception(w, err.Error())
		return
	}
	writeRaw(w, http.StatusOK, body)
}

// listByTag answers GET /orders/listbytag: tagId is required.
func (s *Server) listByTag(w http.ResponseWriter, r *http.Request, params []string) {
	p := queryOf(r)
	if p.get("tagid") == "" {
		v1Invalid(w, "tagId", "The tagId field is required.")
		return
	}
	s.listOrders(w, r, params)
}
