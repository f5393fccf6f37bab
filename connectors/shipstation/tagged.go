package shipstation

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/toteworks/tote/connectors/budget"
)

// Tagging an order in ShipStation may not move its modifyDate, so a
// modifyDate poll can miss it: tagged orders are found with
// /orders/listbytag. ShipStation wants one status per call, so a tag costs
// a call per status; the listing of a tag in a status is shared by every
// run that wants it within taggedTTL, and forgotten when tote itself adds
// or removes that tag.
const taggedTTL = 30 * time.Second

// listByTag lists the orders carrying a tag, in one status or in the open
// and shipped ones. The orders are shared: callers must not change them.
func (c *conn) listByTag(ctx context.Context, tag, status string) ([]Order, error) {
	id, err := c.tags.id(ctx, tag)
	if err != nil {
		return nil, err
	}
	statuses := openStatuses
	if status != "" {
		statuses = []string{status}
	}
	var all []Order
	for _, s := range statuses {
		q := url.Values{"tagId": {strconv.FormatInt(id, 10)}, "orderStatus": {s}}
		orders, _, err := c.tagged.get(ctx, taggedKey(id, s), func(ctx context.Context) ([]Order, error) {
			return listAll[Order](ctx, c.c, budget.Orders, "/orders/listbytag", q, "orders")
		})
		if err != nil {
			return nil, err
		}
		all = append(all, orders...)
	}
	return all, nil
}

// forgetTag drops the shared listings of a tag, after tote changed it.
func (c *conn) forgetTag(id int64) {
	c.tagged.forgetPrefix(taggedKey(id, ""))
}

func taggedKey(tagID int64, status string) string {
	return strconv.FormatInt(tagID, 10) + ":" + status
}
