package state

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// The log is copied into the database file in the background, long before
// the writer's own backstop checkpoint would.
//
// SQLite only: PostgreSQL has no checkpointer of tote's.
func TestCheckpointerCopiesTheLog(t *testing.T) {
	done := make(chan struct{}, 1)
	path := t.TempDir() + "/state.db"
	s, err := Open(context.Background(), path, withCheckpointed(func() {
		select {
		case done <- struct{}{}:
		default:
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const want = 1 << 20 // bytes, far below the backstop's 4000 pages
	payload := bytes.Repeat([]byte("x"), 64<<10)
	var items []NewItem
	for i := range 2 * want / len(payload) {
		items = append(items, NewItem{Pipeline: "p", Trigger: "t", Key: fmt.Sprint(i), Payload: payload})
	}
	if _, err := s.Enqueue(context.Background(), items...); err != nil {
		t.Fatal(err)
	}
	guard := time.After(10 * time.Second) // a failure timeout, not a delay
	for {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() >= want {
			return
		}
		select {
		case <-done:
		case <-guard:
			t.Fatalf("the database file is %d bytes after the writes; the log was not checkpointed", fi.Size())
		}
	}
}

// The writer keeps its savepoint journals in memory (temp_store = 2), not
// in temporary files.
//
// SQLite only: a pragma of SQLite's.
func TestWriterJournalsSavepointsInMemory(t *testing.T) {
	s, _ := openTest(t)
	var mode int
	if err := s.w.conn.QueryRowContext(context.Background(), "PRAGMA temp_store").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != 2 {
		t.Fatalf("temp_store = %d, want 2 (memory)", mode)
	}
}
