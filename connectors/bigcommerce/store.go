package bigcommerce

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/budget"
	"github.com/toteworks/tote/connectors/schema"
	"github.com/zclconf/go-cty/cty"
)

// storeInfoTTL is how long get_store answers from memory: units and
// settings change rarely, and pipelines ask on every run.
const storeInfoTTL = time.Hour

var storeType = obj(map[string]cty.Type{
	"store_hash": cty.String, "store_id": cty.Number, "name": cty.String, "domain": cty.String,
	"currency": cty.String, "weight_units": cty.String, "dimension_units": cty.String, "timezone": cty.String,
	"default_channel_id": cty.Number, "plan_name": cty.String,
})

func storeActions() []action {
	return []action{{
		Spec: connectors.ActionSpec{
			Name: "get_store", Kind: connectors.Read, Output: storeType,
			Doc: "The store's settings: weight_units (e.g. Ounces) and dimension_units (e.g. Inches) that catalog " +
				"and order measures are in, currency, timezone, default channel. Kept for an hour.",
			Args: schema.Object{},
		},
		Read: readArgs(readStore),
	}}
}

// storeCache holds the last answer of GET /v2/store.
type storeCache struct {
	mu   sync.Mutex
	val  cty.Value
	when time.Time
}

func readStore(c *conn, ctx context.Context, _ *args) (cty.Value, error) {
	c.store.mu.Lock()
	defer c.store.mu.Unlock()
	if c.store.val != cty.NilVal && c.clock().Sub(c.store.when) < storeInfoTTL {
		return c.store.val, nil
	}
	var s storeInfo
	if _, err := c.api.do(ctx, call{method: http.MethodGet, path: "/v2/store", prio: budget.Products}, &s); err != nil {
		return cty.NilVal, err
	}
	c.store.val = cty.ObjectVal(map[string]cty.Value{
		"store_hash": str(c.storeHash), "store_id": num(int64(s.StoreID)), "name": str(s.Name), "domain": str(s.Domain),
		"currency": str(s.Currency), "weight_units": str(s.WeightUnits), "dimension_units": str(s.DimensionUnits),
		"timezone": str(s.Timezone.Name), "default_channel_id": num(s.DefaultChannelID), "plan_name": str(s.PlanName),
	})
	c.store.when = c.clock()
	return c.store.val, nil
}
