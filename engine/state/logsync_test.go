package state

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// heldSyncs holds the log's syncs made after it is armed: each one signals
// entered, then waits for a value on release and returns it instead of
// syncing.
type heldSyncs struct {
	armed   atomic.Bool
	entered chan struct{}
	release chan error
}

func newHeldSyncs() *heldSyncs {
	return &heldSyncs{entered: make(chan struct{}, 16), release: make(chan error)}
}

func (h *heldSyncs) option() Option {
	return withLogSync(func(sync func() error) func() error {
		return func() error {
			if !h.armed.Load() {
				return sync()
			}
			h.entered <- struct{}{}
			return <-h.release
		}
	})
}

// awaitEntered waits for a held sync to begin.
func (h *heldSyncs) awaitEntered(t *testing.T) {
	t.Helper()
	select {
	case <-h.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the log was never synced")
	}
}

func openHeld(t *testing.T) (*Store, *heldSyncs) {
	t.Helper()
	if !syncApart {
		t.Skip("commits sync inside SQLite on this system")
	}
	h := newHeldSyncs()
	s, _ := openTest(t, h.option())
	h.armed.Store(true)
	// After a failure, syncs still held are let go, so that the store
	// closes.
	t.Cleanup(func() { close(h.release) })
	return s, h
}

// A caller is answered once its commit's log is on disk, not at the commit.
func TestACommitIsAnsweredOnlyOnceItsLogIsSynced(t *testing.T) {
	s, h := openHeld(t)
	done := submit(t, s.w, enqueueReq("a"))
	h.awaitEntered(t)
	// Committed: another connection reads it.
	if _, err := s.Item(context.Background(), 1); err != nil {
		t.Fatalf("the committed item cannot be read: %v", err)
	}
	select {
	case err := <-done:
		t.Fatalf("the write was answered (%v) before its log was synced", err)
	default:
	}
	h.release <- nil
	if err := <-done; err != nil {
		t.Fatalf("write = %v", err)
	}
}

// While a batch's log is synced, the writer runs the next batch once
// overlapMin requests wait for it; they too are answered after a sync.
func TestTheWriterRunsTheNextBatchWhileTheLastIsSynced(t *testing.T) {
	s, h := openHeld(t)
	first := submit(t, s.w, enqueueReq("first"))
	h.awaitEntered(t)
	ran := make(chan struct{}, overlapMin)
	var dones []<-chan error
	for i := range overlapMin {
		dones = append(dones, submit(t, s.w, func(tx *wtx) error {
			ran <- struct{}{}
			return enqueueReq(fmt.Sprint(i))(tx)
		}))
	}
	for range overlapMin {
		select {
		case <-ran:
		case <-time.After(10 * time.Second):
			t.Fatal("the next batch did not run while the last one's log was synced")
		}
	}
	for i, d := range dones {
		select {
		case err := <-d:
			t.Fatalf("request %d was answered (%v) before its log was synced", i, err)
		default:
		}
	}
	h.release <- nil
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	h.awaitEntered(t) // the next batch's sync
	h.release <- nil
	waitAll(t, dones)
}

// A sync that fails fails the writes it was to cover, and every write
// after it without running it: the kernel may have dropped the pages, and
// a second sync would not say so.
func TestAFailedSyncFailsItsWritesAndRefusesEveryLaterOne(t *testing.T) {
	s, h := openHeld(t)
	done := submit(t, s.w, enqueueReq("a"))
	h.awaitEntered(t)
	h.release <- errors.New("input/output error")
	if err := <-done; !errors.Is(err, ErrLogSync) {
		t.Fatalf("write = %v, want ErrLogSync", err)
	}
	ran := false
	err := <-submit(t, s.w, func(tx *wtx) error {
		ran = true
		return enqueueReq("b")(tx)
	})
	if !errors.Is(err, ErrLogSync) {
		t.Fatalf("a later write = %v, want ErrLogSync", err)
	}
	if ran {
		t.Error("a write after the failed sync was run")
	}
}

// Closing the store answers the writes whose log is being synced, once
// it is.
func TestCloseWaitsForTheLastSync(t *testing.T) {
	s, h := openHeld(t)
	done := submit(t, s.w, enqueueReq("a"))
	h.awaitEntered(t)
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while the log of a write was being synced", err)
	case <-time.After(100 * time.Millisecond): // what Close takes otherwise, many times over
	}
	h.release <- nil
	if err := <-closed; err != nil {
		t.Fatalf("Close = %v", err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("write = %v", err)
		}
	default:
		t.Fatal("Close returned before the write whose log it synced was answered")
	}
}

// SQLite names the log after the file a symbolic link leads to; the log
// synced is that one (a log beside the link does not exist).
func TestAStateReachedThroughASymbolicLinkSyncsItsLog(t *testing.T) {
	if !syncApart {
		t.Skip("commits sync inside SQLite on this system")
	}
	dir, linkDir := t.TempDir(), t.TempDir()
	link := filepath.Join(linkDir, "state.db")
	if err := os.Symlink(filepath.Join(dir, "state.db"), link); err != nil {
		t.Skip(err)
	}
	s, err := Open(context.Background(), link)
	if err != nil {
		t.Fatalf("Open through a symbolic link: %v", err)
	}
	defer s.Close()
	if _, err := s.Enqueue(context.Background(), NewItem{Pipeline: "p", Trigger: "t", Key: "k"}); err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "state.db-wal")); err != nil {
		t.Errorf("no log beside the linked file: %v", err)
	}
}
