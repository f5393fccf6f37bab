package bigcommerce

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

// TestTokenNeverFollowsARedirectToAnotherHost points the connection at a
// server that redirects every request to a second host, which records what
// reaches it: the read is refused with a permanent error and the second
// host never sees the access token.
func TestTokenNeverFollowsARedirectToAnotherHost(t *testing.T) {
	const token = "tok-must-stay-home"
	var mu sync.Mutex
	var reached []http.Header
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		reached = append(reached, r.Header.Clone())
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"s","name":"Elsewhere"}`))
	}))
	defer other.Close()
	// The same loopback address under another name is another host.
	elsewhere, _ := url.Parse(other.URL)
	elsewhere.Host = "localhost:" + elsewhere.Port()
	vendor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.String()+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	defer vendor.Close()

	o := defaultOptions()
	o.attempts = 1
	c, err := open(configVal(map[string]cty.Value{"store_hash": cty.StringVal("s"),
		"access_token": cty.StringVal(token), "api_url": cty.StringVal(vendor.URL)}), o)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Read(context.Background(), "get_store", argsVal(t, "get_store", nil))
	if !connectors.IsPermanent(err) || !strings.Contains(err.Error(), "redirected to another host") {
		t.Fatalf("read = %v, want a refused redirect", err)
	}
	if strings.Contains(err.Error(), token) {
		t.Fatalf("the error shows the token: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, h := range reached {
		if h.Get("X-Auth-Token") != "" {
			t.Fatalf("the other host received X-Auth-Token")
		}
	}
	if len(reached) != 0 {
		t.Fatalf("%d requests reached the other host, want 0", len(reached))
	}
}
