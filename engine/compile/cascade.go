package compile

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// repeatable are diagnostics that one mistake causes wherever the missing
// thing is used: a connection that is not there (a connector's type
// misspelt, main renamed), a variable or local that is not declared.
var repeatable = map[string]bool{
	"No connection":                          true,
	"Ambiguous connection":                   true,
	"Reference to undeclared connection":     true,
	"Reference to undeclared input variable": true,
	"Reference to undeclared local value":    true,
	"Unsupported attribute":                  true,
}

// quench keeps one diagnostic per mistake. Of repeatable diagnostics with
// the same text, the first stays and says how many more there were; a
// connection that was left out because its connector is unknown already
// explains every step that finds no connection of its type.
func quench(diags hcl.Diagnostics) hcl.Diagnostics {
	unknownConnector := false
	for _, d := range diags {
		if d.Summary == "Unknown connector" {
			unknownConnector = true
		}
	}
	first := map[string]*hcl.Diagnostic{}
	more := map[*hcl.Diagnostic]int{}
	var out hcl.Diagnostics
	for _, d := range diags {
		if d.Severity == hcl.DiagError && d.Summary == "No connection" && unknownConnector {
			continue
		}
		if d.Severity == hcl.DiagError && repeatable[d.Summary] {
			key := d.Summary + "|" + d.Detail
			if f := first[key]; f != nil {
				more[f]++
				continue
			}
			first[key] = d
		}
		out = append(out, d)
	}
	for i, d := range out {
		if n := more[d]; n > 0 {
			c := *d
			c.Detail += fmt.Sprintf(" The same error at %d more place%s is not shown.", n, map[bool]string{true: "", false: "s"}[n == 1])
			out[i] = &c
		}
	}
	return out
}
