package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/hashicorp/hcl/v2"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/config"
	"github.com/toteworks/tote/engine/state"
	"github.com/zclconf/go-cty/cty"
)

// load parses and compiles the pipelines in dir. Diagnostics are printed
// to stderr; ok is false when there were errors.
func load(env Env, dir string, vars map[string]string, offline bool) (*compile.Program, bool) {
	return loadReporting(env, dir, compile.Options{Vars: vars, Offline: offline})
}

// loadPinned is load for plan and apply: pinned, a saved plan's variable
// values, take the place of every other source of values.
func loadPinned(env Env, dir string, vars map[string]string, pinned map[string]cty.Value) (*compile.Program, bool) {
	return loadReporting(env, dir, compile.Options{Vars: vars, Pinned: pinned})
}

// loadReporting compiles dir with opts and prints its diagnostics.
func loadReporting(env Env, dir string, opts compile.Options) (*compile.Program, bool) {
	prog, diags := loadProgram(env, dir, opts)
	if len(diags) > 0 {
		writeDiagnostics(env.Stderr, diags, prog.files())
	}
	return prog.prog, !diags.HasErrors()
}

type loaded struct {
	prog *compile.Program
	cfg  *config.Config
}

func (l loaded) files() map[string]*hcl.File {
	if l.cfg == nil {
		return nil
	}
	return l.cfg.Files
}

// loadProgram compiles dir with opts; the registry, environment and clock
// come from env.
func loadProgram(env Env, dir string, opts compile.Options) (loaded, hcl.Diagnostics) {
	info, err := os.Stat(dir)
	if err != nil || !info.IsDir() {
		return loaded{}, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "No pipelines directory",
			Detail: fmt.Sprintf("%q is not a directory. Point -dir or $TOTE_DIR at the folder that holds your *.hcl files.", dir)}}
	}
	cfg, diags := config.Load(os.DirFS(dir), dir)
	if cfg == nil || cfg.Broken {
		return loaded{cfg: cfg}, diags
	}
	if len(cfg.Files) == 0 {
		return loaded{cfg: cfg}, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "No pipeline files",
			Detail: fmt.Sprintf("%s holds no *.hcl files.", dir)}}
	}
	opts.Registry, opts.Getenv, opts.Now = env.Registry, env.Getenv, env.Now
	prog, d := compile.Compile(cfg, opts)
	return loaded{prog: prog, cfg: cfg}, append(diags, d...)
}

// openState opens the state file, creating it (0600) when missing, or
// the PostgreSQL database a postgres:// URL names.
func openState(ctx context.Context, path string, opts ...state.Option) (*state.Store, error) {
	if path == "" {
		return nil, errors.New("no state file: set -state or $TOTE_STATE")
	}
	st, err := state.Open(ctx, path, opts...)
	if err != nil {
		return nil, fmt.Errorf("opening state %s: %w", state.Redact(path), err)
	}
	return st, nil
}

// stateExists reports whether there is state at path already. A database
// is taken to exist: opening it says if it cannot be reached.
func stateExists(path string) bool {
	if state.IsURL(path) {
		return true
	}
	_, err := os.Stat(path)
	return err == nil
}

// stateUsage is the -state flag's help.
const stateUsage = "state file, or a postgres:// URL ($TOTE_STATE)"
