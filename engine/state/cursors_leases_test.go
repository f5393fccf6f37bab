package state

import (
	"context"
	"testing"
	"time"
)

func TestCursors(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		ctx := context.Background()
		if _, ok, err := s.Cursor(ctx, "orders.sweep"); err != nil || ok {
			t.Fatalf("unset cursor: %v, %v", ok, err)
		}
		for _, v := range []string{"2025-03-01T00:00:00Z", "2025-03-01T00:05:00Z"} {
			if err := s.SetCursor(ctx, "orders.sweep", v); err != nil {
				t.Fatal(err)
			}
			if got, ok, err := s.Cursor(ctx, "orders.sweep"); err != nil || !ok || got != v {
				t.Errorf("Cursor = %q, %v, %v; want %q", got, ok, err, v)
			}
		}
		if err := s.SetCursor(ctx, "", "x"); err == nil {
			t.Error("SetCursor with an empty name succeeded")
		}
		if err := s.SetCursor(ctx, "tracking.sweep", "t"); err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second time, there is nothing to delete
			if err := s.DeleteCursor(ctx, "orders.sweep"); err != nil {
				t.Fatal(err)
			}
			if _, ok, err := s.Cursor(ctx, "orders.sweep"); err != nil || ok {
				t.Errorf("deleted cursor: %v, %v", ok, err)
			}
		}
		if got, ok, err := s.Cursor(ctx, "tracking.sweep"); err != nil || !ok || got != "t" {
			t.Errorf("the other cursor = %q, %v, %v; want it kept", got, ok, err)
		}
	})
}

func TestLeases(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, clock := openTest(t)
		ctx := context.Background()
		acquire := func(holder string, want bool) {
			t.Helper()
			got, err := s.AcquireLease(ctx, "run", holder, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("AcquireLease(%s) = %v, want %v", holder, got, want)
			}
		}
		acquire("a", true)
		acquire("b", false)
		clock.Advance(50 * time.Second)
		acquire("a", true) // renews until t+110s
		clock.Advance(50 * time.Second)
		acquire("b", false) // a's renewed lease is still valid
		clock.Advance(10 * time.Second)
		acquire("b", true) // expired exactly now
		acquire("a", false)

		if err := s.ReleaseLease(ctx, "run", "a"); err != nil { // not a's: no effect
			t.Fatal(err)
		}
		acquire("a", false)
		if err := s.ReleaseLease(ctx, "run", "b"); err != nil {
			t.Fatal(err)
		}
		acquire("a", true)

		if _, err := s.AcquireLease(ctx, "run", "a", 0); err == nil {
			t.Error("AcquireLease with ttl 0 succeeded")
		}
	})
}
