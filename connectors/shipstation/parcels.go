package shipstation

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"

	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

// A return parcel is what came back in one return label of an order (by
// tracking number), or, for an order without return labels, every shipped
// unit of it. return_parcels joins ShipStation's labels with the
// BigCommerce order they are for and its refunds, both passed in by the
// pipeline, so the parcel's fields are in BigCommerce's terms: lines are
// BigCommerce order product ids (ShipStation's lineItemKey).

// ParcelOrder is the store order a return is for, as return_parcels reads
// it (a BigCommerce order: extra attributes are ignored).
type ParcelOrder struct {
	ID    *int64       `json:"id"`
	Lines []ParcelLine `json:"lines"`
}

// ParcelLine is a line of a ParcelOrder.
type ParcelLine struct {
	ID               *int64  `json:"id"`
	SKU              *string `json:"sku"`
	Quantity         *int64  `json:"quantity"`
	QuantityShipped  *int64  `json:"quantity_shipped"`
	QuantityRefunded *int64  `json:"quantity_refunded"`
}

// ParcelRefund is a refund of the order so far (BigCommerce's list_refunds).
type ParcelRefund struct {
	Reference *string      `json:"reference"`
	Declined  *bool        `json:"declined"`
	Items     []ParcelItem `json:"items"`
}

// ParcelItem is a refund line: item_type PRODUCT with the order line's id.
type ParcelItem struct {
	ItemType string `json:"item_type"`
	ItemID   int64  `json:"item_id"`
	Quantity int64  `json:"quantity"`
	Amount   *int64 `json:"amount"`
	Reason   string `json:"reason"`
}

// DeliveredLabel names a delivered return label (delivered_returns'
// return_labels): by label id or tracking number.
type DeliveredLabel struct {
	LabelID        *string `json:"labelId"`
	TrackingNumber *string `json:"trackingNumber"`
}

// ParcelStock is a returned SKU's units in a parcel, with the parcel's
// note.
type ParcelStock struct {
	Key      string `json:"key"`
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
	Note     string `json:"note"`
}

// ReturnParcel is one parcel of return_parcels' output.
type ReturnParcel struct {
	Key     string        `json:"key"`
	Order   string        `json:"order"`
	OrderID int64         `json:"order_id"`
	Ref     string        `json:"ref"`
	Label   bool          `json:"label"`
	Due     bool          `json:"due"`
	Done    bool          `json:"done"`
	Settled bool          `json:"settled"`
	Note    string        `json:"note"`
	Items   []ParcelItem  `json:"items"`
	Restock []ParcelStock `json:"restock"`
}

// returnParcelsRead is return_parcels: the order's return labels and
// outbound shipments (one listing of its shipments), worked into parcels.
func (c *conn) returnParcelsRead(ctx context.Context, args cty.Value) (cty.Value, error) {
	var order ParcelOrder
	var refunds []ParcelRefund
	var delivered []DeliveredLabel
	for _, a := range []struct {
		name string
		dst  any
	}{{"order", &order}, {"refunds", &refunds}, {"delivered", &delivered}} {
		if err := fromCty(args.GetAttr(a.name), a.dst); err != nil {
			return cty.NilVal, connectors.Permanent(fmt.Errorf("shipstation: return_parcels: %s: %w", a.name, err))
		}
	}
	if order.ID == nil {
		return cty.NilVal, connectors.Permanent(fmt.Errorf("shipstation: return_parcels: order has no id"))
	}
	id := intArg(args, "orderId")
	shipments, err := c.listShipments(ctx, url.Values{"orderId": {strconv.FormatInt(id, 10)}}, false)
	if err != nil {
		return cty.NilVal, err
	}
	labels, err := c.returnLabels(ctx, id, str(args.GetAttr("orderNumber")), shipments)
	if err != nil {
		return cty.NilVal, err
	}
	return listOf(returnParcels(order, shipments, labels, refunds, delivered)), nil
}

// returnParcels works out an order's parcels. A delivered label's run is
// due to refund that label's parcel; without delivered labels (the order
// was tagged), every parcel is due.
func returnParcels(order ParcelOrder, shipments []Shipment, labels []ReturnLabel, refunds []ParcelRefund, delivered []DeliveredLabel) []ReturnParcel {
	orderKey := strconv.FormatInt(*order.ID, 10)
	shipped := shippedUnits(order, shipments)
	type parcel struct {
		ReturnParcel
		units map[string]int64 // by line id; empty: every shipped unit
	}
	var parcels []parcel
	seen := map[string]bool{}
	for _, l := range labels {
		ref := deref(l.TrackingNumber)
		switch {
		case ref != "":
		case deref(l.LabelID) != "":
			ref = "label " + deref(l.LabelID)
		default:
			ref = "shipment " + strconv.FormatInt(deref(l.ShipmentID), 10)
		}
		p := parcel{ReturnParcel: ReturnParcel{Key: orderKey + ":" + ref, Ref: ref, Label: true,
			Note: "return of order " + orderKey + ", parcel " + ref, Due: len(delivered) == 0}, units: map[string]int64{}}
		for _, d := range delivered {
			if (deref(d.LabelID) != "" && deref(d.LabelID) == deref(l.LabelID)) ||
				(deref(d.TrackingNumber) != "" && deref(d.TrackingNumber) == deref(l.TrackingNumber)) {
				p.Due = true
			}
		}
		for _, i := range l.Items {
			p.units[deref(i.LineItemKey)] += deref(i.Quantity)
		}
		if !seen[p.Key] {
			seen[p.Key] = true
			parcels = append(parcels, p)
		}
	}
	if len(labels) == 0 {
		parcels = append(parcels, parcel{ReturnParcel: ReturnParcel{Key: orderKey, Ref: "order " + orderKey,
			Note: "return of order " + orderKey, Due: true}})
	}
	out := make([]ReturnParcel, len(parcels))
	for n, p := range parcels {
		p.Order, p.OrderID = orderKey, *order.ID
		whole := len(p.units) == 0
		// What the parcel holds, by line: the label's units, at most what
		// shipped; every shipped unit when the label lists none.
		holds := map[int64]int64{}
		for _, l := range order.Lines {
			lid := deref(l.ID)
			n := shipped[lid]
			if !whole {
				n = min(p.units[strconv.FormatInt(lid, 10)], n)
			}
			if n > 0 {
				holds[lid] = n
			}
		}
		earlier := earlierRefund(refunds, p.Ref, holds)
		p.Items = parcelItems(order, holds, shipped, whole, earlier)
		p.Done = earlier != nil && !deref(earlier.Declined)
		p.Settled = p.Done || (earlier == nil && len(p.Items) == 0)
		p.Restock = restockOf(p.Key, p.Note, order, p.Items)
		out[n] = p.ReturnParcel
	}
	return out
}

// parcelItems are a parcel's refund lines. Once it has a refund, that
// refund's lines, so that a replay asks for the very same refund; else
// what it holds, each line at most what is still refundable.
func parcelItems(order ParcelOrder, holds, shipped map[int64]int64, whole bool, earlier *ParcelRefund) []ParcelItem {
	items := []ParcelItem{}
	if earlier != nil {
		for _, l := range order.Lines {
			var q int64
			found := false
			for _, i := range earlier.Items {
				if i.ItemType == "PRODUCT" && i.ItemID == deref(l.ID) {
					q, found = q+i.Quantity, true
				}
			}
			if found {
				items = append(items, refundLine(deref(l.ID), q))
			}
		}
		return items
	}
	for _, l := range order.Lines {
		h, ok := holds[deref(l.ID)]
		if !ok {
			continue
		}
		q := min(h, deref(l.Quantity)-deref(l.QuantityRefunded))
		if whole {
			q = shipped[deref(l.ID)] - deref(l.QuantityRefunded)
		}
		if q > 0 {
			items = append(items, refundLine(deref(l.ID), q))
		}
	}
	return items
}

func refundLine(id, quantity int64) ParcelItem {
	return ParcelItem{ItemType: "PRODUCT", ItemID: id, Quantity: quantity, Reason: "Returned"}
}

// shippedUnits is what left the warehouse, by order line: ShipStation's
// outbound labels for it, or BigCommerce's shipped quantity when that says
// more (an order marked as shipped). BigCommerce may not have recorded a
// shipment yet when its return comes back: its return is still refunded.
func shippedUnits(order ParcelOrder, shipments []Shipment) map[int64]int64 {
	out := map[int64]int64{}
	for _, l := range order.Lines {
		key := strconv.FormatInt(deref(l.ID), 10)
		var n int64
		for _, s := range shipments {
			if deref(s.IsReturnLabel) {
				continue
			}
			for _, i := range s.ShipmentItems {
				if deref(i.LineItemKey) == key {
					n += deref(i.Quantity)
				}
			}
		}
		out[deref(l.ID)] = max(deref(l.QuantityShipped), n)
	}
	return out
}

// earlierRefund is the parcel's refund so far, if any: the one naming it
// that went through, else one naming it that was declined; else one naming
// no parcel (made by hand) of exactly what the parcel holds.
func earlierRefund(refunds []ParcelRefund, ref string, holds map[int64]int64) *ParcelRefund {
	for _, declined := range []bool{false, true} {
		for i, r := range refunds {
			if deref(r.Reference) == ref && deref(r.Declined) == declined {
				return &refunds[i]
			}
		}
	}
	if len(holds) == 0 {
		return nil
	}
	var want []string
	for id, n := range holds {
		want = append(want, fmt.Sprintf("PRODUCT/%d:%d", id, n))
	}
	sort.Strings(want)
	for i, r := range refunds {
		if deref(r.Reference) != "" {
			continue
		}
		got := make([]string, len(r.Items))
		for j, it := range r.Items {
			got[j] = fmt.Sprintf("%s/%d:%d", it.ItemType, it.ItemID, it.Quantity)
		}
		sort.Strings(got)
		if slices.Equal(got, want) {
			return &refunds[i]
		}
	}
	return nil
}

// restockOf is the units of items by SKU (lines without one are left out),
// keyed "<parcel key>:<sku>".
func restockOf(key, note string, order ParcelOrder, items []ParcelItem) []ParcelStock {
	out := []ParcelStock{}
	for _, it := range items {
		sku := ""
		for _, l := range order.Lines {
			if deref(l.ID) == it.ItemID {
				sku = deref(l.SKU)
			}
		}
		if sku == "" {
			continue
		}
		if i := slices.IndexFunc(out, func(s ParcelStock) bool { return s.SKU == sku }); i >= 0 {
			out[i].Quantity += it.Quantity
			continue
		}
		out = append(out, ParcelStock{Key: key + ":" + sku, SKU: sku, Quantity: it.Quantity, Note: note})
	}
	return out
}
