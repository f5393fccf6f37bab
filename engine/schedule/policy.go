package schedule

import "fmt"

// Policy says what happens to a tick that fires while the entry's previous
// run is still going. The values are persisted and must not change; the
// engine maps them onto its inbox.
type Policy string

const (
	PolicySkip   Policy = "skip"   // drop the new tick
	PolicyAll    Policy = "all"    // queue every tick behind the running one
	PolicyLatest Policy = "latest" // queue only the newest waiting tick
)

// DefaultPolicy is the policy of a trigger that names none.
const DefaultPolicy = PolicySkip

// ParsePolicy returns the Policy named s.
func ParsePolicy(s string) (Policy, error) {
	switch p := Policy(s); p {
	case PolicySkip, PolicyAll, PolicyLatest:
		return p, nil
	}
	return "", fmt.Errorf("unknown overlap policy %q; want %q, %q or %q", s, PolicySkip, PolicyAll, PolicyLatest)
}
