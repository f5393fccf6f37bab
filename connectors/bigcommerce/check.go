package bigcommerce

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/budget"
)

// storesPath matches an API URL that already names a store: tote adds
// /stores/{store_hash}/v2|v3 itself.
var storesPath = regexp.MustCompile(`(?i)/stores(/|$)`)

// checkAPIURL refuses an api_url tote cannot use, before any call.
func checkAPIURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return connectors.BadSetting("api_url", "api_url "+strconv.Quote(raw)+" is not an http(s) URL",
			"set it to the API gateway, "+DefaultAPIURL)
	}
	if storesPath.MatchString(u.Path) || connectors.EndsInVersion(u.Path) {
		return connectors.BadSetting("api_url", "api_url "+strconv.Quote(raw)+" names a store or an API version, which tote adds itself",
			"set it to the gateway alone, e.g. "+DefaultAPIURL+", and the store in store_hash")
	}
	return nil
}

// Check reads the store's profile (GET /v2/store): one cheap call that
// proves the gateway, the store hash and the access token.
func (c *conn) Check(ctx context.Context) error {
	var s storeInfo
	_, err := c.api.do(ctx, call{method: http.MethodGet, path: "/v2/store", prio: budget.Orders, replayable: true}, &s)
	if err == nil {
		return nil
	}
	ce := connectors.CheckFailed(err, "GET /v2/store", []string{"access_token"}, "api_url")
	if ce.Status == http.StatusNotFound {
		// The gateway answers 404 for a store hash it does not know.
		ce.Settings = []string{"store_hash", "api_url"}
		ce.Fix = "check store_hash (the hash in the store's API path) and that api_url is the gateway, " + DefaultAPIURL
	}
	return ce
}
