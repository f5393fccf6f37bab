package ingress_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/conntest"
	"github.com/toteworks/tote/connectors/httpconn"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/config"
	"github.com/toteworks/tote/engine/ingress"
	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/state"
)

// Deliveries that are too big, misaddressed or not POSTed are refused and
// enqueue nothing; /readyz follows the service's readiness.
func TestRejectedDeliveriesEnqueueNothing(t *testing.T) {
	cfg, _ := config.Parse(map[string][]byte{"main.hcl": []byte(hookPipeline)})
	prog, diags := compile.Compile(cfg, compile.Options{Registry: connectors.MustRegistry(httpconn.New, conntest.NewStore().Connector())})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	st, err := state.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eng := run.New(prog, st, run.Options{})
	defer eng.Close()
	ready := false
	srv := httptest.NewServer(&ingress.Handler{Engine: eng, Inbox: st, Ready: func() bool { return ready }})
	defer srv.Close()

	do := func(method, path, body string) int {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	big := `{"id": "1", "pad": "` + strings.Repeat("x", ingress.MaxBody) + `"}`
	cases := []struct {
		method, path, body string
		want               int
	}{
		{http.MethodPost, "/hooks/p/hook", big, http.StatusRequestEntityTooLarge},
		{http.MethodGet, "/hooks/p/hook", "", http.StatusMethodNotAllowed},
		{http.MethodPost, "/hooks/p/nope", `{"id": "1"}`, http.StatusNotFound},
		{http.MethodPost, "/hooks/nope/hook", `{"id": "1"}`, http.StatusNotFound},
		{http.MethodPost, "/hooks/p/hook", `{"id": `, http.StatusBadRequest},
		{http.MethodGet, "/readyz", "", http.StatusServiceUnavailable},
		{http.MethodGet, "/healthz", "", http.StatusOK},
	}
	for _, c := range cases {
		if got := do(c.method, c.path, c.body); got != c.want {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, got, c.want)
		}
	}
	counts, _ := st.InboxCounts(context.Background())
	if counts[state.ItemPending] != 0 {
		t.Fatalf("rejected deliveries were enqueued: %v", counts)
	}
	ready = true
	if got := do(http.MethodGet, "/readyz", ""); got != http.StatusOK {
		t.Fatalf("readyz when ready: %d", got)
	}
	if got := do(http.MethodPost, "/hooks/p/hook", `{"id": "1"}`); got != http.StatusAccepted {
		t.Fatalf("a good delivery: %d", got)
	}
}

// A delivery without its URL or header token is refused before its body is
// read: a caller that never sends the body gets its answer all the same.
func TestTokenCheckedBeforeBody(t *testing.T) {
	const pl = `
connection "http" "in" {
  webhook_secret = "s3cret"
}
connection "memory" "m" {}
pipeline "p" {
  trigger "http_webhook" "hook" {
    key = "id"
  }
  step "w" {
    action = memory.put
    key    = trigger.key
    value  = trigger.body
  }
}
`
	cfg, _ := config.Parse(map[string][]byte{"main.hcl": []byte(pl)})
	prog, diags := compile.Compile(cfg, compile.Options{Registry: connectors.MustRegistry(httpconn.New, conntest.NewStore().Connector())})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	st, err := state.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eng := run.New(prog, st, run.Options{})
	defer eng.Close()
	srv := httptest.NewServer(&ingress.Handler{Engine: eng, Inbox: st})
	defer srv.Close()

	// The body never comes; the deadline only turns a hang into a failure.
	body, never := io.Pipe()
	defer never.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The client only gives up once its body does.
	context.AfterFunc(ctx, func() { never.CloseWithError(errors.New("no answer before the body")) })
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/hooks/p/hook", body)
	req.Header.Set("X-Tote-Secret", "guess")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("no answer without the body: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", resp.StatusCode)
	}
}
