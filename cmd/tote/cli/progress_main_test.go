package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/toteworks/tote/cmd/tote/cli"
	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/conntest"
)

// Output redirected to a file gets no progress line from plan or apply.
func TestPlanAndApplyQuietOffTerminal(t *testing.T) {
	dir := t.TempDir()
	pipelines := filepath.Join(dir, "pipelines")
	if err := os.MkdirAll(pipelines, 0o755); err != nil {
		t.Fatal(err)
	}
	src := "connection \"memory\" \"m\" {}\npipeline \"p\" {\n  step \"w\" {\n    action = memory.put\n    key    = \"k\"\n    value  = 1\n  }\n}\n"
	if err := os.WriteFile(filepath.Join(pipelines, "main.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	mem := conntest.NewStore()
	reg := connectors.MustRegistry(mem.Connector())
	out, err := os.Create(filepath.Join(dir, "out.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	env := cli.Env{Stdout: out, Stderr: out, Registry: reg, Getenv: func(k string) (string, bool) {
		return filepath.Join(dir, "state.db"), k == "TOTE_STATE"
	}}
	for _, args := range [][]string{{"plan", "-dir", pipelines}, {"apply", "-dir", pipelines, "-auto-approve"}} {
		if code := cli.Main(context.Background(), args, env); code != 0 {
			b, _ := os.ReadFile(out.Name())
			t.Fatalf("%s exited %d:\n%s", args[0], code, b)
		}
	}
	b, err := os.ReadFile(out.Name())
	if err != nil {
		t.Fatal(err)
	}
	if len(mem.Writes()) != 1 {
		t.Fatalf("apply wrote %d times, want 1", len(mem.Writes()))
	}
	if strings.ContainsAny(string(b), "\r") || strings.Contains(string(b), "Planning:") || strings.Contains(string(b), "Applying:") {
		t.Fatalf("progress in redirected output:\n%q", b)
	}
}
