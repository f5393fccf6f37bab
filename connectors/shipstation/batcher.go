package shipstation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/budget"
)

// orderReq is one order waiting for a createorders call.
type orderReq struct {
	key  string
	body json.RawMessage
	done chan orderResult // buffered: the sender never blocks
}

type orderResult struct {
	res bulkResult
	err error
}

// upsertOrder queues an order for the next createorders call and waits for
// its own result. A failed order fails alone, permanently, with
// ShipStation's message.
func (c *conn) upsertOrder(ctx context.Context, key string, body json.RawMessage) (bulkResult, error) {
	r := &orderReq{key: key, body: body, done: make(chan orderResult, 1)}
	c.orders.add(r)
	select {
	case out := <-r.done:
		return out.res, out.err
	case <-ctx.Done():
		if !c.orders.remove(r) {
			// Already sent: the order may land; the next plan finds out.
			c.cache.forget(key)
		}
		return bulkResult{}, ctx.Err()
	}
}

// sendOrders makes one createorders call for a batch. When ShipStation
// rejects the whole call (a 400: one order it cannot even read), the batch
// is split in halves until the culprit fails alone.
func (c *conn) sendOrders(batch []*orderReq) {
	bodies := make([]json.RawMessage, len(batch))
	for i, r := range batch {
		bodies[i] = r.body
	}
	var ans bulkAnswer
	err := c.c.do(c.ctx, call{api: v1, method: http.MethodPost, path: "/orders/createorders", body: bodies, prio: budget.Orders}, &ans)
	for _, r := range batch {
		c.cache.forget(r.key)
	}
	if err != nil {
		var ae *apiError
		if len(batch) > 1 && errors.As(err, &ae) && ae.Status == http.StatusBadRequest {
			mid := len(batch) / 2
			c.sendOrders(batch[:mid])
			c.sendOrders(batch[mid:])
			return
		}
		for _, r := range batch {
			r.done <- orderResult{err: err}
		}
		return
	}
	byKey := map[string]bulkResult{}
	for _, res := range ans.Results {
		if res.OrderKey != nil {
			byKey[*res.OrderKey] = res
		}
	}
	for i, r := range batch {
		res, ok := byKey[r.key]
		if !ok && i < len(ans.Results) && ans.Results[i].OrderKey == nil {
			res, ok = ans.Results[i], true // results come in request order
		}
		switch {
		case !ok:
			r.done <- orderResult{err: fmt.Errorf("shipstation: createorders returned no result for order %s", r.key)}
		case !res.Success:
			msg := "(no message)"
			if res.ErrorMessage != nil {
				msg = *res.ErrorMessage
			}
			r.done <- orderResult{err: connectors.Permanent(fmt.Errorf("shipstation: order %s was not saved: %s", r.key, msg))}
		default:
			r.done <- orderResult{res: res}
		}
	}
}
