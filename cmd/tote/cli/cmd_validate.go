package cli

import (
	"context"
	"fmt"

	"github.com/toteworks/tote/engine/compile"
)

func cmdValidate(_ context.Context, env Env, args []string) int {
	fs := newFlags("validate", "validate [DIR] [-json]", env.Stderr)
	asJSON := fs.Bool("json", false, "print the diagnostics as JSON")
	var c common
	c.register(fs, env, false)
	pos, err := parse(fs, args)
	if err != nil {
		return exitError
	}
	if len(pos) > 1 {
		fmt.Fprintln(env.Stderr, "Error: validate takes at most one directory")
		return exitError
	}
	if len(pos) == 1 {
		c.dir = pos[0]
	}
	l, diags := loadProgram(env, c.dir, compile.Options{Vars: c.vars, Offline: true})
	if *asJSON {
		writeJSON(env.Stdout, map[string]any{
			"format_version": "1",
			"valid":          !diags.HasErrors(),
			"error_count":    count(diags, true),
			"warning_count":  count(diags, false),
			"diagnostics":    diagnosticsJSON(diags, l.files()),
		})
	} else {
		writeDiagnostics(env.Stderr, diags, l.files())
	}
	if diags.HasErrors() {
		return exitError
	}
	if !*asJSON {
		n := len(l.prog.Pipelines)
		fmt.Fprintf(env.Stdout, "Success! %d pipeline%s valid.\n", n, plural(n, " is", "s are"))
	}
	return exitOK
}
