package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/plan"
	"github.com/toteworks/tote/engine/state"
)

// dataKeys hold vendor or record data, whose keys are not tote's to name.
var dataKeys = map[string]bool{"event": true, "before": true, "after": true, "payload": true, "cursors": true, "inbox": false}

var snake = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// checkSnake fails on any object key of tote's own that is not snake_case.
func checkSnake(t *testing.T, what string, v any, path string) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if !snake.MatchString(k) {
				t.Errorf("%s: key %q at %s is not snake_case", what, k, path)
			}
			if !dataKeys[k] {
				checkSnake(t, what, x, path+"."+k)
			}
		}
	case []any:
		for _, x := range v {
			checkSnake(t, what, x, path+"[]")
		}
	}
}

func TestEveryJSONOutputIsSnakeCase(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()

	// A state with a run and its attempts.
	stPath := filepath.Join(dir, "state.db")
	st, err := state.Open(ctx, stPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.StartRun(ctx, state.Run{ID: "r1", Pipeline: "orders", Trigger: "sweep", EventKey: "k", Mode: "apply"}); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordAttempts(ctx, state.StepAttempt{RunID: "r1", Step: "step.a", Attempt: 1, Status: "failed", Error: "boom", StartedAt: time.Unix(1, 0), FinishedAt: time.Unix(2, 0)}); err != nil {
		t.Fatal(err)
	}
	if err := st.FinishRun(ctx, "r1", state.RunFailed, 0, "boom"); err != nil {
		t.Fatal(err)
	}
	st.Close()

	// A saved plan with every part filled in.
	p := &plan.Plan{FormatVersion: plan.FormatVersion, ToteVersion: "v1", ConfigHash: "h", CreatedAt: time.Unix(0, 0).UTC(),
		Cursors: map[string]string{"orders.sweep": "c"}, PublicURL: "https://x",
		Subscriptions: []*plan.Subscription{{Connection: "connection.a.b", Op: connectors.OpCreate, Topic: "t", URL: "u", Reason: "r"}},
		Runs: []*plan.Run{{Pipeline: "orders", Trigger: "sweep", EventKey: "k", Event: json.RawMessage(`{"orderId":1}`),
			Reads:   []plan.Read{{Address: "step.r", Action: "a.b", Deferred: true}},
			Changes: []*plan.Change{{Address: "step.w", Action: "a.c", Connection: "connection.a.b", Op: connectors.OpUpdate, Identity: "i", Fingerprint: "f", ArgsDigest: "d", Fields: []plan.Field{{Path: "x", Before: json.RawMessage(`{"aB":1}`), After: json.RawMessage(`2`), Changed: true}}}},
			Errors:  []plan.Failure{{Address: "step.e", Error: "e"}}, Waiting: []plan.Failure{{Address: "step.x", Error: "w"}}}}}
	planFile := filepath.Join(dir, "plan.json")
	if err := p.Save(planFile); err != nil {
		t.Fatal(err)
	}
	pipelines := filepath.Join(dir, "pipelines")
	if err := os.Mkdir(pipelines, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pipelines, "a.hcl"), []byte("pipeline \"p\" {\n  nonsense = 1\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	saved, err := os.ReadFile(planFile)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{"saved plan file": string(saved)}
	for name, args := range map[string][]string{
		"validate -json":   {"validate", "-json", pipelines},
		"connectors -json": {"connectors", "-json"},
		"show -json":       {"show", "-json", planFile},
		"runs list -json":  {"runs", "list", "-json", "-state", stPath},
		"runs show -json":  {"runs", "show", "r1", "-json", "-state", stPath},
	} {
		_, out, errOut := runCLI(t, args...)
		if out == "" {
			t.Errorf("%s printed nothing; stderr %s", name, errOut)
		}
		outputs[name] = out
	}
	for name, out := range outputs {
		var v any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Errorf("%s is not JSON: %v\n%s", name, err, out)
			continue
		}
		checkSnake(t, name, v, "$")
	}
}
