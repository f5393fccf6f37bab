package intake_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/toteworks/tote/engine/intake"
	"github.com/toteworks/tote/engine/state"
)

// TestMain makes the test binary an intake process when Start runs it: a
// minimal one, which journals each POST's body as an event without a key
// (never deduplicated by the state, so an event moved twice would show).
func TestMain(m *testing.M) {
	if c, ok := intake.FromEnv(os.LookupEnv); ok {
		os.Exit(childMain(c))
	}
	os.Exit(m.Run())
}

func childMain(c intake.Child) int {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	j, err := intake.OpenJournal(ctx, c.Journal)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	rep := c.Reporter(log)
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() { defer close(stopped); rep.Run(stop) }()
	ln, err := c.Listener()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/reject") {
			rep.Rejected(r.URL.Path, http.StatusNotFound, "no such hook")
			http.NotFound(w, r)
			return
		}
		start := time.Now()
		body, _ := io.ReadAll(r.Body)
		res, err := j.Enqueue(r.Context(), state.NewItem{Pipeline: "p", Trigger: "t", Payload: body})
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		rep.Delivered("p", "t", len(res), 0, time.Since(start))
		w.WriteHeader(http.StatusAccepted)
	})}
	go srv.Serve(ln)
	rep.Ready()
	intake.Control(ctx, os.Stdin, j, log)
	_ = srv.Shutdown(ctx)
	close(stop)
	<-stopped
	if err := j.Close(); err != nil {
		return 1
	}
	return 0
}

// start starts an intake process on a new loopback listener.
func start(t *testing.T, store *state.Store, journal string, wake func()) (*intake.Process, string) {
	t.Helper()
	return startWith(t, intake.Options{Journal: journal, Store: store, Wake: wake})
}

// startWith starts an intake process (this test binary, see TestMain) on
// a new loopback listener, with opts's journal, state and hooks, and
// returns it with the listener's address.
func startWith(t *testing.T, opts intake.Options) (*intake.Process, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	cmd := exec.Command(os.Args[0])
	cmd.Env = os.Environ()
	cmd.Stderr = os.Stderr
	opts.Cmd, opts.Listener = cmd, ln.(*net.TCPListener)
	p, err := intake.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return p, addr
}

// openState opens a new state file, closed when the test ends.
func openState(t *testing.T) *state.Store {
	t.Helper()
	store, err := state.Open(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// waker is a Wake hook and the channel it signals, never blocking.
func waker() (<-chan struct{}, func()) {
	woken := make(chan struct{}, 1)
	return woken, func() {
		select {
		case woken <- struct{}{}:
		default:
		}
	}
}

func post(t *testing.T, addr, body string) {
	t.Helper()
	resp, err := http.Post("http://"+addr+"/", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST %s: %d", body, resp.StatusCode)
	}
}

// payloads lists the inbox's events, waiting (on the mover's wakes)
// until there are want of them.
func payloads(t *testing.T, store *state.Store, woken <-chan struct{}, want int) []string {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		items, err := store.Items(context.Background(), state.ItemFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) >= want {
			var out []string
			for _, it := range items {
				out = append(out, string(it.Payload))
			}
			return out
		}
		select {
		case <-woken:
		case <-deadline:
			t.Fatalf("%d events in the inbox, want %d", len(items), want)
		}
	}
}

// Events journalled and answered, but not yet moved when the serving
// process stopped, are moved by the next; events moved before are not
// moved again, though the state cannot deduplicate them (no key) and the
// journal still held some of them (the serving process died between its
// move and telling the intake process).
func TestJournalMovedOnceAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	store := openState(t)
	journal := intake.JournalPath(store.Path())

	// An intake process answered these, and its serving process died.
	journalOf(t, journal, `{"left":0}`, `{"left":1}`, `{"left":2}`)
	// The first two were moved, and the serving process died before the
	// intake process heard it.
	r, err := intake.OpenReader(ctx, journal)
	if err != nil {
		t.Fatal(err)
	}
	moved, err := r.After(ctx, 0, 0, 2) // sequential appends all go to the first lane
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if len(moved) != 2 {
		t.Fatalf("the first lane has %d of the 3 entries", len(moved))
	}
	if _, err := store.EnqueueMovingCursor(ctx, intake.CursorName(r.Epoch(0)), "", fmt.Sprintf("%s:%d", r.Epoch(0), moved[1].ID),
		moved[0].Item, moved[1].Item); err != nil {
		t.Fatal(err)
	}

	woken, wake := waker()
	p, addr := start(t, store, journal, wake)
	payloads(t, store, woken, 3)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() { defer wg.Done(); post(t, addr, fmt.Sprintf(`{"posted":%d}`, i)) }()
	}
	wg.Wait()
	payloads(t, store, woken, 23)
	if err := p.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if st := p.Stats(); st.Accepted != 20 {
		t.Errorf("the intake reported %d accepted deliveries, want 20", st.Accepted)
	}

	p, addr = start(t, store, journal, wake)
	post(t, addr, `{"after":"restart"}`)
	payloads(t, store, woken, 24)
	if err := p.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	got := payloads(t, store, woken, 24)
	if len(got) != 24 {
		t.Fatalf("%d events in the inbox, want 24 (each once): %v", len(got), got)
	}
	seen := map[string]int{}
	for _, pl := range got {
		seen[pl]++
	}
	for pl, n := range seen {
		if n != 1 {
			t.Errorf("%s is in the inbox %d times", pl, n)
		}
	}
	// What was moved is gone from the journal.
	r, err = intake.OpenReader(ctx, journal)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var left []intake.Entry
	for lane := range r.Lanes() {
		entries, err := r.After(ctx, lane, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		left = append(left, entries...)
	}
	if len(left) > r.Lanes() { // the last forgets may not have reached the stopping intake
		t.Errorf("%d entries left in the journal after the moves", len(left))
	}
}

// keyed is an event of pipeline p's trigger t with key.
func keyed(key string) state.NewItem {
	return state.NewItem{Pipeline: "p", Trigger: "t", Key: key, Payload: []byte("{}")}
}

// A redelivery of an event the journal holds is a duplicate, also once
// the event has been moved out and its payload dropped.
func TestJournalDuplicates(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "j")
	j, err := intake.OpenJournal(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	duplicates := func(items ...state.NewItem) string {
		t.Helper()
		res, err := j.Enqueue(ctx, items...)
		if err != nil {
			t.Fatal(err)
		}
		var dup []bool
		for _, r := range res {
			dup = append(dup, r.Duplicate)
		}
		return fmt.Sprint(dup)
	}
	if got := duplicates(keyed("a"), keyed("a"), keyed(""), keyed("")); got != "[false true false false]" {
		t.Errorf("duplicates %s, want [false true false false] (an empty key is never a duplicate)", got)
	}
	r, err := intake.OpenReader(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// The serving process moves every lane's entries.
	n := 0
	for lane := range r.Lanes() {
		entries, err := r.After(ctx, lane, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		n += len(entries)
		if len(entries) > 0 {
			if err := j.Forget(ctx, lane, entries[len(entries)-1].ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n != 3 {
		t.Fatalf("%d entries in the journal, want 3", n)
	}
	if got := duplicates(keyed("a"), keyed("b")); got != "[true false]" {
		t.Errorf("after the move, duplicates %s, want [true false]", got)
	}
	var left []intake.Entry
	for lane := range r.Lanes() {
		entries, err := r.After(ctx, lane, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		left = append(left, entries...)
	}
	if len(left) != 1 || left[0].Item.Key != "b" {
		t.Fatalf("after the move the journal has %v, want only b's", left)
	}
}

// signalLog is a slog handler that closes a channel on the first record
// with a given message.
type signalLog struct {
	msg  string
	seen chan struct{}
	once *sync.Once
}

func (h signalLog) Enabled(context.Context, slog.Level) bool { return true }
func (h signalLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.once.Do(func() { close(h.seen) })
	}
	return nil
}
func (h signalLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h signalLog) WithGroup(string) slog.Handler      { return h }

// When another process has moved the journal's cursor (it holds the state
// now), this one moves nothing more: an event is never moved by two.
func TestMoverStopsWhenAnotherMovesTheJournal(t *testing.T) {
	ctx := context.Background()
	store := openState(t)
	woken, wake := waker()
	h := signalLog{msg: "another process moves the intake's journal; this one stops moving it", seen: make(chan struct{}), once: &sync.Once{}}
	p, addr := startWith(t, intake.Options{Journal: intake.JournalPath(store.Path()), Store: store, Logger: slog.New(h), Wake: wake})
	post(t, addr, `{"first":1}`)
	payloads(t, store, woken, 1)
	r, err := intake.OpenReader(ctx, intake.JournalPath(store.Path()))
	if err != nil {
		t.Fatal(err)
	}
	for lane := range r.Lanes() {
		if err := store.SetCursor(ctx, intake.CursorName(r.Epoch(lane)), r.Epoch(lane)+":7"); err != nil {
			t.Fatal(err)
		}
	}
	r.Close()
	post(t, addr, `{"second":2}`)
	select {
	case <-h.seen:
	case <-time.After(30 * time.Second):
		t.Fatal("the mover did not notice the other process's move")
	}
	if err := p.Stop(ctx); !errors.Is(err, state.ErrCursorMoved) {
		t.Errorf("Stop = %v, want ErrCursorMoved from its last move", err)
	}
	if got := payloads(t, store, woken, 1); len(got) != 1 {
		t.Errorf("the inbox has %v, want only the first event", got)
	}
}

// gatedObserver holds the serving process's reading of the intake's
// reports: each Delivered says it has begun on entered and waits for
// release.
type gatedObserver struct {
	entered, release chan struct{}
}

func (o gatedObserver) Delivered(string, string, int, int, time.Duration) {
	o.entered <- struct{}{}
	<-o.release
}
func (o gatedObserver) Rejected(string, int, string) {}

// A request the intake process passes on after answering a delivery is
// answered once the serving process has read that delivery's report: the
// metrics then count every delivery answered before a scrape.
func TestWaitReportsUntilRead(t *testing.T) {
	store := openState(t)
	obs := gatedObserver{entered: make(chan struct{}), release: make(chan struct{})}
	p, addr := startWith(t, intake.Options{Journal: intake.JournalPath(store.Path()), Store: store, Observer: obs})
	defer p.Stop(context.Background())
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { close(obs.release) }) }
	defer release() // before Stop, which reads the reports to their end

	post(t, addr, `{"n":1}`) // report 2, after the intake's ready report
	<-obs.entered
	// Its report is being read, not yet read.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if p.WaitReports(ctx, 2) {
		t.Fatal("WaitReports returned while the delivery's report was still being read")
	}
	release()
	ctx, cancel = context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if !p.WaitReports(ctx, 2) {
		t.Fatal("WaitReports gave up before the delivery's report was read")
	}
}

// A refused delivery's report carries its path, which the sender chose:
// one of any length is counted, and the reports after it are read.
func TestLongRejectedPathLeavesReportsRead(t *testing.T) {
	store := openState(t)
	p, addr := start(t, store, intake.JournalPath(store.Path()), nil)
	defer p.Stop(context.Background())

	// JSON writes '<' as \u003c: 30,000 of them are a 180 KB report line.
	resp, err := http.Get("http://" + addr + "/reject" + strings.Repeat("%3C", 30000))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	post(t, addr, `{"n":1}`)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if !p.WaitReports(ctx, 3) { // ready, the refusal, the delivery
		t.Fatalf("the reports after a long refused path were not read: %+v", p.Stats())
	}
	if st := p.Stats(); st.Accepted != 1 || st.Rejected != 1 {
		t.Errorf("stats %+v, want 1 accepted and 1 rejected", st)
	}
}

// lostAnswers is a state whose moves are committed but, while lose is set,
// answered with an error, as when the answer is lost on its way.
type lostAnswers struct {
	*state.Store
	lose atomic.Bool
}

func (l *lostAnswers) EnqueueMovingCursor(ctx context.Context, cursor, from, to string, items ...state.NewItem) ([]state.EnqueueResult, error) {
	res, err := l.Store.EnqueueMovingCursor(ctx, cursor, from, to, items...)
	if err == nil && l.lose.Load() {
		return nil, errors.New("the answer was lost")
	}
	return res, err
}

// A move whose answer is lost after its commit is found done: the mover
// goes on from it, moving each event once, and does not take the state's
// cursor for another process's.
func TestMoveWithLostAnswerIsDone(t *testing.T) {
	store := openState(t)
	lost := &lostAnswers{Store: store}
	lost.lose.Store(true)
	woken, wake := waker()
	p, addr := startWith(t, intake.Options{Journal: intake.JournalPath(store.Path()), Store: lost, Wake: wake})
	post(t, addr, `{"n":1}`)
	payloads(t, store, woken, 1)
	lost.lose.Store(false)
	// Moved only if the mover went on from the cursor its lost move set.
	post(t, addr, `{"n":2}`)
	got := payloads(t, store, woken, 2)
	if err := p.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	items, err := store.Items(context.Background(), state.ItemFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 {
		t.Fatalf("%d events in the inbox, want 2 (each once): %v", len(items), got)
	}
}

// Deliveries still arriving while the journal closes (handlers running
// past the server's shutdown) are refused, never a panic.
func TestEnqueueWhileClosing(t *testing.T) {
	ctx := context.Background()
	j, err := intake.OpenJournal(ctx, filepath.Join(t.TempDir(), "j"))
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				if g == 0 && i == 1 {
					close(started)
				}
				_, err := j.Enqueue(ctx, state.NewItem{Pipeline: "p", Trigger: "t", Payload: []byte("{}")})
				if err != nil {
					if !strings.Contains(err.Error(), "closed") {
						t.Errorf("enqueue while closing: %v", err)
					}
					return
				}
			}
		}()
	}
	<-started
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
}

// A lane file beyond Lanes, left by a tote that wrote more lanes, is still
// moved from: what it answered is not lost.
func TestJournalLeftInAnotherLaneIsMoved(t *testing.T) {
	ctx := context.Background()
	// An earlier journal's lane holding an answered delivery becomes
	// lane Lanes of this one.
	old := filepath.Join(t.TempDir(), "old")
	journalOf(t, old, `{"left":1}`)
	store := openState(t)
	journal := intake.JournalPath(store.Path())
	if err := os.MkdirAll(journal, 0o700); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(old, "lane-0.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(journal, fmt.Sprintf("lane-%d.db", intake.Lanes)), b, 0o600); err != nil {
		t.Fatal(err)
	}

	woken, wake := waker()
	p, addr := start(t, store, journal, wake)
	post(t, addr, `{"new":2}`)
	got := payloads(t, store, woken, 2)
	if err := p.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	sort.Strings(got)
	if fmt.Sprint(got) != `[{"left":1} {"new":2}]` {
		t.Errorf("inbox %v, want the left delivery and the new one", got)
	}
}

// A journal deleted between starts is made again under a new epoch, whose
// ids start again at 1: its deliveries are moved, though the state's
// cursor is at a higher id of the old file.
func TestJournalMadeAgainIsMovedFromItsStart(t *testing.T) {
	ctx := context.Background()
	store := openState(t)
	journal := intake.JournalPath(store.Path())
	woken, wake := waker()
	p, addr := start(t, store, journal, wake)
	post(t, addr, `{"old":1}`)
	post(t, addr, `{"old":2}`)
	payloads(t, store, woken, 1)
	if err := p.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(journal); err != nil {
		t.Fatal(err)
	}
	p, addr = start(t, store, journal, wake)
	post(t, addr, `{"new":1}`)
	got := payloads(t, store, woken, 3)
	if err := p.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	sort.Strings(got)
	if fmt.Sprint(got) != `[{"new":1} {"old":1} {"old":2}]` {
		t.Errorf("inbox %v, want each delivery once", got)
	}
}

// journalOf makes a journal at dir holding one keyless event per payload,
// none moved, and returns its first lane's epoch.
func journalOf(t *testing.T, dir string, payloads ...string) string {
	t.Helper()
	ctx := context.Background()
	j, err := intake.OpenJournal(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, pl := range payloads {
		if _, err := j.Enqueue(ctx, state.NewItem{Pipeline: "p", Trigger: "t", Payload: []byte(pl)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := intake.OpenReader(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	return r.Epoch(0)
}

func inbox(t *testing.T, store *state.Store) []string {
	t.Helper()
	items, err := store.Items(context.Background(), state.ItemFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		out = append(out, string(it.Payload))
	}
	sort.Strings(out)
	return out
}

// A journal whose position an earlier tote kept under its lane index
// (intake:journal:0) goes on from there: what that tote moved is not
// moved again.
func TestLaneIndexCursorIsTakenOver(t *testing.T) {
	ctx := context.Background()
	store := openState(t)
	journal := intake.JournalPath(store.Path())
	epoch := journalOf(t, journal, `{"a":1}`, `{"a":2}`, `{"a":3}`)
	if _, err := store.EnqueueMovingCursor(ctx, "intake:journal:0", "", epoch+":1",
		state.NewItem{Pipeline: "p", Trigger: "t", Payload: []byte(`{"a":1}`)}); err != nil {
		t.Fatal(err)
	}
	woken, wake := waker()
	p, _ := start(t, store, journal, wake)
	payloads(t, store, woken, 3)
	if err := p.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(inbox(t, store)); got != `[{"a":1} {"a":2} {"a":3}]` {
		t.Errorf("inbox %s, want each event once", got)
	}
	cursors(t, store, epoch, epoch+":3", "")
}

// A lane-index cursor that an earlier build of this one took over, and
// left, is deleted at the next start, though nothing is left to move.
func TestTakenOverLaneIndexCursorIsDeleted(t *testing.T) {
	ctx := context.Background()
	store := openState(t)
	journal := intake.JournalPath(store.Path())
	epoch := journalOf(t, journal, `{"a":1}`)
	item := state.NewItem{Pipeline: "p", Trigger: "t", Payload: []byte(`{"a":1}`)}
	if _, err := store.EnqueueMovingCursor(ctx, "intake:journal:0", "", epoch+":1", item); err != nil {
		t.Fatal(err)
	}
	if _, err := store.EnqueueMovingCursor(ctx, intake.CursorName(epoch), "", epoch+":1"); err != nil {
		t.Fatal(err)
	}
	p, _ := start(t, store, journal, nil)
	if err := p.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	cursors(t, store, epoch, epoch+":1", "")
	if got := fmt.Sprint(inbox(t, store)); got != `[{"a":1}]` {
		t.Errorf("inbox %s, want the event once", got)
	}
}

// cursors checks the journal's cursors: the lane file's own, named by
// epoch, and the lane-index one of earlier builds ("" for none).
func cursors(t *testing.T, store *state.Store, epoch, own, laneIndex string) {
	t.Helper()
	ctx := context.Background()
	for name, want := range map[string]string{intake.CursorName(epoch): own, "intake:journal:0": laneIndex} {
		v, _, err := store.Cursor(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if v != want {
			t.Errorf("cursor %s = %q, want %q", name, v, want)
		}
	}
}

// Once every delivery is moved and forgotten, the next one still gets an
// id after theirs, also across a restart: an id from 1 again would be
// behind the serving process's cursor, and never moved.
func TestIDsGoOnAfterEverythingIsForgotten(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "j")
	journalOf(t, dir, `{"n":1}`, `{"n":2}`)
	j, err := intake.OpenJournal(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Forget(ctx, 0, 2); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	j, err = intake.OpenJournal(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	res, err := j.Enqueue(ctx, state.NewItem{Pipeline: "p", Trigger: "t", Payload: []byte(`{"n":3}`)})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].ID != 3 {
		t.Errorf("the delivery after two forgotten ones has id %d, want 3", res[0].ID)
	}
	r, err := intake.OpenReader(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	entries, err := r.After(ctx, 0, 2, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || string(entries[0].Item.Payload) != `{"n":3}` {
		t.Errorf("after id 2 the journal holds %v, want the third delivery", entries)
	}
}

// A journal written before keys were kept in memory (a key index, moved
// deliveries kept as keys without payloads) is read on: its unmoved
// delivery is moved, its keys still answer redeliveries as duplicates,
// and new ids follow its own.
func TestJournalOfTheEarlierFormatIsReadOn(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "j")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "lane-0.db"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec(`
CREATE TABLE journal_meta (epoch TEXT NOT NULL);
INSERT INTO journal_meta VALUES ('0123456789abcdef');
CREATE TABLE deliveries (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	pipeline TEXT NOT NULL, trigger TEXT NOT NULL, key TEXT NOT NULL,
	item BLOB
);
CREATE UNIQUE INDEX deliveries_key ON deliveries (pipeline, trigger, key) WHERE key <> '';
INSERT INTO deliveries VALUES (1, 'p', 't', 'moved', NULL);
INSERT INTO deliveries VALUES (2, 'p', 't', 'held', '{"Pipeline":"p","Trigger":"t","Key":"held","Payload":"e30="}');`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	j, err := intake.OpenJournal(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	res, err := j.Enqueue(ctx, keyed("moved"), keyed("held"), keyed("new"))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(res[0].Duplicate, res[1].Duplicate, res[2].Duplicate, res[2].ID); got != "true true false 3" {
		t.Errorf("duplicates and the new id %s, want true true false 3", got)
	}
	r, err := intake.OpenReader(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Epoch(0) != "0123456789abcdef" {
		t.Errorf("epoch %q, want the file's own", r.Epoch(0))
	}
	entries, err := r.After(ctx, 0, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, e := range entries {
		keys = append(keys, fmt.Sprintf("%d %s", e.ID, e.Item.Key))
	}
	if fmt.Sprint(keys) != "[2 held 3 new]" {
		t.Errorf("entries to move %v, want [2 held 3 new]", keys)
	}
}

// countingStore records how many events each move moved. The first move,
// once committed, signals committed and waits for hold before it returns.
type countingStore struct {
	intake.Store
	committed, hold chan struct{}
	mu              sync.Mutex
	moves           []int
}

func (s *countingStore) EnqueueMovingCursor(ctx context.Context, cursor, from, to string, items ...state.NewItem) ([]state.EnqueueResult, error) {
	res, err := s.Store.EnqueueMovingCursor(ctx, cursor, from, to, items...)
	if err == nil {
		s.mu.Lock()
		s.moves = append(s.moves, len(items))
		first := len(s.moves) == 1
		s.mu.Unlock()
		if first {
			close(s.committed)
			<-s.hold
		}
	}
	return res, err
}

// The first delivery after a quiet spell is moved at once; those that come
// within MoveEvery of its move, even while it is being made, wait and are
// moved together, here by Stop.
func TestMovesAreSpacedWhileDeliveriesCome(t *testing.T) {
	store := openState(t)
	counting := &countingStore{Store: store, committed: make(chan struct{}), hold: make(chan struct{})}
	woken, wake := waker()
	p, addr := startWith(t, intake.Options{Journal: intake.JournalPath(store.Path()), Store: counting, Wake: wake, MoveEvery: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	post(t, addr, `{"n":1}`)
	<-counting.committed // moved at once; its move not yet over
	post(t, addr, `{"n":2}`)
	if !p.WaitReports(ctx, 3) { // the intake's ready report first
		t.Fatal("report of delivery 2 not read")
	}
	close(counting.hold)
	payloads(t, store, woken, 1)
	for i := 3; i <= 11; i++ {
		post(t, addr, fmt.Sprintf(`{"n":%d}`, i))
		// Its report is read, and the mover woken by it.
		if !p.WaitReports(ctx, int64(i+1)) { // the intake's ready report first
			t.Fatalf("report of delivery %d not read", i)
		}
	}
	if err := p.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := payloads(t, store, woken, 11); len(got) != 11 {
		t.Fatalf("%d events in the inbox, want 11", len(got))
	}
	counting.mu.Lock()
	defer counting.mu.Unlock()
	if want := []int{1, 10}; fmt.Sprint(counting.moves) != fmt.Sprint(want) {
		t.Errorf("moves of %v events; want %v: the first at once, the other ten together", counting.moves, want)
	}
}
