package state

import (
	"context"
	"strings"
	"testing"
)

func TestRedactHidesPasswords(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://tote:hunter2@db.example:5432/tote?sslmode=require": "postgres://tote:xxxxx@db.example:5432/tote?sslmode=require",
		"postgresql://tote@db/tote":                                    "postgresql://tote@db/tote",
		"postgres://db/tote?password=hunter2&user=tote":                "postgres://db/tote?password=xxxxx&user=tote",
		"/var/lib/tote/state.db":                                       "/var/lib/tote/state.db",
		"postgres://tote:hunter2@db:bad-port/x":                        "postgres://(unparseable URL)",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// A database that cannot be reached is an error that names it without its
// password.
func TestOpenPostgresErrorHidesThePassword(t *testing.T) {
	_, err := Open(context.Background(), "postgres://tote:hunter2@127.0.0.1:1/tote?sslmode=disable&connect_timeout=5")
	if err == nil {
		t.Fatal("Open of an unreachable database succeeded")
	}
	if msg := err.Error(); strings.Contains(msg, "hunter2") || !strings.Contains(msg, "tote:xxxxx@127.0.0.1:1") {
		t.Errorf("Open error = %q, want the URL with its password hidden", msg)
	}
}

// The store's Path, which tote prints and logs, hides the password.
func TestPostgresPathHidesThePassword(t *testing.T) {
	base := requirePostgres(t)
	withPw, pw := withPassword(t, base, "hunter2")
	loc := freshSchema(t, withPw)
	s, err := Open(context.Background(), loc)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if p := s.Path(); strings.Contains(p, pw) || !strings.Contains(p, ":xxxxx@") {
		t.Errorf("Path() = %q, want the URL with its password hidden", p)
	}
	if s.Backend() != Postgres {
		t.Errorf("Backend() = %q", s.Backend())
	}
}

// The read pool cannot write, as on SQLite.
func TestPostgresReadPoolIsReadOnly(t *testing.T) {
	requirePostgres(t)
	t.Run(string(Postgres), func(t *testing.T) {
		s, _ := openTest(t)
		if _, err := s.rdb.ExecContext(context.Background(), "INSERT INTO cursors (name, value, updated_at) VALUES ('x', 'y', 0)"); err == nil {
			t.Error("write through the read pool succeeded")
		}
	})
}

// When the server ends the writer's connection (a restart, a failover),
// the batch it cut fails and the writer goes on on a new connection.
func TestWriterSurvivesALostConnection(t *testing.T) {
	requirePostgres(t)
	t.Run(string(Postgres), func(t *testing.T) {
		s, _ := openTest(t)
		ctx := context.Background()
		if err := s.SetCursor(ctx, "c", "1"); err != nil {
			t.Fatal(err)
		}
		var pid int
		if err := s.w.write(ctx, func(tx *wtx) error { return tx.queryRow(`SELECT pg_backend_pid()`).Scan(&pid) }); err != nil {
			t.Fatal(err)
		}
		var ended bool
		if err := s.queryRow(ctx, `SELECT pg_terminate_backend(?)`, pid).Scan(&ended); err != nil || !ended {
			t.Fatalf("terminating the writer's backend: %v, %v", ended, err)
		}
		// The first write after may fail with the connection; the next
		// must not.
		_ = s.SetCursor(ctx, "c", "2")
		if err := s.SetCursor(ctx, "c", "3"); err != nil {
			t.Fatalf("write after the connection was lost: %v", err)
		}
		if v, _, err := s.Cursor(ctx, "c"); err != nil || v != "3" {
			t.Errorf("cursor = %q, %v; want 3", v, err)
		}
	})
}
