package cli

import (
	"context"
	"fmt"

	"github.com/toteworks/tote/engine/plan"
)

// cmdShow prints a saved plan exactly as tote plan printed it, or as the
// same JSON as tote plan -json. It needs neither pipelines nor state.
func cmdShow(_ context.Context, env Env, args []string) int {
	fs := newFlags("show", "show PLANFILE [-json]", env.Stderr)
	asJSON := fs.Bool("json", false, "print the plan as JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return exitError
	}
	if len(pos) != 1 {
		fmt.Fprintln(env.Stderr, "Error: show takes one plan file, saved with tote plan -out FILE")
		return exitError
	}
	p, err := plan.Open(pos[0]) // read a run at a time: a plan may be large
	if err == nil {
		if *asJSON {
			err = writePlanJSON(env.Stdout, p)
		} else {
			err = renderPlan(env.Stdout, p)
		}
	}
	if err != nil {
		fmt.Fprintln(env.Stderr, "Error:", err)
		return exitError
	}
	return exitOK
}
