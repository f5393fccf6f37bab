package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/toteworks/tote/cmd/tote/cli"
	"github.com/toteworks/tote/engine/state"
)

// agedState writes a state file whose events finished at then: n done
// items with a run each, one dead item, and a closed intent.
func agedState(t *testing.T, then time.Time, n int) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	st, err := state.Open(ctx, path, state.WithClock(func() time.Time { return then }))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i := range n + 1 {
		res, err := st.Enqueue(ctx, state.NewItem{Pipeline: "orders", Trigger: "changed", Key: strings.Repeat("k", i+1),
			Payload: []byte(`{"email":"someone@example.org"}`)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Claim(ctx, 1, time.Minute); err != nil {
			t.Fatal(err)
		}
		outcome, status := state.ItemDone, state.RunSucceeded
		if i == n {
			outcome, status = state.ItemDead, state.RunDead
		}
		runID := "run-" + strings.Repeat("k", i+1)
		err = st.Settle(ctx, state.Settlement{ItemID: res[0].ID, Outcome: outcome,
			Run:      state.Run{ID: runID, Pipeline: "orders", ItemID: res[0].ID, Status: status, StartedAt: then},
			Attempts: []state.StepAttempt{{RunID: runID, Step: "upsert", Attempt: 1, Status: string(status)}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := st.OpenIntent(ctx, state.Intent{Key: "write-1"}); err != nil {
		t.Fatal(err)
	}
	if err := st.CloseIntent(ctx, "write-1", state.IntentDone, nil, ""); err != nil {
		t.Fatal(err)
	}
	return path
}

func tote(t *testing.T, now time.Time, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.Main(context.Background(), args, cli.Env{Stdout: &stdout, Stderr: &stderr, Now: func() time.Time { return now },
		Getenv: func(string) (string, bool) { return "", false }})
	return code, stdout.String(), stderr.String()
}

func TestStatePrune(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	path := agedState(t, now.Add(-45*24*time.Hour), 4)

	code, out, errOut := tote(t, now, "state", "prune", "-state", path, "-dry-run")
	if code != 0 || !strings.Contains(out, "Would remove 4 inbox items, 4 runs, 4 step attempts and 0 intents.") {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, errOut)
	}
	// The dead item (the newest) stays, and its run with it.
	code, out, errOut = tote(t, now, "state", "prune", "-state", path, "-retain", "40d")
	if code != 0 || !strings.Contains(out, "Removed 4 inbox items, 4 runs, 4 step attempts and 0 intents.") ||
		!strings.Contains(out, "closed intents since 2026-03-03T12:00:00Z") {
		t.Fatalf("prune: exit %d\n%s%s", code, out, errOut)
	}
	// A -retain past the default 90 days of intents takes them along.
	code, out, errOut = tote(t, now, "state", "prune", "-state", path, "-retain", "100d", "-dry-run")
	if code != 0 || !strings.Contains(out, "closed intents since 2026-02-21T12:00:00Z") {
		t.Fatalf("prune -retain 100d: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = tote(t, now, "state", "prune", "-state", path, "-retain", "720h", "-retain-intents", "30d", "-json")
	var got struct {
		DryRun  bool           `json:"dry_run"`
		Removed map[string]int `json:"removed"`
		Size    map[string]int `json:"size"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &got) != nil {
		t.Fatalf("prune -json: exit %d\n%s%s", code, out, errOut)
	}
	if got.Removed["items"] != 0 || got.Removed["intents"] != 1 || got.Size["pages"] == 0 {
		t.Errorf("second prune removed %v (size %v), want only the intent", got.Removed, got.Size)
	}
}

func TestStatePruneMistakes(t *testing.T) {
	now := time.Now()
	path := agedState(t, now, 0)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"state", "prune", "-state", path, "-retain", "90d", "-retain-intents", "30d"}, "shorter than -retain"},
		{[]string{"state", "prune", "-state", path, "-retain", "0"}, "positive duration"},
		{[]string{"state", "prune", "-state", path, "-retain", "a month"}, "30d or 720h"},
		{[]string{"state", "prune", "-state", filepath.Join(t.TempDir(), "none.db")}, "no state at"},
		{[]string{"state", "vacuum"}, "tote state prune"},
	} {
		code, _, errOut := tote(t, now, c.args...)
		if code != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("tote %s: exit %d, stderr %q; want 1 and %q", strings.Join(c.args, " "), code, errOut, c.want)
		}
	}
}
