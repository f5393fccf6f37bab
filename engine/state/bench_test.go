package state

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/toteworks/tote/engine/state/statetest"
)

// openBench opens a store on the real clock: benchmarks measure the disk.
// With TOTE_BENCH_STATE=postgres they measure PostgreSQL (statetest).
func openBench(b *testing.B) *Store {
	b.Helper()
	s, err := Open(context.Background(), statetest.Location(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func reportEvents(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkEnqueueParallel: concurrent callers, one item per call, each
// waiting for its durable commit (as a webhook handler does before its ack).
func BenchmarkEnqueueParallel(b *testing.B) {
	s := openBench(b)
	payload := []byte(`{"scope":"store/order/created","data":{"type":"order","id":101},"hash":"x"}`)
	var seq atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(64) // many webhook requests in flight per core
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			key := strconv.FormatInt(seq.Add(1), 10)
			if _, err := s.Enqueue(ctx, NewItem{Pipeline: "orders", Trigger: "changed", Key: key, Payload: payload}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportEvents(b)
}

// BenchmarkEnqueueClaimFinish: the durable life of one event (enqueue,
// claim, finish: three commits), by concurrent workers.
func BenchmarkEnqueueClaimFinish(b *testing.B) {
	s := openBench(b)
	payload := []byte(`{"scope":"store/order/created","data":{"type":"order","id":101},"hash":"x"}`)
	var seq atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(64)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			key := strconv.FormatInt(seq.Add(1), 10)
			if _, err := s.Enqueue(ctx, NewItem{Pipeline: "orders", Trigger: "changed", Key: key, Payload: payload}); err != nil {
				b.Error(err)
				return
			}
			// Every worker enqueued before claiming, so a pending item
			// exists for each worker still claiming: this loop ends.
			var items []Item
			for len(items) == 0 {
				var err error
				if items, err = s.Claim(ctx, 1, time.Minute); err != nil {
					b.Error(err)
					return
				}
			}
			if err := s.Finish(ctx, items[0].ID, "run-"+key); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportEvents(b)
}
