package cli

import (
	"io"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/config"
)

// FuzzCompile runs pipeline source through what tote validate does: parse,
// compile against the built-in connectors (offline, or with every
// variable of the environment set), and print the diagnostics as text and
// JSON with their source snippets. A mistake is a diagnostic with a
// summary; nothing panics, and a program without errors compiles to a
// program.
func FuzzCompile(f *testing.F) {
	reg, err := Registry()
	if err != nil {
		f.Fatal(err)
	}
	env := func(name string) (string, bool) { return "fuzz-" + name, true }
	now := func() time.Time { return time.Date(2025, 3, 4, 18, 0, 0, 0, time.UTC) }
	f.Fuzz(func(t *testing.T, src []byte, offline bool) {
		cfg, diags := config.Parse(map[string][]byte{"main.hcl": src})
		var prog *compile.Program
		if cfg != nil && !cfg.Broken {
			var d hcl.Diagnostics
			prog, d = compile.Compile(cfg, compile.Options{Registry: reg, Offline: offline, Getenv: env, Now: now})
			diags = append(diags, d...)
			if !diags.HasErrors() && prog == nil {
				t.Fatal("no errors, and no program")
			}
		}
		var files map[string]*hcl.File
		if cfg != nil {
			files = cfg.Files
		}
		writeDiagnostics(io.Discard, diags, files)
		diagnosticsJSON(diags, files)
		for _, d := range diags {
			if d.Severity == hcl.DiagError && d.Summary == "" {
				t.Fatalf("an error without a summary: %#v", d)
			}
		}
	})
}
