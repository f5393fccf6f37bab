package run_test

import (
	"fmt"
	"testing"

	"github.com/toteworks/tote/connectors/conntest"
	"github.com/toteworks/tote/engine/run"
	"github.com/zclconf/go-cty/cty"
)

// BenchmarkExecuteDeferred measures the run path alone: a worker's run of
// a 3-step DAG (read, transform, write) on a connector of no latency,
// whose record is left for the caller to commit. Its allocations, unlike
// those of a benchmark through the state writer (whose group commits vary
// with timing), are the same from one run to the next.
func BenchmarkExecuteDeferred(b *testing.B) {
	f := newFixture(b, conntest.ThreeSteps, run.Options{})
	ctx := b.Context()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		tick := fmt.Sprintf("t%09d", i)
		res, _ := f.eng.ExecuteDeferred(ctx, run.Event{Pipeline: "p", Trigger: "tick", Key: tick,
			Data: cty.ObjectVal(map[string]cty.Value{"tick": cty.StringVal(tick)})}, fmt.Sprintf("%d.1", i))
		if res.Err != nil {
			b.Fatal(res.Err)
		}
		i++
	}
}
