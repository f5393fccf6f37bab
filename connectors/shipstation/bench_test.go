package shipstation

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/shipstation/shipstationtest"
	"github.com/zclconf/go-cty/cty"
)

// pathCounter counts requests by path.
type pathCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (p *pathCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	p.mu.Lock()
	p.n[r.URL.Path]++
	p.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// BenchmarkUpsert1000Orders pushes 1,000 orders through upsert_order (plan,
// then apply, as the engine does) from 50 concurrent callers, each with 20
// orders in flight, against the fake at ShipStation's real 40 requests a
// minute. ShipStation's clock runs 60 times faster than real time: a
// minute of its rate limit passes in a second.
func BenchmarkUpsert1000Orders(b *testing.B) {
	const callers, perCaller = 50, 20
	for b.Loop() {
		pc := &pathCounter{n: map[string]int{}}
		e := newEnv(b, envOpts{scale: 60, fake: shipstationtest.Options{RateLimit: 40},
			opts: options{httpClient: &http.Client{Transport: pc}}})
		all := make([]cty.Value, callers*perCaller)
		for i := range all {
			all[i] = upsertArgs(b, fmt.Sprintf("bc:bench:%d", i), fmt.Sprintf("BC-%d", 100000+i), nil)
		}
		var failed atomic.Int64
		start := time.Now()
		virtualStart := e.clock.Now()
		var wg sync.WaitGroup
		for c := range callers {
			for i := range perCaller {
				wg.Go(func() {
					a := all[c*perCaller+i]
					ctx := context.Background()
					ch, err := e.conn.PlanWrite(ctx, "upsert_order", a)
					if err == nil {
						_, err = e.conn.ApplyWrite(ctx, connectors.WriteRequest{Action: "upsert_order", Args: a, Change: ch})
					}
					if err != nil {
						failed.Add(1)
					}
				})
			}
		}
		wg.Wait()
		wall := time.Since(start)
		if failed.Load() > 0 || len(e.fake.Orders()) != callers*perCaller {
			b.Fatalf("%d failed, %d orders in ShipStation", failed.Load(), len(e.fake.Orders()))
		}
		st := e.fake.Stats()
		creates := pc.n["/orders/createorders"]
		b.ReportMetric(float64(wall.Milliseconds()), "wall-ms")
		b.ReportMetric(e.clock.Now().Sub(virtualStart).Seconds(), "shipstation-s")
		b.ReportMetric(float64(st.V1Calls), "calls")
		b.ReportMetric(float64(creates), "createorders")
		b.ReportMetric(float64(pc.n["/orders"]), "lookups")
		b.ReportMetric(float64(callers*perCaller)/float64(creates), "orders/call")
		b.ReportMetric(float64(st.V1TooMany), "429s")
	}
}
