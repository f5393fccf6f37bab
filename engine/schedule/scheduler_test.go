package schedule

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// guard bounds how long a test waits for the scheduler before declaring a
// hang. It is a failure timeout, never a synchronisation delay.
const guard = 10 * time.Second

// memWatermarks is an in-memory Watermarks that records every save.
type memWatermarks struct {
	mu      sync.Mutex
	marks   map[string]time.Time
	saves   []string // "name@15:04:05"
	loadErr error
	saveErr error
}

func newMemWatermarks(marks map[string]time.Time) *memWatermarks {
	if marks == nil {
		marks = map[string]time.Time{}
	}
	return &memWatermarks{marks: marks}
}

func (m *memWatermarks) Watermark(_ context.Context, name string) (time.Time, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.marks[name]
	return t, ok, m.loadErr
}

func (m *memWatermarks) SetWatermark(_ context.Context, name string, t time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.saveErr != nil {
		return m.saveErr
	}
	m.marks[name] = t
	m.saves = append(m.saves, stamp(name, t))
	return nil
}

func (m *memWatermarks) get(name string) time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.marks[name]
}

func (m *memWatermarks) setSaveErr(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.saveErr = err
}

func (m *memWatermarks) saved() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.saves...)
}

func stamp(name string, t time.Time) string { return name + "@" + t.Format("15:04:05") }

// wait is one call to the scheduler's After.
type wait struct {
	d  time.Duration
	ch chan time.Time
}

// harness runs a Scheduler on a fake clock. The scheduler fires
// synchronously and then calls After, so once the test has received a wait
// every Fire of that round has returned.
type harness struct {
	t      *testing.T
	store  *memWatermarks
	waits  chan wait
	done   chan struct{} // closed when Run has returned runErr
	runErr error
	cancel context.CancelFunc
	logs   *bytes.Buffer // written only by the scheduler before it asks to wait

	mu    sync.Mutex
	now   time.Time
	fires []string
}

// startScheduler runs entries from now. fail, if set, decides each Fire's
// result; it runs on the scheduler's goroutine.
func startScheduler(t *testing.T, entries []Entry, store *memWatermarks, now time.Time, fail func(h *harness, tick time.Time) error) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{
		t: t, store: store, now: now, cancel: cancel,
		waits: make(chan wait), done: make(chan struct{}), logs: &bytes.Buffer{},
	}
	s := &Scheduler{
		Entries: entries,
		Clock:   h.clock,
		After: func(d time.Duration) <-chan time.Time {
			ch := make(chan time.Time, 1)
			h.waits <- wait{d, ch}
			return ch
		},
		Watermarks: store,
		Fire: func(_ context.Context, e Entry, tick time.Time) error {
			h.mu.Lock()
			h.fires = append(h.fires, stamp(e.Name, tick))
			h.mu.Unlock()
			if fail != nil {
				return fail(h, tick)
			}
			return nil
		},
		Logger: slog.New(slog.NewTextHandler(h.logs, nil)),
	}
	go func() {
		h.runErr = s.Run(ctx)
		close(h.done)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-h.done:
		case <-time.After(guard):
			t.Error("scheduler did not stop")
		}
	})
	return h
}

func (h *harness) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

// nextWait returns the scheduler's next wait and checks its length.
func (h *harness) nextWait(want time.Duration) wait {
	h.t.Helper()
	select {
	case w := <-h.waits:
		if w.d != want {
			h.t.Fatalf("scheduler waits %v, want %v", w.d, want)
		}
		return w
	case <-h.done:
		h.t.Fatalf("scheduler stopped: %v", h.runErr)
	case <-time.After(guard):
		h.t.Fatal("scheduler never waited")
	}
	panic("unreachable")
}

// elapse moves the clock on by d and ends the wait w.
func (h *harness) elapse(w wait, d time.Duration) {
	h.mu.Lock()
	h.now = h.now.Add(d)
	now := h.now
	h.mu.Unlock()
	w.ch <- now
}

// takeFires returns the fires since the last call.
func (h *harness) takeFires() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	f := h.fires
	h.fires = nil
	return f
}

func (h *harness) expectFires(want ...string) {
	h.t.Helper()
	if diff := cmp.Diff(want, h.takeFires(), cmpEmptyStrings); diff != "" {
		h.t.Errorf("fires mismatch (-want +got):\n%s", diff)
	}
}

var cmpEmptyStrings = cmp.FilterValues(func(a, b []string) bool { return len(a) == 0 && len(b) == 0 }, cmp.Ignore())

func (h *harness) stop() {
	h.t.Helper()
	h.cancel()
	select {
	case <-h.done:
		if h.runErr != nil {
			h.t.Errorf("Run() = %v, want nil after cancel", h.runErr)
		}
	case <-time.After(guard):
		h.t.Fatal("scheduler did not stop after cancel")
	}
}

func TestSchedulerFirstStartThenFiresEachTickOnce(t *testing.T) {
	store := newMemWatermarks(nil)
	h := startScheduler(t, []Entry{{Name: "sweep", Schedule: mustParse(t, "* * * * *"), MaxCatchUp: 5}}, store, at(10, 0, 30), nil)

	w := h.nextWait(30 * time.Second)
	h.expectFires() // a first start catches nothing up
	if got := store.get("sweep"); !got.Equal(at(10, 0, 30)) {
		t.Errorf("first-start watermark = %v, want now", got)
	}
	h.elapse(w, 30*time.Second)

	w = h.nextWait(time.Minute)
	h.expectFires("sweep@10:01:00")
	h.elapse(w, time.Minute)

	w = h.nextWait(time.Minute)
	h.expectFires("sweep@10:02:00")
	// Woken a second early (clock skew): nothing fires, it waits the rest.
	h.elapse(w, 59*time.Second)
	w = h.nextWait(time.Second)
	h.expectFires()
	h.elapse(w, time.Second)

	h.nextWait(time.Minute)
	h.expectFires("sweep@10:03:00")
	want := []string{"sweep@10:00:30", "sweep@10:01:00", "sweep@10:02:00", "sweep@10:03:00"}
	if diff := cmp.Diff(want, store.saved()); diff != "" {
		t.Errorf("saved watermarks mismatch (-want +got):\n%s", diff)
	}
	h.stop()
}

func TestSchedulerCatchesUpAfterDowntimeCapped(t *testing.T) {
	store := newMemWatermarks(map[string]time.Time{"sweep": at(9, 0, 0)})
	entries := []Entry{{Name: "sweep", Schedule: mustParse(t, "*/10 * * * *"), MaxCatchUp: 3}}
	h := startScheduler(t, entries, store, at(10, 5, 0), nil)

	h.nextWait(5 * time.Minute)
	h.expectFires("sweep@09:40:00", "sweep@09:50:00", "sweep@10:00:00")
	if got := store.get("sweep"); !got.Equal(at(10, 0, 0)) {
		t.Errorf("watermark = %v, want 10:00", got)
	}
	if logs := h.logs.String(); !strings.Contains(logs, "catch-up capped") || !strings.Contains(logs, "dropped=3") {
		t.Errorf("no warning about the dropped ticks in logs:\n%s", logs)
	}
	h.stop()
}

func TestSchedulerKeepsWatermarkWhenFireFails(t *testing.T) {
	tests := []struct {
		name      string
		expr      string
		retryWait time.Duration // after the failure at the first tick
		retried   []string      // fired by the retry
		thenWait  time.Duration // after the retry, until the following tick
	}{
		{
			name: "retry after back-off", expr: "* * * * *",
			retryWait: retryDelay, retried: []string{"sweep@10:01:00"}, thenWait: 30 * time.Second,
		},
		{
			name: "retry at the next tick when sooner", expr: "*/10 * * * * *",
			retryWait: 10 * time.Second, retried: []string{"sweep@10:01:00", "sweep@10:01:10"}, thenWait: 10 * time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newMemWatermarks(map[string]time.Time{"sweep": at(10, 0, 50)})
			failures := 1
			fail := func(*harness, time.Time) error {
				if failures > 0 {
					failures--
					return errors.New("inbox locked")
				}
				return nil
			}
			entries := []Entry{{Name: "sweep", Schedule: mustParse(t, tt.expr), MaxCatchUp: 5}}
			h := startScheduler(t, entries, store, at(10, 0, 50), fail)

			h.elapse(h.nextWait(10*time.Second), 10*time.Second)
			w := h.nextWait(tt.retryWait)
			h.expectFires("sweep@10:01:00")
			if got := store.get("sweep"); !got.Equal(at(10, 0, 50)) {
				t.Errorf("watermark after a failed fire = %v, want it unchanged", got)
			}
			if logs := h.logs.String(); !strings.Contains(logs, "fire failed") || !strings.Contains(logs, "inbox locked") {
				t.Errorf("failure not logged:\n%s", logs)
			}

			h.elapse(w, tt.retryWait)
			h.nextWait(tt.thenWait)
			h.expectFires(tt.retried...)
			if diff := cmp.Diff(tt.retried, store.saved()); diff != "" {
				t.Errorf("saved watermarks mismatch (-want +got):\n%s", diff)
			}
			h.stop()
		})
	}
}

func TestSchedulerWatermarkSaveFailureDoesNotRefire(t *testing.T) {
	store := newMemWatermarks(map[string]time.Time{"sweep": at(10, 0, 0)})
	store.setSaveErr(errors.New("disk full"))
	h := startScheduler(t, []Entry{{Name: "sweep", Schedule: mustParse(t, "* * * * *")}}, store, at(10, 0, 0), nil)

	h.elapse(h.nextWait(time.Minute), time.Minute)
	w := h.nextWait(time.Minute)
	h.expectFires("sweep@10:01:00")
	if !strings.Contains(h.logs.String(), "disk full") {
		t.Errorf("save failure not logged:\n%s", h.logs.String())
	}
	store.setSaveErr(nil)
	h.elapse(w, time.Minute)
	h.nextWait(time.Minute)
	h.expectFires("sweep@10:02:00")
	if got := store.get("sweep"); !got.Equal(at(10, 2, 0)) {
		t.Errorf("watermark = %v, want 10:02", got)
	}
	h.stop()
}

func TestSchedulerInterleavesEntries(t *testing.T) {
	store := newMemWatermarks(nil)
	entries := []Entry{
		{Name: "a", Schedule: mustParse(t, "*/2 * * * *")},
		{Name: "b", Schedule: mustParse(t, "*/3 * * * *")},
		{Name: "never", Schedule: mustParse(t, "0 0 30 2 *")}, // 30 February
	}
	h := startScheduler(t, entries, store, at(10, 0, 0), nil)

	rounds := []struct {
		wait  time.Duration
		fires []string
	}{
		{2 * time.Minute, []string{"a@10:02:00"}},
		{time.Minute, []string{"b@10:03:00"}},
		{time.Minute, []string{"a@10:04:00"}},
		{2 * time.Minute, []string{"a@10:06:00", "b@10:06:00"}},
		{2 * time.Minute, []string{"a@10:08:00"}},
		{time.Minute, []string{"b@10:09:00"}},
	}
	w := h.nextWait(rounds[0].wait)
	for i, r := range rounds {
		h.elapse(w, r.wait)
		next := time.Minute // after 10:09, a is due at 10:10
		if i+1 < len(rounds) {
			next = rounds[i+1].wait
		}
		w = h.nextWait(next)
		h.expectFires(r.fires...)
	}
	if got := store.get("b"); !got.Equal(at(10, 9, 0)) {
		t.Errorf("watermark of b = %v, want 10:09", got)
	}
	h.stop()
}

func TestSchedulerStopsWhenContextCancelled(t *testing.T) {
	t.Run("while waiting", func(t *testing.T) {
		h := startScheduler(t, []Entry{{Name: "sweep", Schedule: mustParse(t, "@hourly")}}, newMemWatermarks(nil), at(10, 0, 0), nil)
		h.nextWait(time.Hour)
		h.stop()
	})
	// Catching up from 06:00 to 10:00, Fire cancels the context at 08:00.
	for _, tt := range []struct {
		name      string
		fireErr   error // what Fire returns at 08:00
		watermark time.Time
	}{
		{"fire succeeds", nil, at(8, 0, 0)},
		{"fire returns the cancellation", context.Canceled, at(7, 0, 0)},
	} {
		t.Run("during catch-up, "+tt.name, func(t *testing.T) {
			store := newMemWatermarks(map[string]time.Time{"sweep": at(6, 0, 0)})
			fire := func(h *harness, tick time.Time) error {
				if tick.Equal(at(8, 0, 0)) {
					h.cancel()
					return tt.fireErr
				}
				return nil
			}
			h := startScheduler(t, []Entry{{Name: "sweep", Schedule: mustParse(t, "@hourly"), MaxCatchUp: 10}}, store, at(10, 0, 0), fire)
			select {
			case <-h.done:
				if h.runErr != nil {
					t.Errorf("Run() = %v, want nil", h.runErr)
				}
			case w := <-h.waits:
				t.Fatalf("scheduler waited %v after cancel", w.d)
			case <-time.After(guard):
				t.Fatal("scheduler did not stop")
			}
			h.expectFires("sweep@07:00:00", "sweep@08:00:00") // not 09:00 or 10:00
			if got := store.get("sweep"); !got.Equal(tt.watermark) {
				t.Errorf("watermark = %v, want %v", got, tt.watermark)
			}
			if strings.Contains(h.logs.String(), "fire failed") {
				t.Errorf("cancellation logged as a failure:\n%s", h.logs.String())
			}
		})
	}
}

func TestSchedulerRunErrors(t *testing.T) {
	hourly := mustParse(t, "@hourly")
	fire := func(context.Context, Entry, time.Time) error { return nil }
	loadErr := errors.New("database is locked")
	broken := newMemWatermarks(nil)
	broken.loadErr = loadErr

	tests := []struct {
		name string
		s    Scheduler
		want string
	}{
		{"no store", Scheduler{Fire: fire}, "Watermarks and Fire must be set"},
		{"no fire", Scheduler{Watermarks: newMemWatermarks(nil)}, "Watermarks and Fire must be set"},
		{"unnamed entry", Scheduler{Entries: []Entry{{Schedule: hourly}}, Fire: fire, Watermarks: newMemWatermarks(nil)}, "entry 0 has no name"},
		{"duplicate", Scheduler{Entries: []Entry{{Name: "x", Schedule: hourly}, {Name: "x", Schedule: hourly}}, Fire: fire, Watermarks: newMemWatermarks(nil)}, `duplicate entry "x"`},
		{"no schedule", Scheduler{Entries: []Entry{{Name: "x"}}, Fire: fire, Watermarks: newMemWatermarks(nil)}, `entry "x" has no schedule`},
		{"store fails", Scheduler{Entries: []Entry{{Name: "x", Schedule: hourly}}, Fire: fire, Watermarks: broken}, `load watermark of "x": database is locked`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.s.After = func(time.Duration) <-chan time.Time {
				t.Fatal("scheduler started despite the error")
				return nil
			}
			err := tt.s.Run(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Run() = %v, want an error containing %q", err, tt.want)
			}
			if tt.name == "store fails" && !errors.Is(err, loadErr) {
				t.Errorf("Run() = %v, want it to wrap the store's error", err)
			}
		})
	}
}

// ExampleDue shows a catch-up after four hours down, capped at two ticks.
func ExampleDue() {
	s, _ := Parse("0 * * * *")
	watermark := time.Date(2025, 3, 10, 6, 0, 0, 0, time.UTC)
	now := time.Date(2025, 3, 10, 10, 15, 0, 0, time.UTC)
	ticks, dropped := Due(s, watermark, now, 2)
	for _, t := range ticks {
		fmt.Println(t.Format(time.Kitchen))
	}
	fmt.Println("dropped:", dropped)
	// Output:
	// 9:00AM
	// 10:00AM
	// dropped: 2
}
