package state

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestIntentOpenClose(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		t0 := clock.Now()
		if _, ok, err := s.Intent(ctx, "k1"); err != nil || ok {
			t.Fatalf("Intent before open = %v, %v", ok, err)
		}
		in := Intent{Key: "k1", RunID: "run-1", Pipeline: "orders", Step: "upsert", Connection: "shipstation.main",
			Action: "upsert_order", Identity: "bc:store:101", Fingerprint: "f1", Status: IntentDone}
		if err := s.OpenIntent(ctx, in); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.Intent(ctx, "k1")
		if err != nil || !ok {
			t.Fatalf("Intent = %v, %v", ok, err)
		}
		want := in
		want.Status, want.CreatedAt, want.UpdatedAt = IntentPending, t0, t0 // the status given is ignored
		want.ClaimUntil = t0.Add(DefaultIntentClaim)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("opened intent (-want +got):\n%s", diff)
		}

		clock.Advance(time.Second)
		link := Link{Namespace: "shipstation_order", Key: "bc:store:101", Value: "94113592"}
		if err := s.CloseIntent(ctx, "k1", IntentDone, []byte(`{"orderId":94113592}`), "", link); err != nil {
			t.Fatal(err)
		}
		got, _, _ = s.Intent(ctx, "k1")
		if got.Status != IntentDone || string(got.Output) != `{"orderId":94113592}` || !got.UpdatedAt.Equal(t0.Add(time.Second)) || !got.CreatedAt.Equal(t0) {
			t.Errorf("closed intent: %+v", got)
		}
		l, ok, err := s.Link(ctx, "shipstation_order", "bc:store:101")
		if err != nil || !ok || l.Value != "94113592" || !l.UpdatedAt.Equal(t0.Add(time.Second)) {
			t.Errorf("link = %+v, %v, %v", l, ok, err)
		}

		// Re-opening clears the previous outcome.
		clock.Advance(time.Second)
		in.RunID = "run-2"
		if err := s.OpenIntent(ctx, in); err != nil {
			t.Fatal(err)
		}
		got, _, _ = s.Intent(ctx, "k1")
		if got.Status != IntentPending || got.Output != nil || got.RunID != "run-2" || !got.CreatedAt.Equal(t0) {
			t.Errorf("re-opened intent: %+v", got)
		}

		if err := s.CloseIntent(ctx, "k1", IntentPending, nil, ""); !errors.Is(err, ErrInvalidStatus) {
			t.Errorf("CloseIntent(pending) = %v, want ErrInvalidStatus", err)
		}
		if err := s.CloseIntent(ctx, "k1", IntentFailed, nil, "422: bad address"); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := s.Intent(ctx, "k1"); got.Status != IntentFailed || got.Error != "422: bad address" {
			t.Errorf("failed intent: %+v", got)
		}
	})
}

func TestCloseUnknownIntentWritesNoLink(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		ctx := context.Background()
		err := s.CloseIntent(ctx, "nope", IntentDone, nil, "", Link{Namespace: "n", Key: "k", Value: "v"})
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("CloseIntent(nope) = %v, want ErrNotFound", err)
		}
		if _, ok, _ := s.Link(ctx, "n", "k"); ok {
			t.Error("link written although the intent was unknown")
		}
	})
}

func TestCloseIntentWithBadLinkKeepsIntentPending(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		ctx := context.Background()
		if err := s.OpenIntent(ctx, Intent{Key: "k"}); err != nil {
			t.Fatal(err)
		}
		err := s.CloseIntent(ctx, "k", IntentDone, nil, "", Link{Namespace: "n", Key: "a", Value: "1"}, Link{Namespace: "", Key: "b"})
		if err == nil {
			t.Fatal("CloseIntent with an invalid link succeeded")
		}
		if in, _, _ := s.Intent(ctx, "k"); in.Status != IntentPending {
			t.Errorf("intent status = %s, want pending (rolled back)", in.Status)
		}
		if _, ok, _ := s.Link(ctx, "n", "a"); ok {
			t.Error("first link written although the close failed")
		}
	})
}

func TestPendingIntentsOldestFirst(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		for _, k := range []string{"c", "a", "b"} {
			if err := s.OpenIntent(ctx, Intent{Key: k}); err != nil {
				t.Fatal(err)
			}
			clock.Advance(time.Second)
		}
		if err := s.CloseIntent(ctx, "a", IntentDone, nil, ""); err != nil {
			t.Fatal(err)
		}
		ins, err := s.PendingIntents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, in := range ins {
			keys = append(keys, in.Key)
		}
		if diff := cmp.Diff([]string{"c", "b"}, keys); diff != "" {
			t.Errorf("pending intents (-want +got):\n%s", diff)
		}
	})
}

func TestPutLinks(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		if err := s.PutLinks(ctx, Link{Namespace: "ss_order", Key: "1", Value: "a"}, Link{Namespace: "ss_order", Key: "2", Value: "b"}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
		if err := s.PutLinks(ctx, Link{Namespace: "ss_order", Key: "1", Value: "c"}); err != nil {
			t.Fatal(err)
		}
		l, ok, err := s.Link(ctx, "ss_order", "1")
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		if diff := cmp.Diff(Link{Namespace: "ss_order", Key: "1", Value: "c", UpdatedAt: clock.Now()}, l); diff != "" {
			t.Errorf("link (-want +got):\n%s", diff)
		}
		if _, ok, _ := s.Link(ctx, "bc_shipment", "1"); ok {
			t.Error("link found in another namespace")
		}
	})
}
