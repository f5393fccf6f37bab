package state

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const day = 24 * time.Hour

// settleNew enqueues one item, claims it and settles it with outcome: a
// run with two step attempts whose error (and the item's payload) carry
// the given personal text. It returns the item's id and run id.
func settleNew(t testing.TB, s *Store, key string, outcome ItemStatus, personal string) (int64, string) {
	t.Helper()
	ctx := context.Background()
	res, err := s.Enqueue(ctx, NewItem{Pipeline: "orders", Trigger: "changed", Key: key,
		Payload: []byte(`{"customer":"` + personal + `","pad":"` + strings.Repeat("x", 300) + `"}`)})
	if err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	id := res[0].ID
	items, err := s.Claim(ctx, 1, time.Minute)
	if err != nil || len(items) != 1 || items[0].ID != id {
		t.Fatalf("Claim: %v %v, want item %d", items, err, id)
	}
	runID := fmt.Sprintf("%d.1.r1", id)
	status := RunSucceeded
	if outcome == ItemDead {
		status = RunDead
	}
	err = s.Settle(ctx, Settlement{
		Run: Run{ID: runID, Pipeline: "orders", Trigger: "changed", EventKey: key, ItemID: id, Mode: "run",
			Status: status, Attempt: 1, Error: "refused for " + personal, StartedAt: s.now()},
		Attempts: []StepAttempt{
			{RunID: runID, Step: "orders", Attempt: 1, Status: "succeeded"},
			{RunID: runID, Step: "upsert", Attempt: 1, Status: "failed", Error: "bad address of " + personal},
		},
		ItemID: id, Outcome: outcome, LastError: "dead for " + personal,
	})
	if err != nil {
		t.Fatalf("Settle: %v", err)
	}
	return id, runID
}

func closedIntent(t testing.TB, s *Store, key string, status IntentStatus, personal string) {
	t.Helper()
	ctx := context.Background()
	if err := s.OpenIntent(ctx, Intent{Key: key, RunID: "r", Pipeline: "orders", Step: "step.upsert", Action: "upsert_order"}); err != nil {
		t.Fatalf("OpenIntent: %v", err)
	}
	if status == IntentPending {
		return
	}
	if err := s.CloseIntent(ctx, key, status, []byte(`{"email":"`+personal+`"}`), ""); err != nil {
		t.Fatalf("CloseIntent: %v", err)
	}
}

func itemExists(t *testing.T, s *Store, id int64) bool {
	t.Helper()
	_, err := s.Item(context.Background(), id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

func runExists(t *testing.T, s *Store, id string) bool {
	t.Helper()
	_, _, err := s.Run(context.Background(), id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

func intentExists(t *testing.T, s *Store, key string) bool {
	t.Helper()
	_, ok, err := s.Intent(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func countRows(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.queryRow(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// countAttempts counts the step attempts kept, in step_attempts and in the
// runs' own rows.
func countAttempts(t *testing.T, s *Store) int {
	t.Helper()
	n := countRows(t, s, "step_attempts")
	rows, err := s.queryRows(context.Background(), `SELECT steps FROM runs WHERE steps IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var steps []byte
		if err := rows.Scan(&steps); err != nil {
			t.Fatal(err)
		}
		var list []json.RawMessage
		if err := json.Unmarshal(steps, &list); err != nil {
			t.Fatalf("runs.steps %q: %v", steps, err)
		}
		n += len(list)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPruneKeepsWhatMatters(t *testing.T) {
	backends(t, func(t *testing.T) {
		ctx := context.Background()
		s, clock := openTest(t)

		// 100 days ago.
		oldIntentDone := "intent-done-100d"
		closedIntent(t, s, oldIntentDone, IntentDone, "a@example.com")
		oldIntentFailed := "intent-failed-100d"
		closedIntent(t, s, oldIntentFailed, IntentFailed, "b@example.com")
		oldIntentPending := "intent-pending-100d"
		closedIntent(t, s, oldIntentPending, IntentPending, "")
		clock.Advance(50 * day)

		// 50 days ago.
		oldDone, oldDoneRun := settleNew(t, s, "done-50d", ItemDone, "c@example.com")
		oldDead, oldDeadRun := settleNew(t, s, "dead-50d", ItemDead, "d@example.com")
		requeued, requeuedRun := settleNew(t, s, "requeued-50d", ItemDead, "e@example.com")
		if err := s.Requeue(ctx, requeued); err != nil {
			t.Fatal(err)
		}
		superseded := mustEnqueue(t, s, NewItem{Pipeline: "orders", Trigger: "tick", Key: "t1", Overlap: OverlapLatest})[0].ID
		mustEnqueue(t, s, NewItem{Pipeline: "orders", Trigger: "tick", Key: "t2", Overlap: OverlapLatest})
		applyRun := "apply-50d"
		if err := s.StartRun(ctx, Run{ID: applyRun, Pipeline: "orders", Mode: "apply"}); err != nil {
			t.Fatal(err)
		}
		if err := s.FinishRun(ctx, applyRun, RunDead, 0, "refused"); err != nil {
			t.Fatal(err)
		}
		midIntent := "intent-done-50d"
		closedIntent(t, s, midIntent, IntentDone, "f@example.com")
		clock.Advance(10 * day)
		// The requeued item ran again 40 days ago and failed a first attempt.
		items, err := s.Claim(ctx, 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		var rerun string
		for _, it := range items {
			if it.ID == requeued {
				rerun = fmt.Sprintf("%d.1.r2", it.ID)
				if err := s.Settle(ctx, Settlement{Run: Run{ID: rerun, Pipeline: "orders", ItemID: it.ID, Status: RunFailed, StartedAt: clock.Now()},
					ItemID: it.ID, Outcome: ItemPending, NotBefore: clock.Now().Add(60 * day)}); err != nil {
					t.Fatal(err)
				}
			} else if err := s.Settle(ctx, Settlement{ItemID: it.ID, Outcome: ItemDone}); err != nil {
				t.Fatal(err)
			}
		}
		if rerun == "" {
			t.Fatal("the requeued item was not claimed")
		}
		clock.Advance(39 * day)

		// A day ago.
		newDone, newDoneRun := settleNew(t, s, "done-1d", ItemDone, "g@example.com")
		newIntent := "intent-done-1d"
		closedIntent(t, s, newIntent, IntentDone, "h@example.com")
		clock.Advance(day)

		dry, err := s.Prune(ctx, Retention{DryRun: true})
		if err != nil {
			t.Fatalf("Prune dry run: %v", err)
		}
		before := [4]int{countRows(t, s, "inbox"), countRows(t, s, "runs"), countAttempts(t, s), countRows(t, s, "intents")}
		got, err := s.Prune(ctx, Retention{Batch: 2})
		if err != nil {
			t.Fatalf("Prune: %v", err)
		}
		// Gone: the done item (50 d), the superseded tick, the tick item that
		// was claimed and done 40 days ago; runs of the done item, of the
		// requeued item (both attempts: it is no longer dead) and the apply
		// run; the intents closed 100 days ago.
		want := PruneResult{Items: 3, Runs: 4, Attempts: 4, Intents: 2}
		if got != want {
			t.Errorf("Prune = %+v, want %+v", got, want)
		}
		if dry != want {
			t.Errorf("dry run = %+v, want %+v", dry, want)
		}
		after := [4]int{countRows(t, s, "inbox"), countRows(t, s, "runs"), countAttempts(t, s), countRows(t, s, "intents")}
		if removed := [4]int{before[0] - after[0], before[1] - after[1], before[2] - after[2], before[3] - after[3]}; removed != [4]int{want.Items, want.Runs, want.Attempts, want.Intents} {
			t.Errorf("rows removed (inbox, runs, attempts, intents) = %v, want %+v", removed, want)
		}

		for _, c := range []struct {
			name string
			id   int64
			keep bool
		}{
			{"done 50 days ago", oldDone, false},
			{"superseded 50 days ago", superseded, false},
			{"dead 50 days ago", oldDead, true},
			{"requeued, pending", requeued, true},
			{"done a day ago", newDone, true},
		} {
			if got := itemExists(t, s, c.id); got != c.keep {
				t.Errorf("item %s: kept = %v, want %v", c.name, got, c.keep)
			}
		}
		for _, c := range []struct {
			name, id string
			keep     bool
		}{
			{"of the item done 50 days ago", oldDoneRun, false},
			{"of the dead item", oldDeadRun, true},
			{"of the requeued item, before", requeuedRun, false},
			{"of the requeued item, 40 days ago", rerun, false},
			{"of an apply 50 days ago", applyRun, false},
			{"of a day ago", newDoneRun, true},
		} {
			if got := runExists(t, s, c.id); got != c.keep {
				t.Errorf("run %s: kept = %v, want %v", c.name, got, c.keep)
			}
		}
		if _, attempts, _ := s.Run(ctx, oldDeadRun); len(attempts) != 2 {
			t.Errorf("the dead item's run kept %d step attempts, want 2", len(attempts))
		}
		for _, c := range []struct {
			key  string
			keep bool
		}{
			{oldIntentDone, false}, {oldIntentFailed, false}, {oldIntentPending, true}, {midIntent, true}, {newIntent, true},
		} {
			if got := intentExists(t, s, c.key); got != c.keep {
				t.Errorf("intent %s: kept = %v, want %v", c.key, got, c.keep)
			}
		}

		// A second prune finds nothing more.
		if again, err := s.Prune(ctx, Retention{}); err != nil || again != (PruneResult{}) {
			t.Errorf("second Prune = %+v, %v; want nothing", again, err)
		}
	})
}

func TestPruneNeverReusesItemNumbers(t *testing.T) {
	backends(t, func(t *testing.T) {
		ctx := context.Background()
		s, clock := openTest(t)
		first, _ := settleNew(t, s, "a", ItemDone, "")
		last, _ := settleNew(t, s, "b", ItemDone, "")
		clock.Advance(40 * day)
		res, err := s.Prune(ctx, Retention{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Items != 1 || itemExists(t, s, first) || !itemExists(t, s, last) {
			t.Fatalf("Prune removed %d items; want only item %d, the newest (%d) kept", res.Items, first, last)
		}
		next, _ := settleNew(t, s, "c", ItemDone, "")
		if next <= last {
			t.Errorf("a new item got number %d, not after %d", next, last)
		}
	})
}

func TestPruneRefusesIntentsShorterThanRecords(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		closedIntent(t, s, "k", IntentDone, "")
		_, err := s.Prune(context.Background(), Retention{Records: 40 * day, Intents: 30 * day})
		if err == nil || !strings.Contains(err.Error(), "shorter") {
			t.Fatalf("Prune with intents kept shorter than runs: %v, want a refusal", err)
		}
	})
}

// TestPruneErasesPersonalData reads the state file's bytes: what pruning
// removed must not linger in freed pages.
//
// SQLite only: on PostgreSQL, deleting is deleting and VACUUM reclaims the space
// (see Prune).
func TestPruneErasesPersonalData(t *testing.T) {
	ctx := context.Background()
	clock := newTestClock()
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(ctx, path, WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	var gone, kept []string
	for i := range 120 {
		email := fmt.Sprintf("customer%03d@example.org", i)
		if i%10 == 0 {
			settleNew(t, s, email, ItemDead, email) // kept: a person must see it
			kept = append(kept, email)
			continue
		}
		settleNew(t, s, email, ItemDone, email)
		closedIntent(t, s, "intent-"+email, IntentDone, email)
		gone = append(gone, email)
	}
	settleNew(t, s, "newest", ItemDone, "newest@example.org")
	clock.Advance(100 * day)
	res, err := s.Prune(ctx, Retention{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Items != len(gone) || res.Intents != len(gone) {
		t.Fatalf("Prune = %+v, want %d items and intents", res, len(gone))
	}
	if err := s.Close(); err != nil { // checkpoints the WAL into the file
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if wal, err := os.ReadFile(path + "-wal"); err == nil {
		data = append(data, wal...)
	}
	for _, email := range gone {
		if bytes.Contains(data, []byte(email)) {
			t.Errorf("%s is still in the state file after its rows were pruned", email)
		}
	}
	for _, email := range kept {
		if !bytes.Contains(data, []byte(email)) {
			t.Errorf("%s (a dead item) is not in the state file", email)
		}
	}
}

// TestPruneKeepsTheFileFlat is a soak: days of synthetic traffic on an
// injected clock, pruned every hour. Once the longest retention period
// has passed, freed pages are reused and the file stops growing.
//
// SQLite only: it measures the pages of the file.
func TestPruneKeepsTheFileFlat(t *testing.T) {
	ctx := context.Background()
	s, clock := openTest(t)
	const (
		days    = 14
		perHour = 8
	)
	ret := Retention{Records: 2 * day, Intents: 4 * day, Batch: 50}
	warm := 5 // days: the intents' retention, and one more
	var pages []int64
	seq := 0
	for d := range days {
		for range 24 {
			items := make([]NewItem, perHour)
			for i := range items {
				seq++
				items[i] = NewItem{Pipeline: "orders", Trigger: "changed", Key: fmt.Sprint("event-", seq),
					Payload: []byte(fmt.Sprintf(`{"order":%d,"customer":"c%d@example.org","lines":"%s"}`, seq, seq, strings.Repeat("l", 100+seq*7919%1500)))}
			}
			mustEnqueue(t, s, items...)
			claimed, err := s.Claim(ctx, perHour, time.Minute)
			if err != nil || len(claimed) != perHour {
				t.Fatalf("Claim: %d items, %v", len(claimed), err)
			}
			errs := make(chan error, perHour)
			for _, it := range claimed {
				go func() { errs <- settleSoak(ctx, s, it, clock.Now()) }()
			}
			for range claimed {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
			}
			clock.Advance(time.Hour)
			if _, err := s.Prune(ctx, ret); err != nil {
				t.Fatalf("Prune: %v", err)
			}
		}
		z, err := s.Size(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, z.Pages)
		t.Logf("day %2d: %d pages, %d free", d+1, z.Pages, z.FreePages)
	}
	base := pages[warm-1]
	for d := warm; d < days; d++ {
		if pages[d] > base+base/20 {
			t.Errorf("day %d: %d pages, more than 5%% over the %d of day %d: freed pages are not reused", d+1, pages[d], base, warm)
		}
	}
	// Everything still in the file is within its retention period.
	if n := countRows(t, s, "inbox"); n > (2*24+1)*perHour {
		t.Errorf("%d inbox items kept, want at most two days' worth", n)
	}
}

// settleSoak runs one item as a worker would: two writes through the
// ledger, then the settlement with its run and step attempts.
func settleSoak(ctx context.Context, s *Store, it Item, now time.Time) error {
	runID := fmt.Sprintf("%d.%d.r%d", it.ID, it.Attempts, it.Generation)
	for _, step := range []string{"upsert", "notify"} {
		key := fmt.Sprintf("%s:%d", step, it.ID)
		if err := s.OpenIntent(ctx, Intent{Key: key, RunID: runID, Pipeline: it.Pipeline, Step: step}); err != nil {
			return err
		}
		if err := s.CloseIntent(ctx, key, IntentDone, it.Payload[:80], ""); err != nil {
			return err
		}
	}
	return s.Settle(ctx, Settlement{
		Run: Run{ID: runID, Pipeline: it.Pipeline, Trigger: it.Trigger, EventKey: it.Key, ItemID: it.ID, Status: RunSucceeded, StartedAt: now},
		Attempts: []StepAttempt{
			{RunID: runID, Step: "upsert", Attempt: 1, Status: "succeeded", StartedAt: now, FinishedAt: now},
			{RunID: runID, Step: "notify", Attempt: 1, Status: "succeeded", StartedAt: now, FinishedAt: now},
		},
		ItemID: it.ID, Outcome: ItemDone,
	})
}

func TestPruneKeepsIntentsAsLongAsRecordsByDefault(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		closedIntent(t, s, "k", IntentDone, "")
		clock.Advance(100 * day)
		res, err := s.Prune(context.Background(), Retention{Records: 120 * day})
		if err != nil || res.Intents != 0 || !intentExists(t, s, "k") {
			t.Fatalf("Prune keeping records 120 days removed %d intents of 100 days (%v); want them kept as long", res.Intents, err)
		}
	})
}
