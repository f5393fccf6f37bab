package shipstation

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

// Runs that ask for every tag (the exceptions pipeline, once per order)
// share one /accounts/listtags read for 30 s, with each other and with
// the tag names the polls resolve; a tag made later is listed after that.
func TestListTagsIsSharedForThirtySeconds(t *testing.T) {
	e := newEnv(t, envOpts{})
	calls := func() int64 { return e.fake.Stats().ByRequest["GET /accounts/listtags"] }
	names := func() map[string]bool {
		out := map[string]bool{}
		for _, tag := range e.read("list_tags", nil).AsValueSlice() {
			out[tag.GetAttr("name").AsString()] = true
		}
		return out
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { names() })
	}
	wg.Wait()
	if got := calls(); got != 1 {
		t.Fatalf("8 concurrent list_tags made %d calls, want 1", got)
	}
	e.fake.AddTag("Fragile", "#FF0000")
	e.clock.Advance(29 * time.Second)
	if got := names(); got["Fragile"] || calls() != 1 {
		t.Errorf("29 s later: Fragile listed %v after %d calls, want the shared read", got["Fragile"], calls())
	}
	e.clock.Advance(2 * time.Second)
	if got := names(); !got["Fragile"] || calls() != 2 {
		t.Errorf("31 s later: Fragile listed %v after %d calls, want a new read", got["Fragile"], calls())
	}
	// A poll resolving a name once the names are stale reads the tags;
	// list_tags just after shares that read.
	e.clock.Advance(namesTTL)
	a := triggerArgs(t, "shipstation_poll", map[string]cty.Value{"resource": cty.StringVal("tagged_orders"), "tag": cty.StringVal("Backorder")})
	if _, _, err := e.conn.Poll(context.Background(), "shipstation_poll", a, connectors.Window{}); err != nil {
		t.Fatal(err)
	}
	names()
	if got := calls(); got != 3 {
		t.Errorf("a poll and list_tags made %d tag reads in all, want 3", got)
	}
}
