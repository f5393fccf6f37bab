package worker_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/conntest"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/config"
	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/state"
	"github.com/toteworks/tote/engine/state/statetest"
	"github.com/toteworks/tote/engine/worker"
)

// BenchmarkDurableEvents measures events through the whole engine with a
// connector of no latency: each event is enqueued, claimed, run (a read, a
// transform and a write through the ledger, with its run and attempts
// recorded) and finished, every step committed to SQLite.
func BenchmarkDurableEvents(b *testing.B) {
	mem := conntest.NewStore()
	cfg, _ := config.Parse(map[string][]byte{"main.hcl": []byte(conntest.ThreeSteps)})
	prog, diags := compile.Compile(cfg, compile.Options{Registry: connectors.MustRegistry(mem.Connector())})
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	st, err := state.Open(context.Background(), statetest.Location(b)) // TOTE_BENCH_STATE=postgres: on PostgreSQL
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	eng := run.New(prog, st, run.Options{})
	defer eng.Close()

	items := make([]state.NewItem, b.N)
	for i := range items {
		tick := fmt.Sprintf("t%09d", i)
		items[i] = state.NewItem{Pipeline: "p", Trigger: "tick", Key: tick, Payload: []byte(`{"tick":"` + tick + `"}`)}
	}
	settled := make(chan struct{}, b.N)
	w := &worker.Worker{Engine: eng, Store: st, Concurrency: 256, PollInterval: 10 * time.Millisecond,
		OnSettled: func(_ state.Item, res *run.Result, _ worker.Outcome) {
			if res.Err != nil {
				b.Error(res.Err)
			}
			settled <- struct{}{}
		}}
	intake, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for start := 0; start < len(items); start += 500 {
		if _, err := st.Enqueue(context.Background(), items[start:min(start+500, len(items))]...); err != nil {
			b.Fatal(err)
		}
	}
	go func() { defer close(done); _ = w.Run(intake, context.Background()) }()
	for i := 0; i < b.N; i++ {
		<-settled
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	stop()
	<-done
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	// CPU time per event (user and system, every goroutine of the process):
	// on a shared machine it varies far less than events/s.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/event")
	if got := len(mem.Writes()); got != b.N {
		b.Fatalf("%d writes for %d events", got, b.N)
	}
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
