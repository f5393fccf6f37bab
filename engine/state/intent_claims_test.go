package state

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A pending intent is its owner's claim: another owner cannot take it over
// while the claim lasts, and can once it has expired (its owner is gone).
func TestOpenIntentRefusesAnotherOwnersLiveClaim(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		if err := s.OpenIntentWith(ctx, Intent{Key: "k", RunID: "a-run", Owner: "a"}, OpenOptions{TTL: time.Minute}); err != nil {
			t.Fatal(err)
		}
		err := s.OpenIntentWith(ctx, Intent{Key: "k", RunID: "b-run", Owner: "b"}, OpenOptions{TTL: time.Minute})
		var claimed *IntentClaimedError
		if !errors.Is(err, ErrIntentClaimed) || !errors.As(err, &claimed) || claimed.Owner != "a" || !claimed.Until.Equal(clock.Now().Add(time.Minute)) {
			t.Fatalf("open by b = %v, want ErrIntentClaimed naming a", err)
		}
		if in, _, _ := s.Intent(ctx, "k"); in.Owner != "a" || in.RunID != "a-run" {
			t.Fatalf("intent after b's refused open: %+v", in)
		}
		// The owner itself may open it again (a retry of its own write).
		if err := s.OpenIntentWith(ctx, Intent{Key: "k", RunID: "a-run2", Owner: "a"}, OpenOptions{TTL: time.Minute}); err != nil {
			t.Fatalf("open by a again: %v", err)
		}
		clock.Advance(time.Minute)
		if err := s.OpenIntentWith(ctx, Intent{Key: "k", RunID: "b-run", Owner: "b"}, OpenOptions{}); err != nil {
			t.Fatalf("open by b after a's claim expired: %v", err)
		}
		if in, _, _ := s.Intent(ctx, "k"); in.Owner != "b" {
			t.Fatalf("owner = %q, want b", in.Owner)
		}
		// A closed intent is nobody's claim.
		if err := s.CloseIntent(ctx, "k", IntentDone, nil, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.OpenIntentWith(ctx, Intent{Key: "k", Owner: "a"}, OpenOptions{}); err != nil {
			t.Fatalf("open of a done intent by a: %v", err)
		}
	})
}

// With Compare, an open fails when the intent changed after the caller read
// it: another writer made the write the caller planned on stale facts.
func TestOpenIntentCompareRefusesAChangedIntent(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		// b read "no intent", then a opened and closed it.
		if err := s.OpenIntentWith(ctx, Intent{Key: "k", Owner: "a"}, OpenOptions{Compare: true}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Millisecond)
		if err := s.CloseIntent(ctx, "k", IntentDone, nil, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.OpenIntentWith(ctx, Intent{Key: "k", Owner: "b"}, OpenOptions{Compare: true}); !errors.Is(err, ErrIntentChanged) {
			t.Fatalf("open against an absent intent that now exists = %v, want ErrIntentChanged", err)
		}
		seen, _, _ := s.Intent(ctx, "k")
		clock.Advance(time.Millisecond)
		if err := s.OpenIntentWith(ctx, Intent{Key: "k", Owner: "a"}, OpenOptions{}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Millisecond)
		if err := s.CloseIntent(ctx, "k", IntentDone, nil, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.OpenIntentWith(ctx, Intent{Key: "k", Owner: "b"}, OpenOptions{Compare: true, Seen: &seen}); !errors.Is(err, ErrIntentChanged) {
			t.Fatalf("open against a stale view = %v, want ErrIntentChanged", err)
		}
		seen, _, _ = s.Intent(ctx, "k")
		if err := s.OpenIntentWith(ctx, Intent{Key: "k", Owner: "b"}, OpenOptions{Compare: true, Seen: &seen}); err != nil {
			t.Fatalf("open against the current view: %v", err)
		}
	})
}

// An intent whose outcome is unknown is opened by nobody until released.
func TestUnknownIntentIsHeldUntilReleased(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		ctx := context.Background()
		if err := s.StartRun(ctx, Run{ID: "7.1", Pipeline: "p", ItemID: 7, Status: RunRunning}); err != nil {
			t.Fatal(err)
		}
		if err := s.OpenIntent(ctx, Intent{Key: "k", RunID: "7.1", Owner: "a"}); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.MarkIntentUnknown(ctx, "k", "connection lost after the message was sent"); err != nil || !ok {
			t.Fatalf("MarkIntentUnknown = %v, %v", ok, err)
		}
		if ok, _ := s.MarkIntentUnknown(ctx, "k", "again"); ok {
			t.Error("an unknown intent was marked again")
		}
		if err := s.OpenIntent(ctx, Intent{Key: "k", Owner: "a"}); !errors.Is(err, ErrIntentUnknown) {
			t.Fatalf("open of an unknown intent = %v, want ErrIntentUnknown", err)
		}
		if ins, err := s.UnknownIntents(ctx, "7.1"); err != nil || len(ins) != 1 {
			t.Fatalf("UnknownIntents = %v, %v", ins, err)
		}
		// Found without its run too: a run killed midway has no record.
		if err := s.OpenIntent(ctx, Intent{Key: "open", RunID: "7.1", Owner: "a"}); err != nil {
			t.Fatal(err)
		}
		if ins, err := s.AllUnknownIntents(ctx); err != nil || len(ins) != 1 || ins[0].Key != "k" {
			t.Fatalf("AllUnknownIntents = %v, %v; want k alone", ins, err)
		}
		if n, err := s.ReleaseUnknownIntents(ctx, 7); err != nil || n != 1 {
			t.Fatalf("ReleaseUnknownIntents = %d, %v", n, err)
		}
		if err := s.OpenIntent(ctx, Intent{Key: "k", Owner: "a"}); err != nil {
			t.Fatalf("open after release: %v", err)
		}
	})
}

// A write that failed is no longer in flight: its owner releases the claim,
// and another owner may reconcile the pending intent at once.
func TestAReleasedClaimLetsAnotherOwnerOpen(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		ctx := context.Background()
		if err := s.OpenIntentWith(ctx, Intent{Key: "k", Owner: "a"}, OpenOptions{TTL: time.Hour}); err != nil {
			t.Fatal(err)
		}
		if err := s.ReleaseIntentClaim(ctx, "k", "b"); err != nil { // not b's: no effect
			t.Fatal(err)
		}
		if err := s.OpenIntent(ctx, Intent{Key: "k", Owner: "b"}); !errors.Is(err, ErrIntentClaimed) {
			t.Fatalf("open by b = %v, want ErrIntentClaimed", err)
		}
		if err := s.ReleaseIntentClaim(ctx, "k", "a"); err != nil {
			t.Fatal(err)
		}
		if in, _, _ := s.Intent(ctx, "k"); in.Status != IntentPending {
			t.Fatalf("status = %s, want still pending", in.Status)
		}
		if err := s.OpenIntent(ctx, Intent{Key: "k", Owner: "b"}); err != nil {
			t.Fatalf("open by b after a released its claim: %v", err)
		}
	})
}
