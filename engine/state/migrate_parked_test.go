package state

import (
	"context"
	"testing"
)

// Rebuilding inbox and runs for the parked status keeps every row, the
// step attempts included (with foreign keys on, as tote opens the file),
// and step_attempts still follows its run.
//
// SQLite only: PostgreSQL starts at the schema after this migration.
func TestParkedMigrationKeepsRunsAndAttempts(t *testing.T) {
	ctx := context.Background()
	conn, migrateRest := sqliteAt(t, "?_foreign_keys=1", 4)
	for _, q := range []string{
		`INSERT INTO inbox (id, pipeline, trigger_name, event_key, status, attempts, not_before, created_at, updated_at, generation, claim_token)
			VALUES (1, 'p', 't', 'k', 'dead', 3, 5, 6, 7, 2, 9)`,
		`INSERT INTO runs (id, pipeline, item_id, status, started_at) VALUES ('1.3.r2', 'p', 1, 'dead', 0), ('x', 'p', NULL, 'succeeded', 0)`,
		`INSERT INTO step_attempts (run_id, step, attempt, status) VALUES ('1.3.r2', 'step.a', 1, 'failed'), ('x', 'step.a', 1, 'succeeded')`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	migrateRest()
	count := func(q string) int {
		t.Helper()
		var n int
		if err := conn.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT COUNT(*) FROM step_attempts`); n != 2 {
		t.Fatalf("step attempts after the migration = %d, want 2", n)
	}
	if n := count(`SELECT COUNT(*) FROM inbox WHERE id = 1 AND event_key = 'k' AND generation = 2 AND claim_token = 9 AND attempts = 3`); n != 1 {
		t.Fatal("the inbox item changed")
	}
	if _, err := conn.ExecContext(ctx, `UPDATE inbox SET status = 'parked' WHERE id = 1`); err != nil {
		t.Fatalf("parking an item: %v", err)
	}
	if _, err := conn.ExecContext(ctx, `UPDATE runs SET status = 'parked' WHERE id = '1.3.r2'`); err != nil {
		t.Fatalf("parking a run: %v", err)
	}
	if _, err := conn.ExecContext(ctx, `DELETE FROM runs WHERE id = 'x'`); err != nil {
		t.Fatal(err)
	}
	if n := count(`SELECT COUNT(*) FROM step_attempts`); n != 1 {
		t.Fatalf("step attempts after deleting a run = %d, want 1 (they follow their run)", n)
	}
}
