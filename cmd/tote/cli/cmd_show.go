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
	p, err := plan.Load(pos[0])
	if err != nil {
		fmt.Fprintln(env.Stderr, "Error:", err)
		return exitError
	}
	if *asJSON {
		writeJSON(env.Stdout, planJSON(p))
		return exitOK
	}
	renderPlan(env.Stdout, p)
	return exitOK
}
