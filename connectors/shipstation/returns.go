package shipstation

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/budget"
	"github.com/zclconf/go-cty/cty"
)

// Returns seen through v2 return labels. ShipStation's v1 API only knows a
// return label exists (a shipment with isReturnLabel); v2 labels have
// carrier tracking, and a return label whose tracking shows DE (delivered)
// is a return that reached the warehouse.
//
// Neither API links a v2 label to a v1 order. tote takes the order a return
// label names to be the v1 order whose orderNumber is the label's shipment
// shipment_number (v2's order number), else the label's rma_number.

// Defaults of the return settings.
const (
	// defaultReturnWindow is how long after it was made a return label is
	// watched.
	defaultReturnWindow = 30 * 24 * time.Hour
	// deliveryLag is how late a carrier's delivery scan may reach
	// ShipStation: a poll reports labels delivered since its window's start
	// less this.
	deliveryLag = 48 * time.Hour
	// v2PageSize is the page size tote asks of v2 lists.
	v2PageSize = 100
)

// ReturnLabel is how tote shows a return label of an order: a v2 return
// label, a v1 return shipment, or both when v1 lists the v2 label (they
// share a tracking number).
type ReturnLabel struct {
	LabelID        *string     `json:"labelId"`
	ShipmentID     *int64      `json:"shipmentId"`
	TrackingNumber *string     `json:"trackingNumber"`
	CarrierCode    *string     `json:"carrierCode"`
	CreatedAt      *string     `json:"createdAt"`
	RMANumber      *string     `json:"rmaNumber"`
	StatusCode     *string     `json:"statusCode"`
	Delivered      *bool       `json:"delivered"`
	DeliveredAt    *string     `json:"deliveredAt"`
	OrderID        *int64      `json:"orderId"`
	OrderKey       *string     `json:"orderKey"`
	OrderNumber    *string     `json:"orderNumber"`
	Items          []OrderItem `json:"items"`
	// BigCommerce is the BigCommerce order orderKey names, when tote wrote
	// the key (see orderkey.go); never sent to or read from ShipStation.
	BigCommerce *BigCommerceOrder `json:"-" cty:"bigcommerce" ss:"ro"`
}

// v2Label is a v2 label as GET /v2/labels lists it (the fields tote reads).
type v2Label struct {
	LabelID        *string `json:"label_id"`
	Status         *string `json:"status"`
	ShipmentID     *string `json:"shipment_id"`
	CreatedAt      *string `json:"created_at"`
	TrackingNumber *string `json:"tracking_number"`
	IsReturnLabel  *bool   `json:"is_return_label"`
	RMANumber      *string `json:"rma_number"`
	Voided         *bool   `json:"voided"`
	CarrierCode    *string `json:"carrier_code"`
	TrackingStatus *string `json:"tracking_status"`
}

// v2Shipment is a v2 shipment (the fields tote reads).
type v2Shipment struct {
	ShipmentID     *string          `json:"shipment_id"`
	ShipmentNumber *string          `json:"shipment_number"`
	Items          []v2ShipmentItem `json:"items"`
}

// v2ShipmentItem is a line of a v2 shipment.
type v2ShipmentItem struct {
	Name                *string `json:"name"`
	SKU                 *string `json:"sku"`
	Quantity            *int64  `json:"quantity"`
	ExternalOrderItemID *string `json:"external_order_item_id"`
}

// v2Tracking is the answer of GET /v2/labels/{label_id}/track.
type v2Tracking struct {
	StatusCode         *string `json:"status_code"`
	ActualDeliveryDate *string `json:"actual_delivery_date"`
}

// usable reports whether a listed label is a return label that counts.
func (l *v2Label) usable() bool {
	return deref(l.IsReturnLabel) && !deref(l.Voided) && deref(l.Status) != "voided" && deref(l.LabelID) != ""
}

// listV2 reads every page of a v2 list whose items are under field.
func listV2[T any](ctx context.Context, c *client, path string, q url.Values, field string) ([]T, error) {
	q = cloneQuery(q)
	q.Set("page_size", strconv.Itoa(v2PageSize))
	return pageThrough[T](ctx, c, call{api: v2, method: http.MethodGet, path: path, query: q, prio: budget.Tracking}, field)
}

// recentLabels lists the labels made in the return window up to now that
// are not voided. The list is kept briefly, so a poll and the reads of the
// runs it starts share one listing.
func (c *conn) recentLabels(ctx context.Context) ([]v2Label, error) {
	if ls, ok := c.labelList.get(""); ok {
		return ls, nil
	}
	now := c.c.clk.now().UTC()
	q := url.Values{"label_status": {"completed"}, "sort_dir": {"asc"},
		"created_at_start": {now.Add(-c.returnWindow).Format(time.RFC3339Nano)}, "created_at_end": {now.Format(time.RFC3339Nano)}}
	ls, err := listV2[v2Label](ctx, c.c, "/v2/labels", q, "labels")
	if err != nil {
		return nil, err
	}
	c.labelList.put("", ls)
	return ls, nil
}

// v2ShipmentOf reads a label's shipment; shipments do not change once
// their label is bought, so each is read once.
func (c *conn) v2ShipmentOf(ctx context.Context, id string) (*v2Shipment, error) {
	if s, ok := c.v2Ships.get(id); ok {
		return s, nil
	}
	var s v2Shipment
	if err := c.c.do(ctx, call{api: v2, method: http.MethodGet, path: "/v2/shipments/" + url.PathEscape(id), prio: budget.Tracking}, &s); err != nil {
		return nil, err
	}
	c.v2Ships.put(id, &s)
	return &s, nil
}

// delivery says whether a label's tracking shows DE. Only labels whose
// tracking_status is delivered are tracked (the rest are not delivered
// yet, and the next poll looks again); a DE, which is final, is kept.
func (c *conn) delivery(ctx context.Context, l *v2Label) (*v2Tracking, error) {
	id := deref(l.LabelID)
	if t, ok := c.tracks.get(id); ok {
		return t, nil
	}
	if deref(l.TrackingStatus) != "delivered" {
		return nil, nil
	}
	var t v2Tracking
	if err := c.c.do(ctx, call{api: v2, method: http.MethodGet, path: "/v2/labels/" + url.PathEscape(id) + "/track", prio: budget.Tracking}, &t); err != nil {
		return nil, err
	}
	if deref(t.StatusCode) == "DE" {
		c.tracks.put(id, &t)
	}
	return &t, nil
}

// numbersOf are the order numbers a return label may name, in order.
func numbersOf(s *v2Shipment, l *v2Label) []string {
	var out []string
	for _, p := range []*string{s.ShipmentNumber, l.RMANumber} {
		if n := deref(p); n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// orderByNumber finds the order with exactly this orderNumber (the oldest
// if several), or nil. An order found is kept as long as a delivery is
// reported.
func (c *conn) orderByNumber(ctx context.Context, number string) (*Order, error) {
	if o, ok := c.returnOrders.get(number); ok {
		return o, nil
	}
	orders, err := listAll[Order](ctx, c.c, budget.Tracking, "/orders", url.Values{"orderNumber": {number}}, "orders")
	if err != nil {
		return nil, err
	}
	// Other channels' orders may have the same number: tote's (by its
	// key) comes first.
	var found *Order
	for i := range orders {
		if deref(orders[i].OrderNumber) != number {
			continue
		}
		if found == nil || (refOfKey(found.OrderKey) == nil && refOfKey(orders[i].OrderKey) != nil) {
			found = &orders[i]
		}
	}
	if found != nil {
		c.returnOrders.put(number, found)
	}
	return found, nil
}

// viewOfV2 shows a v2 return label of order o (which may be nil), its items
// as lines of o: by external_order_item_id (the lineItemKey), else by SKU.
// Items that match no line of o are left out when o is known.
func viewOfV2(l *v2Label, s *v2Shipment, t *v2Tracking, o *Order) ReturnLabel {
	v := ReturnLabel{LabelID: l.LabelID, TrackingNumber: l.TrackingNumber, CarrierCode: l.CarrierCode,
		CreatedAt: l.CreatedAt, RMANumber: l.RMANumber, Delivered: new(bool), Items: []OrderItem{}}
	if t != nil {
		v.StatusCode = t.StatusCode
		*v.Delivered = deref(t.StatusCode) == "DE"
		if *v.Delivered {
			v.DeliveredAt = t.ActualDeliveryDate
		}
	}
	if o != nil {
		v.OrderID, v.OrderKey, v.OrderNumber = o.OrderID, o.OrderKey, o.OrderNumber
	} else if ns := numbersOf(s, l); len(ns) > 0 {
		v.OrderNumber = &ns[0]
	}
	for _, it := range s.Items {
		item := OrderItem{LineItemKey: it.ExternalOrderItemID, SKU: it.SKU, Name: it.Name, Quantity: it.Quantity}
		if o != nil {
			line := lineOf(o, it)
			if line == nil {
				continue
			}
			item.LineItemKey, item.SKU = line.LineItemKey, line.SKU
			item.Name = cmpOr(item.Name, line.Name)
		}
		v.Items = append(v.Items, item)
	}
	return v
}

// lineOf is the line of o a v2 item returns.
func lineOf(o *Order, it v2ShipmentItem) *OrderItem {
	if key := deref(it.ExternalOrderItemID); key != "" {
		for i := range o.Items {
			if deref(o.Items[i].LineItemKey) == key {
				return &o.Items[i]
			}
		}
	}
	if sku := deref(it.SKU); sku != "" {
		for i := range o.Items {
			if deref(o.Items[i].SKU) == sku && !deref(o.Items[i].Adjustment) {
				return &o.Items[i]
			}
		}
	}
	return nil
}

func cmpOr(a, b *string) *string {
	if deref(a) != "" {
		return a
	}
	return b
}

// pollDeliveredReturns is the delivered_returns resource: one event per
// v2 return label made in the return window whose tracking shows DE, with
// the order it names, delivered since from (less deliveryLag). Without a
// v2 key there is nothing to watch.
func (c *conn) pollDeliveredReturns(ctx context.Context, from time.Time) ([]connectors.Event, error) {
	if c.c.v2Key == "" {
		return nil, nil
	}
	labels, err := c.recentLabels(ctx)
	if err != nil {
		return nil, err
	}
	var events []connectors.Event
	for i := range labels {
		l := &labels[i]
		if !l.usable() {
			continue
		}
		t, err := c.delivery(ctx, l)
		if err != nil {
			return nil, err
		}
		if t == nil || deref(t.StatusCode) != "DE" {
			continue
		}
		if at, err := time.Parse(time.RFC3339Nano, deref(t.ActualDeliveryDate)); err == nil && at.Before(from.Add(-deliveryLag)) {
			continue // reported by an earlier poll
		}
		s, err := c.v2ShipmentOf(ctx, deref(l.ShipmentID))
		if err != nil {
			return nil, err
		}
		var o *Order
		for _, n := range numbersOf(s, l) {
			if o, err = c.orderByNumber(ctx, n); err != nil {
				return nil, err
			}
			if o != nil {
				break
			}
		}
		if o == nil {
			c.log.Debug("shipstation: a delivered return label names no order", "label_id", deref(l.LabelID))
			continue
		}
		v := viewOfV2(l, s, t, o)
		events = append(events, connectors.Event{Key: "return_label:" + deref(l.LabelID) + ":delivered",
			Data: eventOf("delivered_returns", "", []Order{*o}, nil, nil, []ReturnLabel{v})})
	}
	return events, nil
}

// listReturnLabelsRead is list_return_labels: the order's v1 return
// shipments and, with a v2 key, the v2 return labels that name it, one per
// tracking number.
func (c *conn) listReturnLabelsRead(ctx context.Context, args cty.Value) (cty.Value, error) {
	id := intArg(args, "orderId")
	shipments, err := c.listShipments(ctx, url.Values{"orderId": {strconv.FormatInt(id, 10)}}, false)
	if err != nil {
		return cty.NilVal, err
	}
	out, err := c.returnLabels(ctx, id, str(args.GetAttr("orderNumber")), shipments)
	if err != nil {
		return cty.NilVal, err
	}
	return listOf(out), nil
}

// returnLabels are order id's return labels: the return labels among its
// (live) shipments and, with a v2 key, the v2 return labels naming it (its
// number is number, read when empty), one per tracking number.
func (c *conn) returnLabels(ctx context.Context, id int64, number string, shipments []Shipment) ([]ReturnLabel, error) {
	var out []ReturnLabel
	for _, s := range shipments {
		if !deref(s.IsReturnLabel) {
			continue
		}
		v := ReturnLabel{ShipmentID: s.ShipmentID, TrackingNumber: s.TrackingNumber, CarrierCode: s.CarrierCode,
			OrderID: s.OrderID, OrderKey: s.OrderKey, OrderNumber: s.OrderNumber, Items: s.ShipmentItems}
		if s.CreateDate != nil {
			v.CreatedAt = strPtr(s.CreateDate.view())
		}
		if v.Items == nil {
			v.Items = []OrderItem{}
		}
		out = append(out, v)
	}
	if c.c.v2Key != "" {
		v2s, err := c.v2ReturnsOf(ctx, id, number)
		if err != nil {
			return nil, err
		}
		for _, v := range v2s {
			i := slices.IndexFunc(out, func(r ReturnLabel) bool {
				return r.LabelID == nil && deref(r.TrackingNumber) != "" && deref(r.TrackingNumber) == deref(v.TrackingNumber)
			})
			if i < 0 {
				out = append(out, v)
				continue
			}
			v.ShipmentID = out[i].ShipmentID // v1 lists this v2 label
			out[i] = v
		}
	}
	return out, nil
}

// v2ReturnsOf lists the v2 return labels naming order id (whose number is
// number, read when empty): those of v2 shipments with that shipment_number,
// and those of the return window with that rma_number.
func (c *conn) v2ReturnsOf(ctx context.Context, id int64, number string) ([]ReturnLabel, error) {
	var order *Order
	if number == "" {
		o, err := c.getOrder(ctx, id)
		if errors.Is(err, connectors.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		order, number = o, deref(o.OrderNumber)
	}
	type found struct {
		l v2Label
		s *v2Shipment
	}
	var all []found
	shipments, err := listV2[v2Shipment](ctx, c.c, "/v2/shipments", url.Values{"shipment_number": {number}}, "shipments")
	if err != nil {
		return nil, err
	}
	for i := range shipments {
		s := &shipments[i]
		if deref(s.ShipmentNumber) != number || deref(s.ShipmentID) == "" {
			continue
		}
		labels, err := listV2[v2Label](ctx, c.c, "/v2/labels", url.Values{"shipment_id": {deref(s.ShipmentID)}}, "labels")
		if err != nil {
			return nil, err
		}
		for _, l := range labels {
			if l.usable() {
				all = append(all, found{l, s})
			}
		}
	}
	recent, err := c.recentLabels(ctx)
	if err != nil {
		return nil, err
	}
	for _, l := range recent {
		if !l.usable() || deref(l.RMANumber) != number ||
			slices.ContainsFunc(all, func(f found) bool { return deref(f.l.LabelID) == deref(l.LabelID) }) {
			continue
		}
		s, err := c.v2ShipmentOf(ctx, deref(l.ShipmentID))
		if err != nil {
			return nil, err
		}
		if sn := deref(s.ShipmentNumber); sn != "" && sn != number {
			// The shipment names another order first; a v1 order of that
			// number takes the label (see numbersOf).
			if o, err := c.orderByNumber(ctx, sn); err != nil || o != nil {
				if err != nil {
					return nil, err
				}
				continue
			}
		}
		all = append(all, found{l, s})
	}
	var out []ReturnLabel
	for _, f := range all {
		t, err := c.delivery(ctx, &f.l)
		if err != nil {
			return nil, err
		}
		if order == nil {
			if order, err = c.getOrder(ctx, id); err != nil {
				return nil, err
			}
		}
		out = append(out, viewOfV2(&f.l, f.s, t, order))
	}
	return out, nil
}
