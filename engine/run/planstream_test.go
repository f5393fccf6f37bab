package run_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/toteworks/tote/engine/plan"
	"github.com/toteworks/tote/engine/run"
	"github.com/zclconf/go-cty/cty"
)

const pagedPollPipeline = `
connection "memory" "m" {}

pipeline "copy" {
  trigger "memory_poll" "sweep" {
    prefix   = "in/"
    schedule = "*/5 * * * *"
  }
  step "put" {
    action = memory.put
    key    = "out/${trigger.key}"
    value  = 1
  }
}
`

// A plan over a window its poller hands over a page at a time is planned
// a page at a time: each run reaches emit before the next page is read,
// so a backlog is never held whole; every record is planned once.
func TestPlanStreamPlansAPageBeforeReadingTheNext(t *testing.T) {
	f := newFixture(t, pagedPollPipeline, run.Options{})
	const n = 12
	for i := range n {
		f.mem.Put(fmt.Sprintf("in/%02d", i), cty.True)
	}
	f.mem.SetPollPage(5)
	p := f.eng.NewPlan("test")
	var pagesAtEmit []int
	seen := map[string]bool{}
	err := f.eng.PlanStream(context.Background(), run.Selection{From: time.Now().Add(-time.Hour)}, p, func(r *plan.Run) error {
		pagesAtEmit = append(pagesAtEmit, f.mem.PolledPages())
		seen[r.EventKey] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != n {
		t.Fatalf("%d records planned, want %d", len(seen), n)
	}
	want := []int{1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3}
	if fmt.Sprint(pagesAtEmit) != fmt.Sprint(want) {
		t.Fatalf("pages read when each run was emitted: %v, want %v", pagesAtEmit, want)
	}
	if p.Runs != nil || p.Cursors["copy.sweep"] != "in/11" {
		t.Fatalf("plan head: %d runs kept, cursors %v", len(p.Runs), p.Cursors)
	}

	// An error from emit stops the plan and comes back as it is.
	stop := fmt.Errorf("disk full")
	err = f.eng.PlanStream(context.Background(), run.Selection{From: time.Now().Add(-time.Hour)}, f.eng.NewPlan("test"), func(*plan.Run) error { return stop })
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("emit's error: %v", err)
	}
}
