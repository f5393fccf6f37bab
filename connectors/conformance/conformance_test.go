package conformance

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/conntest"
	"github.com/toteworks/tote/connectors/httpconn"
	"github.com/zclconf/go-cty/cty"
)

// jsonStore is a tiny JSON API for the http connector: GET a path for the
// document PUT there (404 before), as many real APIs behave.
type jsonStore struct {
	mu   sync.Mutex
	docs map[string][]byte
}

func (s *jsonStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.Method {
	case http.MethodGet:
		doc, ok := s.docs[r.URL.Path]
		if !ok {
			http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
			return
		}
		w.Write(doc)
	case http.MethodPut:
		body, err := io.ReadAll(r.Body)
		if err != nil || !json.Valid(body) {
			http.Error(w, `{"error":"bad json"}`, http.StatusBadRequest)
			return
		}
		s.docs[r.URL.Path] = body
		w.Write(body)
	default:
		http.Error(w, `{"error":"method"}`, http.StatusMethodNotAllowed)
	}
}

func TestHTTPConnector(t *testing.T) {
	store := &jsonStore{docs: map[string][]byte{"/things/1": []byte(`{"name":"one","qty":1}`)}}
	srv := httptest.NewServer(store)
	defer srv.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	config := func(baseURL string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			"base_url":       cty.StringVal(baseURL),
			"headers":        cty.MapVal(map[string]cty.Value{"Authorization": cty.StringVal("Bearer conformance-header-secret")}),
			"webhook_secret": cty.StringVal("conformance-webhook-secret"),
			"timeout":        cty.StringVal("5s"),
		})
	}
	Run(t, httpconn.New(), Harness{
		Config:  config(srv.URL),
		Failing: config(closed.URL),
		Reads:   []Sample{{Action: "get", Args: cty.ObjectVal(map[string]cty.Value{"url": cty.StringVal("/things/1")})}},
		Writes: []Sample{{Action: "put", Args: cty.ObjectVal(map[string]cty.Value{
			"url":  cty.StringVal("/things/2"),
			"body": cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("two"), "qty": cty.NumberIntVal(2)}),
		})}},
	})
	if _, ok := store.docs["/things/2"]; !ok {
		t.Error("the sample write did not reach the server")
	}
}

func TestConntestConnector(t *testing.T) {
	store := conntest.NewStore()
	store.Put("a", cty.StringVal("first"))
	Run(t, store.Connector()(), Harness{
		Config: cty.ObjectVal(map[string]cty.Value{"token": cty.StringVal("conformance-memory-token")}),
		Reads:  []Sample{{Action: "get", Args: cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal("a")})}},
		Writes: []Sample{{Action: "put", Args: cty.ObjectVal(map[string]cty.Value{
			"key": cty.StringVal("b"), "value": cty.ObjectVal(map[string]cty.Value{"n": cty.NumberIntVal(1)}),
		})}},
	})
	if got := len(store.Writes()); got != 1 {
		t.Errorf("the store saw %d writes, want 1 (planning must not write)", got)
	}
}

const fakeToken = "fake-token-0123456789"

func fakeHarness() Harness {
	return Harness{
		Config:  cty.ObjectVal(map[string]cty.Value{"api_token": cty.StringVal(fakeToken)}),
		Failing: cty.ObjectVal(map[string]cty.Value{"api_token": cty.StringVal(fakeToken), "fail": cty.True}),
		Reads:   []Sample{{Action: "get", Args: cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal("a")})}},
		Writes: []Sample{{Action: "put", Args: cty.ObjectVal(map[string]cty.Value{
			"key": cty.StringVal("a"), "value": cty.StringVal("v1"),
		})}},
	}
}

// problems runs every check directly and returns what they found, by
// check name.
func problems(t *testing.T, c connectors.Connector, h Harness) map[string][]string {
	t.Helper()
	s := newSuite(c, h)
	found := map[string][]string{}
	for _, ch := range s.checks() {
		if p, _ := ch.run(t.Context()); len(p) > 0 {
			found[ch.name] = p
		}
	}
	return found
}

func TestFakePasses(t *testing.T) {
	Run(t, newFake(flaws{}), fakeHarness())
}

// TestCatches makes the fake break one rule at a time and expects the
// suite to name it.
func TestCatches(t *testing.T) {
	tests := []struct {
		name    string
		flaws   flaws
		harness func(*Harness)
		check   string
		want    string
	}{
		{"invalid spec", flaws{invalidSpec: true}, nil, "spec", "the registry rejects the spec"},
		{"unstable spec", flaws{unstableSpec: true}, nil, "spec", "Spec() is not stable"},
		{"missing docs", flaws{noDocs: true}, nil, "spec", "action fake.put has no Doc"},
		{"secret not marked", flaws{unmarkedSecret: true}, nil, "secrets_marked", `"api_token" looks like a secret`},
		{"no secret in the harness", flaws{}, func(h *Harness) {
			h.Config = cty.ObjectVal(map[string]cty.Value{"api_token": cty.StringVal("short")})
			h.Failing = cty.NilVal
		}, "secrets_marked", "sets none of the sensitive attributes"},
		{"close not idempotent", flaws{closeTwiceFails: true}, nil, "open_close", "Close must be idempotent"},
		{"flaky reads", flaws{flakyReads: true}, nil, "reads", "is not repeatable"},
		{"planning writes", flaws{planWrites: true}, nil, "writes", "planning changed something"},
		{"never noop", flaws{neverNoop: true}, nil, "writes", "plans as update, not noop"},
		{"bad output", flaws{badOutput: true}, nil, "writes", "does not conform to the declared type"},
		{"secret in an error", flaws{leakErrors: true}, nil, "failing", "error contains sensitive config value #1"},
		{"secret in the log", flaws{leakLogs: true}, nil, "logs", "the connector's log contains sensitive config value"},
		{"secret in an output", flaws{leakOutputs: true}, nil, "reads", "output contains sensitive config value"},
		{"failing config that works", flaws{}, func(h *Harness) {
			h.Failing = h.Config
		}, "failing", "nothing failed"},
		{"sample that changes nothing", flaws{}, func(h *Harness) {
			h.Writes = append(h.Writes, h.Writes[0])
		}, "writes", "the sample plans as noop"},
		{"unknown argument", flaws{}, func(h *Harness) {
			h.Writes[0].Args = cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal("a"), "value": cty.StringVal("v"), "vaule": cty.StringVal("v")})
		}, "writes", "no such attributes: vaule"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fakeHarness()
			if tt.harness != nil {
				tt.harness(&h)
			}
			found := problems(t, newFake(tt.flaws), h)
			for _, p := range found[tt.check] {
				if strings.Contains(p, tt.want) {
					return
				}
			}
			t.Errorf("check %q did not report %q; found %q", tt.check, tt.want, found)
		})
	}
}

// TestUnreadable: an action the harness marks unreadable may plan as
// create after it was applied.
func TestUnreadable(t *testing.T) {
	h := fakeHarness()
	found := problems(t, newFake(flaws{neverNoop: true}), h)
	if len(found["writes"]) == 0 {
		t.Fatal("the never-noop fake passed without Unreadable")
	}
	h.Unreadable = []string{"put"}
	if found := problems(t, newFake(flaws{neverNoop: true}), h); len(found) > 0 {
		t.Errorf("with put marked unreadable: %q", found)
	}
}

// TestProblemsNameNoSecret: a report about a leak must not itself print
// the secret.
func TestProblemsNameNoSecret(t *testing.T) {
	found := problems(t, newFake(flaws{leakErrors: true, leakLogs: true}), fakeHarness())
	for check, ps := range found {
		for _, p := range ps {
			if strings.Contains(p, fakeToken) {
				t.Errorf("check %s printed the secret: %s", check, p)
			}
		}
	}
}
