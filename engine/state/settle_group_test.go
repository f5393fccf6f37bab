package state

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// Settlements queued together run as one group of many-row statements,
// and record exactly what each records alone: every outcome, a lost claim
// (only its ledger entries kept), a retry that starts its attempts afresh,
// a run's event, attempts, intents and links. An unknown item among them
// fails alone.
func TestGroupedSettlementsRecordWhatEachRecordsAlone(t *testing.T) {
	backends(t, func(t *testing.T) {
		for _, grouped := range []bool{false, true} {
			t.Run(fmt.Sprintf("grouped=%v", grouped), func(t *testing.T) {
				s, clock := openTest(t)
				ctx := context.Background()
				const n = 6
				var items []NewItem
				for i := range n {
					items = append(items, NewItem{Pipeline: "p", Trigger: "t", Key: fmt.Sprint(i)})
				}
				mustEnqueue(t, s, items...)
				claimed, err := s.Claim(ctx, n, time.Minute)
				if err != nil || len(claimed) != n {
					t.Fatalf("claim = %d items, %v", len(claimed), err)
				}
				clock.Advance(time.Second)
				later := clock.Now().Add(time.Hour)
				sts := make([]Settlement, 0, n+1)
				for i, it := range claimed {
					id := fmt.Sprintf("%d.%d", it.ID, it.Attempts)
					st := Settlement{ItemID: it.ID, Claimed: &claimed[i], Outcome: ItemDone,
						Run:      Run{ID: id, Pipeline: "p", Trigger: "t", ItemID: it.ID, Status: RunSucceeded, Attempt: 1, StartedAt: clock.Now()},
						Attempts: []StepAttempt{{RunID: id, Step: "step.w", Attempt: 1, Status: "succeeded", StartedAt: clock.Now(), FinishedAt: clock.Now()}},
						Intents:  []Intent{{Key: "k" + id, RunID: id, Step: "step.w", Status: IntentDone, Output: []byte(`"out"`)}},
						Links:    []Link{{Namespace: "ns", Key: "l" + id, Value: id}}}
					switch i {
					case 1:
						st.Outcome, st.NotBefore, st.LastError = ItemPending, later, "try again"
						st.Run.Status, st.Run.Error = RunFailed, "boom"
					case 2:
						st.Outcome, st.NotBefore, st.LastError, st.ResetAttempts = ItemPending, later, "waiting", true
					case 3:
						st.Outcome, st.LastError, st.Event = ItemDead, "gave up", []byte(`{"resolved":true}`)
					case 4:
						st.Outcome, st.LastError = ItemParked, "unknown outcome"
					}
					sts = append(sts, st)
				}
				// Item 5 is claimed again by someone else: its settlement is stale.
				if _, err := s.RecoverRunning(ctx, true); err != nil {
					t.Fatal(err)
				}
				if _, err := s.Claim(ctx, n, time.Minute); err != nil {
					t.Fatal(err)
				}
				// The others' attempts were claimed again too: settle them under
				// their new claims, item 5 under its old one.
				for i := range n - 1 {
					it := mustItem(t, s, claimed[i].ID)
					sts[i].Claimed = &it
				}
				sts = append(sts, Settlement{ItemID: 999, Outcome: ItemDone}) // no such item

				errs := make([]error, len(sts))
				if grouped {
					release, gateDone := gate(t, s)
					var wg sync.WaitGroup
					for i := range sts {
						wg.Add(1)
						go func() { defer wg.Done(); errs[i] = s.Settle(ctx, sts[i]) }()
					}
					for len(s.w.reqs) < len(sts) {
						runtime.Gosched() // until every settlement is queued behind the gate
					}
					release()
					wg.Wait()
					<-gateDone
					if s.w.grouped < n {
						t.Fatalf("%d settlements ran grouped, want at least %d", s.w.grouped, n)
					}
				} else {
					for i := range sts {
						errs[i] = s.Settle(ctx, sts[i])
					}
				}
				for i, err := range errs {
					switch {
					case i == 5 && !errors.Is(err, ErrClaimLost):
						t.Errorf("stale settlement = %v, want ErrClaimLost", err)
					case i == 6 && !errors.Is(err, ErrNotFound):
						t.Errorf("settlement of an unknown item = %v, want ErrNotFound", err)
					case i < 5 && err != nil:
						t.Errorf("settlement %d = %v", i, err)
					}
				}
				want := []struct {
					status     ItemStatus
					runID      string
					lastError  string
					attempts   int
					generation int
					notBefore  bool // moved to later
				}{
					{ItemDone, sts[0].Run.ID, "", 2, 1, false},
					{ItemPending, "", "try again", 2, 1, true},
					{ItemPending, "", "waiting", 0, 2, true},
					{ItemDead, sts[3].Run.ID, "gave up", 2, 1, false},
					{ItemParked, sts[4].Run.ID, "unknown outcome", 2, 1, false},
					{ItemRunning, "", "", 2, 1, false},
				}
				for i, w := range want {
					it := mustItem(t, s, claimed[i].ID)
					if it.Status != w.status || it.RunID != w.runID || it.LastError != w.lastError || it.Attempts != w.attempts ||
						it.Generation != w.generation || it.NotBefore.Equal(later) != w.notBefore || (w.status != ItemRunning && !it.LeaseUntil.IsZero()) {
						t.Errorf("item %d = %s run %q error %q attempts %d generation %d not before %s lease %s; want %+v",
							i, it.Status, it.RunID, it.LastError, it.Attempts, it.Generation, it.NotBefore, it.LeaseUntil, w)
					}
				}
				for i, st := range sts[:n] {
					r, attempts, err := s.Run(ctx, st.Run.ID)
					if i == 5 {
						if !errors.Is(err, ErrNotFound) {
							t.Errorf("run of the stale settlement = %v, want none", err)
						}
					} else if err != nil || r.Status != st.Run.Status || r.Error != st.Run.Error || r.ItemID != st.ItemID || len(attempts) != 1 {
						t.Errorf("run %d = %+v, %d attempts, %v", i, r, len(attempts), err)
					}
					if in, found, err := s.Intent(ctx, st.Intents[0].Key); err != nil || !found || in.Status != IntentDone {
						t.Errorf("intent of settlement %d = %+v, %v, %v; want done", i, in, found, err)
					}
					if links, err := s.LinksByKey(ctx, []string{st.Links[0].Key}, nil); err != nil || len(links) != 1 {
						t.Errorf("link of settlement %d = %+v, %v", i, links, err)
					}
				}
				if ev, err := s.RunEvent(ctx, sts[3].Run.ID); err != nil || string(ev) != `{"resolved":true}` {
					t.Errorf("event of run 3 = %s, %v", ev, err)
				}
			})
		}
	})
}

// TestLastOfEachKeepsTheLastOfEachKey covers both ways lastOfEach finds
// duplicates: pairwise for a few elements, in a map for more.
func TestLastOfEachKeepsTheLastOfEachKey(t *testing.T) {
	key := func(s *string) byte { return (*s)[0] }
	for _, tc := range []struct{ in, want []string }{
		{[]string{"a1", "b1", "a2"}, []string{"b1", "a2"}},
		{[]string{"a1", "b1", "c1"}, []string{"a1", "b1", "c1"}},
		{[]string{"a1", "b1", "c1", "d1", "e1", "f1", "g1", "h1", "i1", "b2"}, []string{"a1", "c1", "d1", "e1", "f1", "g1", "h1", "i1", "b2"}},
		{[]string{"a1", "b1", "c1", "d1", "e1", "f1", "g1", "h1", "i1", "j1"}, []string{"a1", "b1", "c1", "d1", "e1", "f1", "g1", "h1", "i1", "j1"}},
	} {
		if got := lastOfEach(slices.Clone(tc.in), key); !slices.Equal(got, tc.want) {
			t.Errorf("lastOfEach(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
