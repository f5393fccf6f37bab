package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/toteworks/tote/cmd/tote/cli"
	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/conntest"
	"github.com/toteworks/tote/connectors/httpconn"
)

const twoWritesPipeline = `
connection "memory" "m" {}

pipeline "p" {
  step "a" {
    action = memory.put
    key    = "a"
    value  = 1
  }
  step "b" {
    action = memory.put
    key    = "b"
    value  = 2
  }
}
`

// tote plan writes its plan to a file as it plans: -out appears only once
// the plan is whole, a failed plan leaves no file, and no temporary file is
// left behind; tote apply reads the saved plan back and makes its writes
// once.
func TestPlanFileIsWholeOrAbsentAndAppliesOnce(t *testing.T) {
	dir := t.TempDir()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where a plan without -out is spooled
	pipelines := filepath.Join(dir, "pipelines")
	if err := os.MkdirAll(pipelines, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pipelines, "main.hcl"), []byte(twoWritesPipeline), 0o644); err != nil {
		t.Fatal(err)
	}
	mem := conntest.NewStore()
	reg := connectors.MustRegistry(httpconn.New, mem.Connector())
	statePath := filepath.Join(dir, "state.db")
	run := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		env := cli.Env{Stdout: &out, Stderr: &errOut, Registry: reg, Getenv: func(k string) (string, bool) {
			if k == "TOTE_STATE" {
				return statePath, true
			}
			return "", false
		}}
		code := cli.Main(context.Background(), args, env)
		return code, out.String() + errOut.String()
	}
	leftovers := func() []string {
		var found []string
		for _, d := range []string{dir, tmp} {
			entries, _ := os.ReadDir(d)
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), ".tote-plan-") {
					found = append(found, filepath.Join(d, e.Name()))
				}
			}
		}
		return found
	}

	if code, out := run("plan", "-dir", pipelines); code != 0 || !strings.Contains(out, "Plan: 2 to create") {
		t.Fatalf("tote plan: exit %d\n%s", code, out)
	}
	failed := filepath.Join(dir, "failed.json")
	if code, out := run("plan", "-dir", pipelines, "-pipeline", "nosuch", "-out", failed); code != 1 || !strings.Contains(out, `no pipeline "nosuch"`) {
		t.Fatalf("a plan of an unknown pipeline: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(failed); !os.IsNotExist(err) {
		t.Errorf("a failed plan left %s: %v", failed, err)
	}
	planFile := filepath.Join(dir, "plan.json")
	if code, out := run("plan", "-dir", pipelines, "-out", planFile); code != 0 || !strings.Contains(out, "Saved the plan to "+planFile) {
		t.Fatalf("tote plan -out: exit %d\n%s", code, out)
	}
	if fi, err := os.Stat(planFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the saved plan: %v, %v", fi, err)
	}
	if l := leftovers(); len(l) > 0 {
		t.Errorf("temporary plan files left: %v", l)
	}

	if code, out := run("apply", "-dir", pipelines, planFile); code != 0 || !strings.Contains(out, "2 writes made") {
		t.Fatalf("tote apply PLANFILE: exit %d\n%s", code, out)
	}
	if w := mem.Writes(); len(w) != 2 {
		t.Fatalf("the store holds %d writes, want 2: %+v", len(w), w)
	}
	if code, out := run("show", "-json", planFile); code != 0 || !strings.Contains(out, `"create": 2`) {
		t.Fatalf("tote show -json: exit %d\n%s", code, out)
	}
}
