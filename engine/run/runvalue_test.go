package run_test

import (
	"testing"

	"github.com/toteworks/tote/engine/run"
	"github.com/zclconf/go-cty/cty"
)

// run.* has the run's values wherever a pipeline refers to it: in a when,
// a for_each, a transform and a step's arguments, run is built only for
// pipelines that refer to it, and these do.
func TestRunValueReachesEveryExpression(t *testing.T) {
	const src = `
connection "memory" "m" {}
pipeline "p" {
  transform "about" {
    value = "${run.pipeline}/${run.mode}"
  }
  step "gated" {
    action = memory.put
    when   = run.id != ""
    key    = "gated/${run.id}"
    value  = transform.about
  }
  step "each" {
    action   = memory.put
    for_each = toset([run.id])
    key      = "each/${each.key}"
    value    = length(run.time) > 0
  }
}
`
	f := newFixture(t, src, run.Options{})
	if !f.prog.Pipeline("p").RefersToRun {
		t.Fatal("RefersToRun is false for a pipeline that refers to run")
	}
	res := f.eng.Execute(ctxT(t), run.Apply, run.Event{Pipeline: "p"}, nil, "r-42")
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if v, ok := f.mem.Get("gated/r-42"); !ok || !v.RawEquals(cty.StringVal("p/apply")) {
		t.Errorf("gated/r-42 = %#v, %t; want \"p/apply\"", v, ok)
	}
	if v, ok := f.mem.Get("each/r-42"); !ok || !v.RawEquals(cty.True) {
		t.Errorf("each/r-42 = %#v, %t; want true", v, ok)
	}
}
