package intake

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/toteworks/tote/engine/state"
)

func TestKeySetForgetsTheOldest(t *testing.T) {
	s := newKeySet(2)
	a, b, c := hashKey("p", "t", "a"), hashKey("p", "t", "b"), hashKey("p", "t", "c")
	s.add(a)
	s.add(b)
	s.add(a) // held already: not added twice
	s.add(c)
	if s.has(a) || !s.has(b) || !s.has(c) {
		t.Errorf("held a=%v b=%v c=%v, want the last two added only", s.has(a), s.has(b), s.has(c))
	}
	if hashKey("p", "ta", "") == hashKey("pt", "a", "") {
		t.Error("the parts of a key run together in its hash")
	}
}

// The commits make no checkpoints of their own; the lane's checkpointer
// keeps the write-ahead log from growing with every commit.
func TestLaneLogIsCheckpointed(t *testing.T) {
	defer func(d, e time.Duration) { checkpointEvery, commitEvery = d, e }(checkpointEvery, commitEvery)
	checkpointEvery, commitEvery = time.Millisecond, 0
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "lane-0.db")
	l, err := openLane(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.close()
	payload := make([]byte, 2000)
	for range 3000 { // one commit each: at least a page of log
		if _, err := l.do(ctx, request{items: []state.NewItem{{Pipeline: "p", Trigger: "t", Payload: payload}}}); err != nil {
			t.Fatal(err)
		}
	}
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > 8<<20 {
		t.Errorf("the write-ahead log is %d bytes after 3,000 commits, want it checkpointed and cut back to 4 MiB", fi.Size())
	}
}

// A delivery that comes within commitEvery of the last commit waits for
// the rest of it, and those that come meanwhile go with it, without
// waiting again.
func TestCommitsAreSpacedWhileDeliveriesCome(t *testing.T) {
	pauses, release := make(chan time.Duration, 10), make(chan struct{})
	defer func(e time.Duration, p func(time.Duration)) { commitEvery, pause = e, p }(commitEvery, pause)
	commitEvery = time.Hour
	pause = func(d time.Duration) { pauses <- d; <-release }
	ctx := context.Background()
	l, err := openLane(ctx, filepath.Join(t.TempDir(), "lane-0.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.close()
	item := func(key string) request {
		return request{items: []state.NewItem{{Pipeline: "p", Trigger: "t", Key: key, Payload: []byte(`{}`)}}}
	}
	// The first, after a quiet spell, is committed at once.
	if _, err := l.do(ctx, item("a")); err != nil {
		t.Fatal(err)
	}
	if len(pauses) != 0 {
		t.Fatal("the first delivery waited")
	}
	ids := make(chan int64, 3)
	send := func(key string) {
		res, err := l.do(ctx, item(key))
		if err != nil {
			t.Error(err)
		}
		ids <- res[0].ID
	}
	go send("b")
	select {
	case d := <-pauses:
		if d < 59*time.Minute {
			t.Fatalf("the second waited %v, want the rest of the hour", d)
		}
	case id := <-ids:
		t.Fatalf("the second was committed (id %d) without waiting", id)
	}
	// Two more while the second waits, then the wait ends.
	go send("c")
	go send("d")
	deadline := time.Now().Add(10 * time.Second)
	for len(l.reqs) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the deliveries never queued")
		}
		runtime.Gosched()
	}
	close(release)
	got := map[int64]bool{<-ids: true, <-ids: true, <-ids: true}
	if !got[2] || !got[3] || !got[4] {
		t.Errorf("ids %v, want 2, 3 and 4", got)
	}
	if len(pauses) != 0 {
		t.Errorf("%d more waits: the deliveries that came during the wait did not go with it", len(pauses))
	}
}

// Moved rows are deleted at most forgetChunk a commit while deliveries
// wait on the commit, and all at once when none do.
func TestMovedRowsAreDeletedAFewACommitWhileDeliveriesCome(t *testing.T) {
	defer func(e time.Duration) { commitEvery = e }(commitEvery)
	commitEvery = 0
	ctx := context.Background()
	l, err := openLane(ctx, filepath.Join(t.TempDir(), "lane-0.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.close()
	delivery := func() request {
		return request{items: []state.NewItem{{Pipeline: "p", Trigger: "t", Payload: []byte(`{}`)}}, res: make(chan result, 1)}
	}
	const moved = 3*forgetChunk + 4
	for range moved {
		if _, err := l.do(ctx, delivery()); err != nil {
			t.Fatal(err)
		}
	}
	kept := func() int {
		t.Helper()
		var n int
		if err := l.db.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE id <= ? AND item IS NOT NULL`, moved).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// The writer is idle: one commit of a move's forget and a delivery.
	l.commit([]request{{forget: true, upTo: moved, res: make(chan result, 1)}, delivery()})
	if got, want := kept(), moved-forgetChunk; got != want {
		t.Fatalf("%d moved rows kept after a commit with a delivery, want %d", got, want)
	}
	if _, err := l.do(ctx, delivery()); err != nil {
		t.Fatal(err)
	}
	if got, want := kept(), moved-2*forgetChunk; got != want {
		t.Fatalf("%d moved rows kept after the next delivery's commit, want %d", got, want)
	}
	if _, err := l.do(ctx, request{forget: true, upTo: moved}); err != nil {
		t.Fatal(err)
	}
	if got := kept(); got != 0 {
		t.Fatalf("%d moved rows kept after a commit no delivery waited on, want 0", got)
	}
}
