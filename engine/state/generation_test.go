package state

import (
	"context"
	"testing"
	"time"
)

// Every fresh start of an item's attempts (tote retry, tote retry -dead, a
// wait) begins a new generation.
func TestGenerationCountsFreshStarts(t *testing.T) {
	backends(t, func(t *testing.T) {
		s, _ := openTest(t)
		ctx := context.Background()
		res, err := s.Enqueue(ctx, NewItem{Pipeline: "p", Trigger: "t", Key: "k", Payload: []byte("{}")})
		if err != nil {
			t.Fatal(err)
		}
		id := res[0].ID
		gen := func() int { t.Helper(); return mustItem(t, s, id).Generation }
		if g := gen(); g != 1 {
			t.Fatalf("new item: generation %d, want 1", g)
		}
		claimAndSettle := func(st Settlement) {
			t.Helper()
			if _, err := s.Claim(ctx, 1, time.Minute); err != nil {
				t.Fatal(err)
			}
			st.ItemID = id
			if err := s.Settle(ctx, st); err != nil {
				t.Fatal(err)
			}
		}
		claimAndSettle(Settlement{Outcome: ItemPending, LastError: "retry"})
		if g := gen(); g != 1 {
			t.Errorf("after a retry: generation %d, want 1", g)
		}
		claimAndSettle(Settlement{Outcome: ItemPending, ResetAttempts: true, LastError: "waiting"})
		if g := gen(); g != 2 {
			t.Errorf("after a wait: generation %d, want 2", g)
		}
		claimAndSettle(Settlement{Outcome: ItemDead, LastError: "boom"})
		if err := s.Requeue(ctx, id); err != nil {
			t.Fatal(err)
		}
		if g := gen(); g != 3 {
			t.Errorf("after tote retry: generation %d, want 3", g)
		}
		claimAndSettle(Settlement{Outcome: ItemDead, LastError: "boom"})
		if n, err := s.RequeueDead(ctx); err != nil || n != 1 {
			t.Fatalf("requeue dead: %d, %v", n, err)
		}
		if it := mustItem(t, s, id); it.Generation != 4 || it.Attempts != 0 {
			t.Errorf("after tote retry -dead: generation %d, attempts %d; want 4, 0", it.Generation, it.Attempts)
		}
	})
}

// Items from before generations are counted take theirs from their runs'
// names, so the next run's name is new.
//
// SQLite only: PostgreSQL starts at the schema after this migration.
func TestGenerationMigrationReadsRunNames(t *testing.T) {
	ctx := context.Background()
	conn, migrateRest := sqliteAt(t, "", 1)
	for _, q := range []string{
		// 1: never ran. 2: ran once. 3: retried once, run again. 4: requeued
		// after its r2 run, not run since.
		`INSERT INTO inbox (id, pipeline, trigger_name, status, attempts, not_before, created_at, updated_at) VALUES
			(1, 'p', 't', 'pending', 0, 0, 0, 0), (2, 'p', 't', 'done', 1, 0, 0, 0),
			(3, 'p', 't', 'done', 1, 0, 0, 0), (4, 'p', 't', 'pending', 0, 0, 0, 0)`,
		`INSERT INTO runs (id, pipeline, item_id, status, started_at) VALUES
			('2.1', 'p', 2, 'succeeded', 0), ('3.1', 'p', 3, 'dead', 0), ('3.1.r2', 'p', 3, 'succeeded', 0),
			('4.1', 'p', 4, 'dead', 0), ('4.1.r2', 'p', 4, 'dead', 0)`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	migrateRest()
	for id, want := range map[int]int{1: 1, 2: 1, 3: 2, 4: 3} {
		var g int
		if err := conn.QueryRowContext(ctx, `SELECT generation FROM inbox WHERE id = ?`, id).Scan(&g); err != nil {
			t.Fatal(err)
		}
		if g != want {
			t.Errorf("item %d: generation %d, want %d", id, g, want)
		}
	}
}
