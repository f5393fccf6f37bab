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

// A transform and a step of the same name are each their own, in whatever
// order the run's values came: transform.* and step.* are built from one
// list of them.
func TestTransformAndStepOfOneName(t *testing.T) {
	const src = `
connection "memory" "m" {}
pipeline "p" {
  transform "same" {
    value = "source"
  }
  step "same" {
    action = memory.get
    key    = transform.same
  }
  transform "later" {
    value = "after ${step.same.output.value}"
  }
  step "out" {
    action = memory.put
    key    = "out"
    value  = { t = transform.same, s = step.same.output.value, l = transform.later }
  }
}
`
	f := newFixture(t, src, run.Options{})
	f.mem.Put("source", cty.StringVal("the record"))
	res := f.eng.Execute(ctxT(t), run.Apply, run.Event{Pipeline: "p"}, nil, "r1")
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	want := cty.ObjectVal(map[string]cty.Value{"t": cty.StringVal("source"), "s": cty.StringVal("the record"),
		"l": cty.StringVal("after the record")})
	if v, ok := f.mem.Get("out"); !ok || !v.RawEquals(want) {
		t.Errorf("out = %#v, %t; want %#v", v, ok, want)
	}
}
