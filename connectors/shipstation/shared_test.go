package shipstation

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A shared read answers every caller within its ttl once; a failed read
// is not kept, and forget makes the next caller read again.
func TestSharedRead(t *testing.T) {
	now := time.Date(2024, 6, 5, 17, 0, 0, 0, time.UTC)
	s := newSharedRead[int](context.Background(), time.Minute, func() time.Time { return now })
	ctx := context.Background()
	reads := 0
	read := func(context.Context) (int, error) { reads++; return reads, nil }
	fail := func(context.Context) (int, error) { reads++; return 0, errors.New("boom") }
	if _, _, err := s.get(ctx, "k", fail); err == nil {
		t.Fatal("a failed read answered no error")
	}
	for range 3 {
		if v, _, err := s.get(ctx, "k", read); err != nil || v != 2 {
			t.Fatalf("get = %d, %v; want the one read after the failure", v, err)
		}
	}
	now = now.Add(time.Minute)
	if v, _, _ := s.get(ctx, "k", read); v != 3 {
		t.Errorf("after the ttl: %d, want a new read", v)
	}
	s.forget("k")
	if _, _, ok := s.fresh("k"); ok {
		t.Error("fresh after forget")
	}
	if v, _, _ := s.get(ctx, "k", read); v != 4 || reads != 4 {
		t.Errorf("after forget: %d (%d reads)", v, reads)
	}
}
