package testscripts

import (
	"context"
	"flag"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/toteworks/tote/cmd/tote/cli"
)

var update = flag.Bool("update", false, "rewrite golden files in scripts whose cmp fails")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"tote": func() {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			code := cli.Main(ctx, os.Args[1:], cli.DefaultEnv())
			stop()
			os.Exit(code)
		},
	})
}

// areas are the folders of scripts, one per part of tote.
var areas = []string{"validate", "engine", "run", "cli", "connectors", "flows"}

func TestScripts(t *testing.T) {
	for _, area := range areas {
		t.Run(area, func(t *testing.T) {
			dir := filepath.Join(area)
			if entries, err := os.ReadDir(dir); err != nil || len(entries) == 0 {
				t.Skipf("no scripts in %s", dir)
			}
			testscript.Run(t, params(dir))
		})
	}
}

func params(dir string) testscript.Params {
	return testscript.Params{
		Dir:                 dir,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Cmds:                commands(),
		Condition:           condition,
		Setup: func(env *testscript.Env) error {
			env.Setenv("TOTE_STATE", filepath.Join(env.WorkDir, ".tote", "state.db"))
			shipped, err := filepath.Abs(filepath.Join("..", "pipelines"))
			if err != nil {
				return err
			}
			env.Setenv("SHIPPED_PIPELINES", shipped)
			return nil
		},
	}
}
