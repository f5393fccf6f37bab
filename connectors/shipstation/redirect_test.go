package shipstation

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

// TestCredentialsNeverFollowARedirectToAnotherHost points both APIs at a
// server that redirects every request to a second host, which records what
// reaches it: v1 (Basic auth) and v2 (API-Key) reads are refused with a
// permanent error and the second host never sees a credential.
func TestCredentialsNeverFollowARedirectToAnotherHost(t *testing.T) {
	var mu sync.Mutex
	var reached []http.Header
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		reached = append(reached, r.Header.Clone())
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"orders":[],"inventory":[],"page":1,"pages":1}`))
	}))
	defer other.Close()
	// The same loopback address under another name is another host.
	elsewhere, _ := url.Parse(other.URL)
	elsewhere.Host = "localhost:" + elsewhere.Port()
	vendor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.String()+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	defer vendor.Close()

	vals := map[string]cty.Value{
		"api_key": cty.StringVal("v1-key"), "api_secret": cty.StringVal("v1-secret-must-stay-home"),
		"v2_api_key": cty.StringVal("v2-key-must-stay-home"), "api_url": cty.StringVal(vendor.URL),
		"v2_api_url": cty.StringVal(vendor.URL), "webhook_token": cty.StringVal("tok"), "timeout": cty.StringVal("5s"),
	}
	c, err := connector{}.Open(context.Background(), connectors.Config{Name: "main", Values: cty.ObjectVal(vals)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for action, a := range map[string]map[string]cty.Value{
		"list_orders":   nil,
		"get_inventory": {"skus": cty.ListVal([]cty.Value{cty.StringVal("MUG-1")})},
	} {
		_, err := c.Read(context.Background(), action, args(t, action, a))
		if !connectors.IsPermanent(err) || !strings.Contains(err.Error(), "redirected to another host") {
			t.Fatalf("%s = %v, want a refused redirect", action, err)
		}
		if strings.Contains(err.Error(), "must-stay-home") {
			t.Fatalf("%s: the error shows a credential: %v", action, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, h := range reached {
		if h.Get("API-Key") != "" || h.Get("Authorization") != "" {
			t.Fatalf("the other host received a credential: API-Key %q, Authorization %q", h.Get("API-Key"), h.Get("Authorization"))
		}
	}
	if len(reached) != 0 {
		t.Fatalf("%d requests reached the other host, want 0", len(reached))
	}
}
