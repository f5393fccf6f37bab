package httpconn_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/toteworks/tote/connectors/conformance"
	"github.com/toteworks/tote/connectors/httpconn"
	"github.com/zclconf/go-cty/cty"
)

// jsonStore is a JSON API that keeps each document PUT to a path, and
// refuses requests without the token.
type jsonStore struct {
	token string
	mu    sync.Mutex
	docs  map[string][]byte
}

func (s *jsonStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+s.token {
		http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.Method {
	case http.MethodGet:
		doc, ok := s.docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(doc)
	case http.MethodPut, http.MethodPost, http.MethodPatch:
		b, _ := io.ReadAll(r.Body)
		if r.Method == http.MethodPatch {
			// PATCH merges the fields sent into the document.
			doc := map[string]any{}
			_ = json.Unmarshal(s.docs[r.URL.Path], &doc)
			var patch map[string]any
			if err := json.Unmarshal(b, &patch); err != nil {
				http.Error(w, `{"error":"not a JSON object"}`, http.StatusBadRequest)
				return
			}
			for k, v := range patch {
				doc[k] = v
			}
			b, _ = json.Marshal(doc)
		}
		s.docs[r.URL.Path] = b
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

func TestConformance(t *testing.T) {
	const token = "conformance-http-token-7f3a"
	store := &jsonStore{token: token, docs: map[string][]byte{
		"/products/1": []byte(`{"sku":"MUG-BLK-12","price":"18.50"}`),
	}}
	srv := httptest.NewServer(store)
	t.Cleanup(srv.Close)
	config := func(headers map[string]cty.Value, secret string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			"base_url": cty.StringVal(srv.URL), "headers": cty.MapVal(headers),
			"timeout": cty.StringVal("5s"), "webhook_secret": cty.StringVal(secret),
		})
	}
	good := config(map[string]cty.Value{"Authorization": cty.StringVal("Bearer " + token)}, "conformance-http-secret-1")
	// The same secrets, sent where the API does not take them: refused.
	failing := config(map[string]cty.Value{"X-Other": cty.StringVal("Bearer " + token)}, "conformance-http-secret-1")
	obj := func(m map[string]cty.Value) cty.Value { return cty.ObjectVal(m) }
	conformance.Run(t, httpconn.New(), conformance.Harness{
		Config:  good,
		Failing: failing,
		Reads: []conformance.Sample{
			{Action: "get", Args: obj(map[string]cty.Value{"url": cty.StringVal("/products/1")})},
			{Action: "get", Args: obj(map[string]cty.Value{"url": cty.StringVal("/products/2")})},
		},
		Writes: []conformance.Sample{
			{Action: "put", Args: obj(map[string]cty.Value{"url": cty.StringVal("/prices/1"),
				"body": obj(map[string]cty.Value{"sku": cty.StringVal("MUG-BLK-12"), "price": cty.StringVal("19.00")})})},
			{Action: "put", Args: obj(map[string]cty.Value{"url": cty.StringVal("/products/1"), "method": cty.StringVal("PATCH"),
				"body": obj(map[string]cty.Value{"price": cty.StringVal("19.00")})})},
		},
	})
	store.mu.Lock()
	defer store.mu.Unlock()
	if got := string(store.docs["/prices/1"]); got != `{"price":"19.00","sku":"MUG-BLK-12"}` {
		t.Errorf("/prices/1 = %s", got)
	}
	if got := string(store.docs["/products/1"]); got != `{"price":"19.00","sku":"MUG-BLK-12"}` {
		t.Errorf("/products/1 = %s", got)
	}
}
