package run_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/toteworks/tote/connectors/conntest"
	"github.com/toteworks/tote/engine/run"
	"github.com/zclconf/go-cty/cty"
)

const fanOut = `
connection "memory" "m" {}
pipeline "p" {
  step "a" {
    action = memory.get
    key    = "a"
  }
  step "b" {
    action = memory.get
    key    = "b"
  }
  step "c" {
    action = memory.get
    key    = "c"
  }
  step "d" {
    action = memory.get
    key    = "d"
  }
  step "join" {
    action = memory.put
    key    = "joined"
    value  = [step.a.output.key, step.b.output.key, step.c.output.key, step.d.output.key]
  }
}
`

// Independent steps run concurrently, never more than -parallelism at once,
// and a step runs only after everything it depends on finished.
func TestWalkParallelismAndOrder(t *testing.T) {
	f := newFixture(t, fanOut, run.Options{Parallelism: 2})
	f.mem.Hold = make(chan string)
	f.mem.Release = make(chan struct{})
	ctx := ctxT(t)
	done := make(chan *run.Result)
	go func() { done <- f.eng.Execute(ctx, run.Apply, run.Event{Pipeline: "p"}, nil, "r1") }()

	// Two reads arrive and block; a third cannot start until one is released.
	held := []string{<-f.mem.Hold, <-f.mem.Hold}
	select {
	case a := <-f.mem.Hold:
		t.Fatalf("a third call (%s) started while two were running with parallelism 2", a)
	default:
	}
	for i := 0; i < 2; i++ {
		f.mem.Release <- struct{}{}
		held = append(held, <-f.mem.Hold)
	}
	f.mem.Release <- struct{}{}
	f.mem.Release <- struct{}{}
	// The write depends on all four reads and is the last call.
	if got := <-f.mem.Hold; got != "put" {
		t.Fatalf("after the reads came %q, want put", got)
	}
	f.mem.Release <- struct{}{}
	res := <-done
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if strings.Join(held, ",") != "get,get,get,get" {
		t.Fatalf("calls before the write: %v", held)
	}
	v, _ := f.mem.Get("joined")
	if v.LengthInt() != 4 {
		t.Fatalf("joined = %#v", v)
	}
}

// A failed step's dependents are skipped, the failure is reported once, and
// independent branches still run.
func TestWalkSkipsDependentsOfAFailure(t *testing.T) {
	f := newFixture(t, `
connection "memory" "m" {}
pipeline "p" {
  step "bad" {
    action = memory.get
    key    = "bad"
  }
  step "after_bad" {
    action = memory.put
    key    = "after"
    value  = step.bad.output.key
  }
  step "after_after" {
    action = memory.put
    key    = "after2"
    value  = step.after_bad.output.key
  }
  step "independent" {
    action = memory.put
    key    = "independent"
    value  = "ok"
  }
}
`, run.Options{})
	f.mem.SetFaults(conntest.Faults{FailReads: 1})
	res := f.eng.Execute(ctxT(t), run.Apply, run.Event{Pipeline: "p"}, nil, "r1")
	if res.Err == nil {
		t.Fatal("want a failure")
	}
	if n := len(res.Plan.Errors); n != 1 || res.Plan.Errors[0].Address != "step.bad" {
		t.Fatalf("failures = %+v, want exactly step.bad", res.Plan.Errors)
	}
	if strings.Count(res.Err.Error(), "step.bad") != 1 {
		t.Fatalf("failure reported more than once: %v", res.Err)
	}
	if res.Permanent {
		t.Fatal("a failed read is worth retrying, not permanent")
	}
	keys := strings.Join(f.mem.Keys(), ",")
	if keys != "independent" {
		t.Fatalf("records = %s, want only independent", keys)
	}
}

// A partial read goes on with what was read, and the run ends failed,
// permanently, naming what was left out.
func TestPartialReadGoesOnAndFailsTheRun(t *testing.T) {
	f := newFixture(t, `
connection "memory" "m" {}
pipeline "p" {
  step "orders" {
    action = memory.get
    key    = "orders"
  }
  step "push" {
    action = memory.put
    key    = "pushed"
    value  = step.orders.output.value
  }
}
`, run.Options{})
	f.mem.Put("orders", cty.StringVal("read"))
	f.mem.SetFaults(conntest.Faults{PartialReads: 1})
	res := f.eng.Execute(ctxT(t), run.Apply, run.Event{Pipeline: "p"}, nil, "r1")
	if v, ok := f.mem.Get("pushed"); !ok || v.AsString() != "read" {
		t.Fatalf("pushed = %#v, %v: the write after a partial read must go on", v, ok)
	}
	if res.Err == nil || !res.Permanent || !strings.Contains(res.Err.Error(), "a part of orders could not be read") {
		t.Fatalf("result = %v (permanent %v), want a permanent failure naming what was left out", res.Err, res.Permanent)
	}
	if n := len(res.Plan.Errors); n != 1 || res.Plan.Errors[0].Address != "step.orders" {
		t.Fatalf("failures = %+v, want exactly step.orders", res.Plan.Errors)
	}
}

// for_each expands into instances addressed step.name["key"], each with its
// own output, which later steps index by key.
func TestForEachInstances(t *testing.T) {
	f := newFixture(t, `
connection "memory" "m" {}
pipeline "p" {
  transform "orders" {
    for_each = { "1001" = "mug", "1002" = "tee" }
    value    = { sku = upper(each.value) }
  }
  step "push" {
    action   = memory.put
    for_each = transform.orders
    key      = "order/${each.key}"
    value    = each.value
  }
  step "summary" {
    action = memory.put
    key    = "summary"
    value  = [for k, s in step.push : "${k}=${s.output.value.sku}"]
  }
  step "pick" {
    action = memory.put
    key    = "pick"
    value  = step.push["1002"].output.key
  }
}
`, run.Options{})
	res := f.eng.Execute(ctxT(t), run.Apply, run.Event{Pipeline: "p"}, nil, "r1")
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	var addrs []string
	for _, c := range res.Plan.Changes {
		addrs = append(addrs, c.Address)
	}
	want := `step.pick,step.push["1001"],step.push["1002"],step.summary`
	if strings.Join(addrs, ",") != want {
		t.Fatalf("addresses = %v, want %s", addrs, want)
	}
	summary, _ := f.mem.Get("summary")
	if got := summary.Index(cty.NumberIntVal(1)).AsString(); got != "1002=TEE" {
		t.Fatalf("summary[1] = %q", got)
	}
	pick, _ := f.mem.Get("pick")
	if pick.AsString() != "order/1002" {
		t.Fatalf("pick = %#v", pick)
	}
}

// Instances of one step run concurrently too, bounded the same way.
func TestForEachInstancesRespectParallelism(t *testing.T) {
	f := newFixture(t, `
connection "memory" "m" {}
pipeline "p" {
  step "reads" {
    action   = memory.get
    for_each = toset(["a", "b", "c"])
    key      = each.key
  }
}
`, run.Options{Parallelism: 2})
	f.mem.Hold = make(chan string)
	f.mem.Release = make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	var res *run.Result
	go func() { defer wg.Done(); res = f.eng.Execute(ctxT(t), run.Apply, run.Event{Pipeline: "p"}, nil, "r1") }()
	<-f.mem.Hold
	<-f.mem.Hold
	select {
	case <-f.mem.Hold:
		t.Fatal("three instances ran at once with parallelism 2")
	default:
	}
	f.mem.Release <- struct{}{}
	<-f.mem.Hold
	f.mem.Release <- struct{}{}
	f.mem.Release <- struct{}{}
	wg.Wait()
	if res.Err != nil || len(res.Plan.Reads) != 3 {
		t.Fatalf("err=%v reads=%d", res.Err, len(res.Plan.Reads))
	}
}

// Concurrent runs writing the same record take turns: the second plans
// against the first's write and writes nothing.
func TestConcurrentWritesToOneRecordTakeTurns(t *testing.T) {
	f := newFixture(t, `
connection "memory" "m" {}
pipeline "p" {
  step "w" {
    action = memory.put
    key    = "shared"
    value  = { n = 1 }
  }
}
`, run.Options{})
	f.mem.Hold = make(chan string)
	f.mem.Release = make(chan struct{})
	ctx := ctxT(t)
	results := make(chan *run.Result, 2)
	go func() { results <- f.eng.Execute(ctx, run.Apply, run.Event{Pipeline: "p"}, nil, "a") }()
	go func() { results <- f.eng.Execute(ctx, run.Apply, run.Event{Pipeline: "p"}, nil, "b") }()
	<-f.mem.Hold // the first write is under way; the other run waits its turn
	select {
	case <-f.mem.Hold:
		t.Fatal("two writes to one record ran at once")
	default:
	}
	f.mem.Release <- struct{}{}
	r1, r2 := <-results, <-results
	if r1.Err != nil || r2.Err != nil {
		t.Fatal(r1.Err, r2.Err)
	}
	if n := len(f.mem.Writes()); n != 1 || r1.Writes+r2.Writes != 1 {
		t.Fatalf("writes = %d (%d+%d), want 1", n, r1.Writes, r2.Writes)
	}
}

// A step whose when is false has a null output that later steps can test.
func TestWhenFalseLeavesANullOutput(t *testing.T) {
	f := newFixture(t, `
connection "memory" "m" {}
pipeline "p" {
  step "skipped" {
    action = memory.get
    when   = false
    key    = "x"
  }
  step "after" {
    action = memory.put
    key    = "after"
    value  = step.skipped.output == null ? "skipped" : "ran"
  }
}
`, run.Options{})
	res := f.eng.Execute(ctxT(t), run.Apply, run.Event{Pipeline: "p"}, nil, "r1")
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if v, _ := f.mem.Get("after"); v.AsString() != "skipped" {
		t.Fatalf("after = %#v", v)
	}
	if f.mem.Reads() != 0 {
		t.Fatal("a step with when = false was run")
	}
}
