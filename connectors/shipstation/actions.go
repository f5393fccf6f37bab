package shipstation

import (
	"context"
	"fmt"

	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

func (c *conn) Read(ctx context.Context, action string, args cty.Value) (cty.Value, error) {
	switch action {
	case "get_order":
		return c.getOrderRead(ctx, args)
	case "list_orders":
		return c.listOrdersRead(ctx, args)
	case "list_shipments":
		return c.listShipmentsRead(ctx, args)
	case "list_fulfillments":
		return c.listFulfillmentsRead(ctx, args)
	case "get_product":
		return c.getProductRead(ctx, args)
	case "get_inventory":
		return c.getInventoryRead(ctx, args)
	case "list_return_labels":
		return c.listReturnLabelsRead(ctx, args)
	case "list_stores", "list_warehouses", "list_tags", "list_webhooks":
		return c.accountRead(ctx, action)
	}
	return cty.NilVal, connectors.Permanent(fmt.Errorf("shipstation: no read action %q", action))
}

func (c *conn) PlanWrite(ctx context.Context, action string, args cty.Value) (connectors.Change, error) {
	switch action {
	case "upsert_order":
		ch, _, err := c.planUpsert(ctx, args)
		return ch, err
	case "hold_order", "restore_order", "add_tag", "remove_tag":
		ch, _, err := c.planOrderAction(ctx, action, args)
		return ch, err
	case "update_product":
		ch, _, err := c.planProduct(ctx, args)
		return ch, err
	case "ensure_webhook":
		ch, _, err := c.planEnsureWebhook(ctx, args)
		return ch, err
	}
	return connectors.Change{}, connectors.Permanent(fmt.Errorf("shipstation: no write action %q", action))
}

// ApplyWrite plans again (from what the plan just read, mostly cached) and
// performs the write; a write that turns out to be done already is not
// repeated.
func (c *conn) ApplyWrite(ctx context.Context, w connectors.WriteRequest) (cty.Value, error) {
	switch w.Action {
	case "upsert_order":
		return c.applyUpsert(ctx, w)
	case "hold_order", "restore_order", "add_tag", "remove_tag":
		return c.applyOrderAction(ctx, w)
	case "update_product":
		return c.applyProduct(ctx, w)
	case "ensure_webhook":
		return c.applyEnsureWebhook(ctx, w)
	}
	return cty.NilVal, connectors.Permanent(fmt.Errorf("shipstation: no write action %q", w.Action))
}
