package run_test

import (
	"strings"
	"testing"

	"github.com/toteworks/tote/engine/run"
	"github.com/zclconf/go-cty/cty"
)

// A run-time evaluation failure keeps its source range: in the plan's
// failures (for views to show the source) and in the stored run's error.
func TestEvalFailurePointsAtSource(t *testing.T) {
	f := newFixture(t, `connection "memory" "m" {}

pipeline "p" {
  step "src" {
    action = memory.get
    key    = "rec"
  }

  transform "share" {
    value = 100 / step.src.output.value.quantity
  }
}
`, run.Options{})
	ctx := ctxT(t)
	f.mem.Put("rec", cty.ObjectVal(map[string]cty.Value{"code": cty.StringVal("7")}))

	res := f.eng.Execute(ctx, run.Apply, run.Event{Pipeline: "p"}, nil, "run-1")
	if res.Err == nil || !res.Permanent {
		t.Fatalf("err = %v, permanent = %v; want a permanent failure", res.Err, res.Permanent)
	}
	if len(res.Plan.Errors) != 1 || len(res.Plan.Errors[0].Diagnostics) != 1 {
		t.Fatalf("failures = %+v; want one with one diagnostic", res.Plan.Errors)
	}
	d := res.Plan.Errors[0].Diagnostics[0]
	if d.Summary != "Unsupported attribute" || d.Range == nil || d.Range.Filename != "main.hcl" ||
		d.Range.Start.Line != 10 || d.Range.Start.Column != 40 || d.Range.End.Column != 49 {
		t.Errorf("diagnostic = %+v (range %+v); want Unsupported attribute at main.hcl:10,40-49", d, d.Range)
	}
	r, _, err := f.store.Run(ctx, "run-1")
	if err != nil {
		t.Fatal(err)
	}
	if want := `transform.share: main.hcl:10:40: Unsupported attribute: This object does not have an attribute named "quantity".`; !strings.Contains(r.Error, want) {
		t.Errorf("stored error %q; want it to contain %q", r.Error, want)
	}
}
