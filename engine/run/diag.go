package run

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/plan"
)

// EvalError is a failure to evaluate an expression of a pipeline while it
// runs. It keeps the diagnostics, with their source ranges, so views can
// show the expression as validate does.
type EvalError struct {
	Diags hcl.Diagnostics
}

// Error is "file:line:col: summary: detail", one per diagnostic.
func (e *EvalError) Error() string {
	var msgs []string
	for _, d := range e.Diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		m := d.Summary
		if d.Detail != "" {
			m += ": " + d.Detail
		}
		if s := d.Subject; s != nil {
			m = fmt.Sprintf("%s:%d:%d: %s", s.Filename, s.Start.Line, s.Start.Column, m)
		}
		msgs = append(msgs, m)
	}
	return strings.Join(msgs, "; ")
}

// diagError is the permanent error of an evaluation that failed: running
// the same expression on the same values fails again.
func diagError(diags hcl.Diagnostics) error {
	return connectors.Permanent(&EvalError{Diags: diags})
}

// diagnosticsOf returns the located diagnostics of err, if it is an
// evaluation failure.
func diagnosticsOf(err error, clean func(string) string) []plan.Diagnostic {
	var ee *EvalError
	if !errors.As(err, &ee) {
		return nil
	}
	return plan.Diagnostics(ee.Diags, clean)
}
