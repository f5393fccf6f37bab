package service

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/toteworks/tote/engine/intake"
	"github.com/toteworks/tote/engine/state"
)

// Setting -intake-dir on a state served before from the journal beside
// it moves what that journal answered and had not moved: a delivery
// answered before the change is not left behind.
func TestNewJournalDirDrainsThePrevious(t *testing.T) {
	ctx := context.Background()
	st, err := state.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	j, err := intake.OpenJournal(ctx, intake.JournalPath(st.Path()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.Enqueue(ctx, state.NewItem{Pipeline: "p", Trigger: "t", Payload: []byte(`{"left":1}`)}); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}

	other := filepath.Join(t.TempDir(), "journal")
	opts := Options{Intake: &IntakeProcess{Dir: other}, Logger: slog.New(slog.DiscardHandler)}
	dir, err := journalDir(ctx, st, opts)
	if err != nil {
		t.Fatal(err)
	}
	if dir != other {
		t.Errorf("journal at %s, want %s", dir, other)
	}
	items, err := st.Items(ctx, state.ItemFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || string(items[0].Payload) != `{"left":1}` {
		t.Fatalf("inbox %v, want the delivery left in the journal beside the state", items)
	}
	// Recorded as served from other, the state drains nothing more.
	if err := st.SetCursor(ctx, journalDirCursor, dir); err != nil {
		t.Fatal(err)
	}
	if _, err := journalDir(ctx, st, opts); err != nil {
		t.Fatal(err)
	}
	if items, _ := st.Items(ctx, state.ItemFilter{Limit: 10}); len(items) != 1 {
		t.Errorf("%d items after a second start, want 1", len(items))
	}
}
