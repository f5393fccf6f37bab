package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/plan"
)

// runCLI runs tote in-process and returns its exit status and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut strings.Builder
	env := Env{Stdout: &out, Stderr: &errOut, Getenv: func(string) (string, bool) { return "", false }}
	code := Main(context.Background(), args, env)
	return code, out.String(), errOut.String()
}

func TestEveryCommandsHelpExitsZeroOnStdout(t *testing.T) {
	for _, c := range commands() {
		for _, flag := range []string{"-h", "--help", "-help"} {
			code, out, errOut := runCLI(t, c.name, flag)
			if code != exitOK {
				t.Errorf("tote %s %s exited %d, want 0; stderr:\n%s", c.name, flag, code, errOut)
			}
			if !strings.Contains(out, "Usage: tote "+c.name) {
				t.Errorf("tote %s %s printed no usage line on stdout:\n%s", c.name, flag, out)
			}
		}
	}
	// A help flag after "--" is an argument, not a request for help.
	if code, _, _ := runCLI(t, "show", "--", "-h"); code == exitOK {
		t.Error("tote show -- -h exited 0: -h after -- was taken for help")
	}
}

func TestUnknownCommandSuggestsTheNearestOne(t *testing.T) {
	for typed, want := range map[string]string{"vaildate": `Did you mean "validate"?`, "plna": `Did you mean "plan"?`, "apply2": `Did you mean "apply"?`} {
		code, out, errOut := runCLI(t, typed)
		if code != exitError || out != "" {
			t.Errorf("tote %s: exit %d, stdout %q; want 1 and nothing", typed, code, out)
		}
		if !strings.Contains(errOut, want) {
			t.Errorf("tote %s said %q, want %q", typed, errOut, want)
		}
	}
	if _, _, errOut := runCLI(t, "zzzzzzzz"); strings.Contains(errOut, "Did you mean") {
		t.Errorf("a name near nothing got a suggestion: %q", errOut)
	}
}

func TestVersionInfo(t *testing.T) {
	rev := []debug.BuildSetting{{Key: "vcs.revision", Value: "0123abc"}, {Key: "vcs.modified", Value: "true"}}
	for _, tc := range []struct {
		name, stamped string
		bi            *debug.BuildInfo
		ok            bool
		ver, rev      string
	}{
		{"no build info", "", nil, false, "devel", "unknown"},
		{"devel build", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true, "devel", "unknown"},
		{"module version", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}, Settings: rev[:1]}, true, "v1.4.0", "0123abc"},
		{"modified tree", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: rev}, true, "devel", "0123abc (modified)"},
		{"stamped", "v2.0.0", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true, "v2.0.0", "unknown"},
	} {
		ver, r := versionInfo(tc.stamped, tc.bi, tc.ok)
		if ver != tc.ver || r != tc.rev {
			t.Errorf("%s: got %q %q, want %q %q", tc.name, ver, r, tc.ver, tc.rev)
		}
	}
	code, out, _ := runCLI(t, "version")
	if code != exitOK || !strings.HasPrefix(out, "tote ") || !strings.Contains(out, "\nrevision ") {
		t.Errorf("tote version: exit %d, %q", code, out)
	}
}

func TestCompletionCoversEveryCommandAndFlag(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, out, errOut := runCLI(t, "completion", shell)
		if code != exitOK {
			t.Fatalf("completion %s: exit %d: %s", shell, code, errOut)
		}
		for _, c := range completionTable(context.Background()) {
			if !strings.Contains(out, c.name) {
				t.Errorf("%s completion lacks command %s", shell, c.name)
			}
			for _, f := range c.flags {
				if !regexp.MustCompile(`[ "(]-` + f + `[ ")]|-o ` + f + `\n`).MatchString(out) {
					t.Errorf("%s completion lacks %s -%s", shell, c.name, f)
				}
			}
		}
		if bin, err := exec.LookPath(shell); err == nil {
			script := filepath.Join(t.TempDir(), "tote."+shell)
			if err := os.WriteFile(script, []byte(out), 0o600); err != nil {
				t.Fatal(err)
			}
			arg := "-n"
			if shell == "fish" {
				arg = "--no-execute"
			}
			if b, err := exec.Command(bin, arg, script).CombinedOutput(); err != nil {
				t.Errorf("%s rejects its completion script: %v\n%s", shell, err, b)
			}
		}
	}
	// The table is read from the commands themselves: plan's flags are there.
	for _, c := range completionTable(context.Background()) {
		if c.name == "plan" && !strings.Contains(strings.Join(c.flags, " "), "detailed-exitcode") {
			t.Errorf("plan's flags are %v", c.flags)
		}
	}
	if code, _, _ := runCLI(t, "completion", "powershell"); code != exitError {
		t.Error("an unknown shell did not fail")
	}
}

func TestShowPrintsASavedPlanAsPlanDid(t *testing.T) {
	p := &plan.Plan{FormatVersion: plan.FormatVersion, CreatedAt: time.Unix(0, 0).UTC(), Runs: []*plan.Run{{
		Pipeline: "orders", Trigger: "sweep",
		Changes: []*plan.Change{{Address: "step.upsert[\"1\"]", Action: "shipstation.upsert_order", Op: connectors.OpCreate, Identity: "bc:s:1",
			Fields: []plan.Field{{Path: "orderNumber", After: []byte(`"1"`), Changed: true}}}},
	}}}
	file := filepath.Join(t.TempDir(), "plan.json")
	if err := p.Save(file); err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	renderPlan(&want, p)
	code, out, errOut := runCLI(t, "show", file)
	if code != exitOK || out != want.String() {
		t.Errorf("tote show: exit %d, stderr %q\ngot:\n%s\nwant:\n%s", code, errOut, out, want.String())
	}
	if code, out, _ := runCLI(t, "show", "-json", file); code != exitOK || !strings.Contains(out, `"format_version"`) {
		t.Errorf("tote show -json: exit %d:\n%s", code, out)
	}
	if code, _, errOut := runCLI(t, "show", filepath.Join(t.TempDir(), "missing.json")); code != exitError || !strings.Contains(errOut, "Error: reading the plan") {
		t.Errorf("a missing plan file: exit %d, %q", code, errOut)
	}
}
