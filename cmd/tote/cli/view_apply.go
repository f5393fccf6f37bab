package cli

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/toteworks/tote/engine/plan"
	"github.com/toteworks/tote/engine/run"
)

// reportApply prints why each failed run or subscription failed, then the
// summary, and returns the exit code. A run that failed before any step
// (its state could not be written, say) has no step failures: its error is
// the reason. savedPlan says the plan came from a file, whose runs that
// failed while planning were not reported yet.
func reportApply(env Env, p plan.Source, res *run.ApplyResult, savedPlan bool, files map[string]*hcl.File) int {
	for _, err := range res.SubscriptionErrors {
		fmt.Fprintf(env.Stderr, "Error: webhook subscription: %s\n", err)
	}
	if savedPlan {
		reportFailures(env, p, files)
	}
	for _, r := range res.FailedRuns {
		for _, f := range r.Plan.Errors {
			writeFailure(env, r.Plan, f, files)
		}
		if r.Err != nil && len(r.Plan.Errors) == 0 {
			fmt.Fprintf(env.Stderr, "Error: pipeline %q, %s: %s\n", r.Plan.Pipeline, eventLabel(r.Plan), r.Err)
		}
	}
	if res.Subscriptions > 0 {
		fmt.Fprintf(env.Stdout, "\n%d webhook subscription%s changed.", res.Subscriptions, plural(res.Subscriptions, "", "s"))
	}
	summary := fmt.Sprintf("%d write%s made, %d run%s failed", res.Writes, plural(res.Writes, "", "s"), res.Failed, plural(res.Failed, "", "s"))
	if res.Failed > 0 || len(res.SubscriptionErrors) > 0 {
		if n := len(res.SubscriptionErrors); n > 0 {
			summary += fmt.Sprintf(", %d webhook subscription%s failed", n, plural(n, "", "s"))
		}
		fmt.Fprintf(env.Stdout, "\nApply failed: %s. The errors above say why.\n", summary)
		return exitError
	}
	fmt.Fprintf(env.Stdout, "\nApply complete! %s.\n", summary)
	return exitOK
}
