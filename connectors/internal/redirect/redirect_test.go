package redirect

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// A redirect within the origin is followed, with the request's headers; a
// redirect to another host is refused before anything is sent there.
func TestSameOrigin(t *testing.T) {
	var otherHits int
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { otherHits++ }))
	defer other.Close()
	elsewhere, _ := url.Parse(other.URL)
	elsewhere.Host = "localhost:" + elsewhere.Port()
	var gotKey string
	home := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/here", http.StatusTemporaryRedirect)
		case "/away":
			http.Redirect(w, r, elsewhere.String()+"/x", http.StatusTemporaryRedirect)
		case "/here":
			gotKey = r.Header.Get("API-Key")
		}
	}))
	defer home.Close()
	c := SameOrigin(nil)
	get := func(path string) error {
		req, _ := http.NewRequest(http.MethodGet, home.URL+path, nil)
		req.Header.Set("API-Key", "k")
		resp, err := c.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	if err := get("/moved"); err != nil || gotKey != "k" {
		t.Fatalf("same-origin redirect: %v, key %q", err, gotKey)
	}
	if err := get("/away"); !Is(err) {
		t.Fatalf("redirect to another host: %v, want refused", err)
	}
	if otherHits != 0 {
		t.Fatalf("the other host was called %d times", otherHits)
	}
}
