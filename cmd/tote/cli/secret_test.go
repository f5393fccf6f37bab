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

const secretValue = "s3cr3t-VALUE-9f8e7d"

const secretPipeline = `
variable "note" {
  type      = string
  default   = "not secret"
}

connection "memory" "m" {
  token = secret("TOTE_TEST_TOKEN")
}

pipeline "p" {
  step "store" {
    action = memory.put
    key    = "plain"
    value  = { token = secret("TOTE_TEST_TOKEN"), note = var.note }
  }
  step "echo" {
    action = memory.put
    key    = "k-${secret("TOTE_TEST_TOKEN")}"
    value  = 1
  }
}
`

// A secret's value never appears in plan output (human or JSON), saved
// plans, error messages, or the state file.
func TestSecretsNeverLeak(t *testing.T) {
	dir := t.TempDir()
	pipelines := filepath.Join(dir, "pipelines")
	if err := os.MkdirAll(pipelines, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pipelines, "main.hcl"), []byte(secretPipeline), 0o644); err != nil {
		t.Fatal(err)
	}
	mem := conntest.NewStore()
	reg := connectors.MustRegistry(httpconn.New, mem.Connector())
	statePath := filepath.Join(dir, "state", "state.db")
	var all bytes.Buffer
	runCLI := func(args ...string) int {
		var out, errOut bytes.Buffer
		env := cli.Env{Stdout: &out, Stderr: &errOut, Registry: reg, Getenv: func(k string) (string, bool) {
			switch k {
			case "TOTE_TEST_TOKEN":
				return secretValue, true
			case "TOTE_STATE":
				return statePath, true
			}
			return "", false
		}}
		code := cli.Main(context.Background(), args, env)
		all.Write(out.Bytes())
		all.Write(errOut.Bytes())
		return code
	}

	planFile := filepath.Join(dir, "plan.json")
	if code := runCLI("plan", "-dir", pipelines, "-out", planFile); code != 0 {
		t.Fatalf("plan exited %d:\n%s", code, all.String())
	}
	if !strings.Contains(all.String(), "(sensitive value)") {
		t.Fatalf("plan output does not show the secret as (sensitive value):\n%s", all.String())
	}
	if code := runCLI("plan", "-dir", pipelines, "-json"); code != 0 {
		t.Fatalf("plan -json exited %d", code)
	}
	// The target rejects the write whose key holds the secret, quoting the
	// key in its error: the message must come out redacted.
	mem.SetFaults(conntest.Faults{PermanentWrites: true})
	if code := runCLI("apply", "-dir", pipelines, planFile); code == 0 {
		t.Fatal("apply should report the rejected writes")
	}
	if !strings.Contains(all.String(), "memory: (sensitive value) rejected") {
		t.Fatalf("the rejection is not reported with the secret redacted:\n%s", all.String())
	}
	if code := runCLI("runs", "list"); code != 0 {
		t.Fatalf("runs list exited %d", code)
	}

	if strings.Contains(all.String(), secretValue) {
		t.Fatalf("a secret appeared in the output:\n%s", all.String())
	}
	saved, err := os.ReadFile(planFile)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(saved, []byte(secretValue)) {
		t.Fatal("the saved plan holds the secret")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "state", "*"))
	if len(files) == 0 {
		t.Fatal("no state written")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(secretValue)) {
			t.Fatalf("%s holds the secret", filepath.Base(f))
		}
	}
}
