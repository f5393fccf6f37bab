package cli_test

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/toteworks/tote/cmd/tote/cli"
	"github.com/toteworks/tote/engine/state"
)

// Events that wait for their next attempt are not shown as running or as
// done: their latest run reads "retrying" or "waiting" with the time of the
// next attempt, and a run left "running" by a stopped process reads
// "interrupted".
func TestRunsShowsWaitingEventsAsSuch(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	st, err := state.Open(ctx, path, state.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.Enqueue(ctx, state.NewItem{Pipeline: "p", Trigger: "t", Key: "failing"},
		state.NewItem{Pipeline: "p", Trigger: "t", Key: "waiting"}, state.NewItem{Pipeline: "p", Trigger: "t", Key: "killed"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Claim(ctx, 3, time.Minute); err != nil {
		t.Fatal(err)
	}
	next := now.Add(time.Hour)
	settle := func(item int64, run, key string, status state.RunStatus, lastError string, reset bool) {
		t.Helper()
		err := st.Settle(ctx, state.Settlement{ItemID: item, Outcome: state.ItemPending, NotBefore: next, LastError: lastError, ResetAttempts: reset,
			Run: state.Run{ID: run, Pipeline: "p", Trigger: "t", EventKey: key, ItemID: item, Mode: "run", Status: status, Attempt: 1, StartedAt: now, Error: lastError}})
		if err != nil {
			t.Fatal(err)
		}
	}
	settle(res[0].ID, "1.1", "failing", state.RunFailed, "ShipStation answered 503", false)
	settle(res[1].ID, "2.1", "waiting", state.RunSucceeded, "waiting: SKU-1 unknown to ShipStation", true)
	// A run recorded as started whose process was killed: recovery put
	// its event back.
	if err := st.StartRun(ctx, state.Run{ID: "3.1", Pipeline: "p", Trigger: "t", EventKey: "killed", ItemID: res[2].ID, Mode: "run", Attempt: 1, StartedAt: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecoverRunning(ctx, true); err != nil {
		t.Fatal(err)
	}
	st.Close()

	var out, errOut bytes.Buffer
	env := cli.Env{Stdout: &out, Stderr: &errOut, Now: func() time.Time { return now }, Getenv: func(k string) (string, bool) {
		if k == "TOTE_STATE" {
			return path, true
		}
		return "", false
	}}
	if code := cli.Main(ctx, []string{"runs"}, env); code != 0 {
		t.Fatalf("tote runs exited %d: %s", code, errOut.String())
	}
	for _, want := range []string{
		`(?m)^1\.1 +p +t +failing +retrying \(next 2026-03-04T06:06:07Z\) +0 `,
		`(?m)^2\.1 +p +t +waiting +waiting \(next 2026-03-04T06:06:07Z\) +0 `,
		`(?m)^3\.1 +p +t +killed +interrupted +0 `,
		`Of the pending, 3 ran before and wait to retry\.`,
	} {
		if !regexp.MustCompile(want).MatchString(out.String()) {
			t.Errorf("tote runs lacks %s:\n%s", want, out.String())
		}
	}
	if regexp.MustCompile(`(?m) running `).MatchString(out.String()) {
		t.Errorf("a waiting event is shown as running:\n%s", out.String())
	}
}
