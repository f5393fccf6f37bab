package shipstation

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/budget"
)

// checkBase refuses a base URL with an API version on its end: v1 has
// none, and tote adds /v2/ to v2 paths itself.
func checkBase(setting string, u *url.URL, def string) error {
	if connectors.EndsInVersion(u.Path) {
		return connectors.BadSetting(setting, setting+" "+strconv.Quote(u.String())+" ends in an API version, which tote adds itself",
			"set it to the base URL alone, e.g. "+def)
	}
	return nil
}

// Check lists one order on v1 (GET /orders?pageSize=1), proving the base
// URL and the key and secret, and, when a v2 key is set, one inventory
// warehouse on v2 (GET /v2/inventory_warehouses?page_size=1).
func (c *conn) Check(ctx context.Context) error {
	err := c.c.do(ctx, call{method: http.MethodGet, path: "/orders", query: url.Values{"pageSize": {"1"}}, prio: budget.Orders}, nil)
	if err != nil {
		return connectors.CheckFailed(err, "GET /orders", []string{"api_key", "api_secret"}, "api_url")
	}
	if c.c.v2Key == "" {
		return nil
	}
	err = c.c.do(ctx, call{api: v2, method: http.MethodGet, path: "/v2/inventory_warehouses", query: url.Values{"page_size": {"1"}}, prio: budget.Inventory}, nil)
	if err != nil {
		return connectors.CheckFailed(err, "GET /v2/inventory_warehouses", []string{"v2_api_key"}, "v2_api_url")
	}
	return nil
}
