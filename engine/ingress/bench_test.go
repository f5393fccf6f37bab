package ingress_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/conntest"
	"github.com/toteworks/tote/connectors/httpconn"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/config"
	"github.com/toteworks/tote/engine/ingress"
	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/state"
)

const hookPipeline = `
connection "http" "in" {}
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

// BenchmarkIngest measures webhooks per second through the real HTTP
// handler: verified, decoded, committed to the SQLite inbox, acknowledged.
func BenchmarkIngest(b *testing.B) {
	cfg, _ := config.Parse(map[string][]byte{"main.hcl": []byte(hookPipeline)})
	reg := connectors.MustRegistry(httpconn.New, conntest.NewStore().Connector())
	prog, diags := compile.Compile(cfg, compile.Options{Registry: reg})
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	st, err := state.Open(context.Background(), filepath.Join(b.TempDir(), "ingest.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	eng := run.New(prog, st, run.Options{})
	defer eng.Close()
	srv := httptest.NewServer(&ingress.Handler{Engine: eng, Inbox: st})
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	var seq atomic.Int64
	b.SetParallelism(64)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := fmt.Sprintf(`{"id": "%d", "total": "12.5000"}`, seq.Add(1))
			resp, err := client.Post(srv.URL+"/hooks/p/hook", "application/json", strings.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "webhooks/s")
	counts, _ := st.InboxCounts(context.Background())
	if counts[state.ItemPending] != b.N {
		b.Fatalf("%d pending for %d deliveries", counts[state.ItemPending], b.N)
	}
}
