package cli

import "github.com/hashicorp/hcl/v2"

func count(diags hcl.Diagnostics, errors bool) int {
	n := 0
	for _, d := range diags {
		if (d.Severity == hcl.DiagError) == errors {
			n++
		}
	}
	return n
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
