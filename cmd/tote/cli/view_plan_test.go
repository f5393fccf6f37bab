package cli

import (
	"strings"
	"testing"

	"github.com/toteworks/tote/engine/plan"
)

func TestAPlanWithoutChangesSaysWhetherAnythingFailedOrWaits(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  plan.Run
		want string
	}{
		{"quiet", plan.Run{Pipeline: "p"}, "No changes. Both systems already match the pipelines."},
		{"failed", plan.Run{Pipeline: "p", Errors: []plan.Failure{{Address: "step.a", Error: "boom"}}},
			"No changes to make, but 1 step failed (above): the systems may still differ."},
		{"waiting", plan.Run{Pipeline: "p", Waiting: []plan.Failure{{Address: "step.a", Error: "unknown SKU"}, {Address: "step.b", Error: "unknown SKU"}}},
			"No changes to make now; 2 writes wait (above)."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			renderPlan(&b, &plan.Plan{Runs: []*plan.Run{&tc.run}})
			if !strings.Contains(b.String(), tc.want) {
				t.Errorf("plan reads:\n%s\nwant %q", b.String(), tc.want)
			}
			if tc.name != "quiet" && strings.Contains(b.String(), "already match") {
				t.Errorf("plan claims the systems match:\n%s", b.String())
			}
		})
	}
}
