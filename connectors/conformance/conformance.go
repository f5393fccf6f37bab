// Package conformance is the test suite every tote connector passes. A
// connector's tests call Run with a Harness that says how to reach a
// working (usually fake) vendor; the suite then checks what the engine
// relies on: a valid and stable Spec with docs and secrets marked, Open and
// an idempotent Close, repeatable reads, plans that change nothing, writes
// that plan as noop once applied, outputs of the declared types, and no
// credential in any error, output or log line.
package conformance

import (
	"context"
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/zclconf/go-cty/cty"
)

// Harness is what the suite needs to exercise a connector.
type Harness struct {
	// Config is a working connection config: an object holding at least
	// the Spec's required attributes (absent optional ones are null, as
	// when a connection block leaves them out). It should set the
	// sensitive attributes to distinctive values of 8 or more characters,
	// which the suite then looks for in errors, outputs and logs.
	Config cty.Value
	// Failing is a config whose calls fail, for example one pointing at a
	// closed server or carrying a wrong password, with the same secrets as
	// Config. Every error it produces is checked for secrets. Prefer a
	// failure the connector does not retry (a rejected credential) so the
	// check stays fast. cty.NilVal skips the check.
	Failing cty.Value
	// Reads and Writes are sample calls. Each write must change something
	// (plan as create or update) against the vendor Config reaches.
	Reads  []Sample
	Writes []Sample
	// Unreadable names write actions whose result cannot be read back (an
	// email, say): they are not expected to plan as noop once applied.
	Unreadable []string
}

// Sample is one call of an action. Args holds the arguments to set;
// absent optional arguments are null.
type Sample struct {
	Action string
	Args   cty.Value
}

// Run runs the suite as subtests of t.
func Run(t *testing.T, c connectors.Connector, h Harness) {
	t.Helper()
	s := newSuite(c, h)
	for _, ch := range s.checks() {
		t.Run(ch.name, func(t *testing.T) {
			problems, skip := ch.run(t.Context())
			for _, p := range problems {
				t.Error(p)
			}
			if skip != "" && len(problems) == 0 {
				t.Skip(skip)
			}
		})
	}
}

// check is one named part of the suite. It returns the problems found, or
// why it had nothing to check.
type check struct {
	name string
	run  func(ctx context.Context) (problems []string, skip string)
}

// suite holds one run's state: the connector, the harness and the log
// every connection opened by the suite writes to.
type suite struct {
	c       connectors.Connector
	h       Harness
	spec    connectors.Spec
	logs    *logBuffer
	secrets []string
}

func newSuite(c connectors.Connector, h Harness) *suite {
	s := &suite{c: c, h: h, spec: c.Spec(), logs: &logBuffer{}}
	s.secrets = append(sensitiveStrings(s.spec.Config, h.Config), sensitiveStrings(s.spec.Config, h.Failing)...)
	return s
}

// checks lists the suite's parts in order; "logs" comes last so that it
// sees what every other part logged.
func (s *suite) checks() []check {
	return []check{
		{"spec", s.checkSpec},
		{"secrets_marked", s.checkSecretsMarked},
		{"open_close", s.checkOpenClose},
		{"reads", s.checkReads},
		{"writes", s.checkWrites},
		{"failing", s.checkFailing},
		{"logs", s.checkLogs},
	}
}
