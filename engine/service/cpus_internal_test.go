package service

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/toteworks/tote/engine/affinity"
)

func TestIntakeCPUs(t *testing.T) {
	two, _ := affinity.Parse("0-1")
	four, _ := affinity.Parse("0-3")
	one, _ := affinity.Parse("2")
	for _, tc := range []struct {
		spec    string
		allowed affinity.Set
		want    string // the CPUs, or the error
	}{
		{"auto", two, "1"},
		{"auto", four, "3"},
		{"auto", one, ""},
		{"off", four, ""},
		{"2-3", four, "2-3"},
		{"1", two, "1"},
		{"0-1", two, "-intake-cpus 0-1 leaves the runs no CPU of 0-1"},
		{"5", four, "-intake-cpus 5: this process may use CPUs 0-3 only"},
		{"x", four, `affinity: "x" is not a CPU list such as 3 or 0-2,5`},
	} {
		got, err := IntakeCPUs(tc.spec, tc.allowed)
		text := got.String()
		if err != nil {
			text = err.Error()
		}
		if text != tc.want {
			t.Errorf("IntakeCPUs(%q, %s) = %q, want %q", tc.spec, tc.allowed, text, tc.want)
		}
	}
}

func TestKeepOffWhileDeliveriesArrive(t *testing.T) {
	all, _ := affinity.Parse("0-1")
	intake, _ := affinity.Parse("1")
	clock := &testClock{t: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)}
	advance := func(d time.Duration) { clock.Set(clock.Now().Add(d)) }
	kept := make(chan string, 4)
	k := newKeepOff(nil, all, intake, slog.New(slog.DiscardHandler))
	k.now = clock.Now
	k.keep = func(s affinity.Set) error { kept <- s.String(); return nil }
	tick := make(chan time.Time)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); k.run(ctx, tick) }()

	expect := func(want string) {
		t.Helper()
		select {
		case got := <-kept:
			if got != want {
				t.Fatalf("kept to %s, want %s", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("not kept to %s", want)
		}
	}
	// Nothing changes before a delivery.
	tick <- clock.Now()
	// A delivery keeps this process off the intake's CPU at once.
	k.Delivered("orders", "created", 1, 0, time.Millisecond)
	expect("0")
	// Deliveries that keep coming keep it there.
	advance(keepOffQuiet / 2)
	k.Delivered("orders", "created", 1, 0, time.Millisecond)
	tick <- clock.Now()
	advance(keepOffQuiet / 2)
	tick <- clock.Now()
	// keepOffQuiet without one gives it every CPU again.
	advance(keepOffQuiet / 2)
	tick <- clock.Now()
	expect("0-1")
	// The next sale narrows it again, and stopping widens it.
	k.Delivered("orders", "created", 1, 0, time.Millisecond)
	expect("0")
	cancel()
	<-done
	expect("0-1")
	select {
	case got := <-kept:
		t.Fatalf("kept to %s after the last", got)
	default:
	}
}
