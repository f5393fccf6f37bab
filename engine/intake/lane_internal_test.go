package intake

import (
	"context"
	"os"
	"path/filepath"
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
	defer func(d time.Duration) { checkpointEvery = d }(checkpointEvery)
	checkpointEvery = time.Millisecond
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
