package run_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/conntest"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/config"
	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/state"
)

// fixture compiles src against a memory connector and opens fresh state.
type fixture struct {
	mem   *conntest.Store
	prog  *compile.Program
	store *state.Store
	eng   *run.Engine
}

func newFixture(t testing.TB, src string, opts run.Options) *fixture {
	t.Helper()
	f := &fixture{mem: conntest.NewStore()}
	reg := connectors.MustRegistry(f.mem.Connector())
	cfg, diags := config.Parse(map[string][]byte{"main.hcl": []byte(src)})
	if diags.HasErrors() {
		t.Fatalf("parse: %v", diags)
	}
	env := map[string]string{"MEMORY_TOKEN": "hunter2-secret-token"}
	prog, diags := compile.Compile(cfg, compile.Options{Registry: reg, Getenv: func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}})
	if diags.HasErrors() {
		t.Fatalf("compile: %v", diags)
	}
	f.prog = prog
	st, err := state.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.store = st
	f.eng = run.New(prog, st, opts)
	t.Cleanup(func() { f.eng.Close() })
	return f
}

func (f *fixture) reopen(t *testing.T) {
	f.eng.Close()
	f.eng = run.New(f.prog, f.store, run.Options{})
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
