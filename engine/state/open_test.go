package state

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"
)

// SQLite only: file modes.
func TestOpenCreatesPrivateFileAndDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	path := filepath.Join(dir, "state.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetCursor(context.Background(), "c", "v"); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{dir, filepath.Dir(dir)} {
		fi, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != 0o700 {
			t.Errorf("directory %s mode = %v, want 0700", d, got)
		}
	}
	// The WAL inherits the main file's mode.
	for _, f := range []string{path, path + "-wal"} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("%s mode = %v, want 0600", f, got)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// SQLite only: file modes.
func TestOpenLeavesExistingFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	if err := os.WriteFile(path, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil { // regardless of umask
		t.Fatal(err)
	}
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o640 {
		t.Errorf("mode = %v, want 0640 left alone", got)
	}
}

// SQLite only: file paths.
func TestOpenRejectsBadPath(t *testing.T) {
	for _, p := range []string{"", "state.db?mode=memory"} {
		if _, err := Open(context.Background(), p); err == nil {
			t.Errorf("Open(%q) succeeded", p)
		}
	}
}

// SQLite only: SQLite's pragmas and its read-only pool.
func TestOpenConnectionSettings(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	want := map[string]string{
		"journal_mode": "wal",
		"foreign_keys": "1",
		"synchronous":  "2", // FULL
		"busy_timeout": "5000",
	}
	if syncApart {
		want["synchronous"] = "1" // NORMAL: a logSyncer syncs each commit before it is answered
		if s.w.sy == nil {
			t.Error("no logSyncer syncs the writer's commits")
		}
	}
	for pragma, v := range want {
		var got string
		if err := s.w.conn.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != v {
			t.Errorf("writer %s = %s, want %s", pragma, got, v)
		}
	}
	var queryOnly string
	if err := s.rdb.QueryRowContext(ctx, "PRAGMA query_only").Scan(&queryOnly); err != nil {
		t.Fatal(err)
	}
	if queryOnly != "1" {
		t.Errorf("reader query_only = %s, want 1", queryOnly)
	}
	if _, err := s.rdb.ExecContext(ctx, "INSERT INTO cursors (name, value, updated_at) VALUES ('x', 'y', 0)"); err == nil {
		t.Error("write through the read pool succeeded")
	}
}

func TestMigrationsAppliedOnce(t *testing.T) {
	backends(t, func(t *testing.T) {
		ctx := context.Background()
		path := testLocation(t)
		clock := newTestClock()
		first := clock.Now()

		s, err := Open(ctx, path, WithClock(clock.Now))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetCursor(ctx, "kept", "1"); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}

		clock.Advance(time.Hour)
		s, err = Open(ctx, path, WithClock(clock.Now))
		if err != nil {
			t.Fatalf("re-open: %v", err)
		}
		defer s.Close()

		ms, err := loadMigrations(migrationFiles, "migrations/"+string(s.Backend()))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := s.rdb.QueryContext(ctx, "SELECT version, applied_at FROM schema_migrations ORDER BY version")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var v int
			var at time.Time
			if err := rows.Scan(&v, timeCol{&at}); err != nil {
				t.Fatal(err)
			}
			n++
			if v != n || !at.Equal(first) {
				t.Errorf("migration row %d = version %d applied %v, want version %d applied %v", n, v, at, n, first)
			}
		}
		if n != len(ms) {
			t.Errorf("%d migrations recorded, want %d", n, len(ms))
		}
		if v, ok, err := s.Cursor(ctx, "kept"); err != nil || !ok || v != "1" {
			t.Errorf("data lost across re-open: %q %v %v", v, ok, err)
		}
	})
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	backends(t, func(t *testing.T) {
		ctx := context.Background()
		path := testLocation(t)
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		err = s.w.write(ctx, func(tx *wtx) error {
			_, err := tx.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future', 0)")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(ctx, path); !errors.Is(err, ErrSchemaTooNew) {
			t.Fatalf("Open = %v, want ErrSchemaTooNew", err)
		}
	})
}

// SQLite only: it reads sqlite_schema.
func TestFailedMigrationRollsBackAlone(t *testing.T) {
	ctx := context.Background()
	conn := sqliteConn(t, "")
	ms, err := loadMigrations(fstest.MapFS{
		"migrations/0001_a.sql": {Data: []byte("CREATE TABLE a (x); CREATE TABLE a2 (x);")},
		"migrations/0002_b.sql": {Data: []byte("CREATE TABLE b (x); THIS IS NOT SQL;")},
	}, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	clock := newTestClock()
	if err := applyMigrations(ctx, conn, sqliteDialect, ms, clock.Now, slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("applyMigrations succeeded with broken SQL")
	}
	if v, err := schemaVersion(ctx, conn); err != nil || v != 1 {
		t.Errorf("schema version = %d, %v; want 1", v, err)
	}
	var tables []string
	rows, err := conn.QueryContext(ctx, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name IN ('a', 'a2', 'b') ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	if len(tables) != 2 || tables[0] != "a" || tables[1] != "a2" {
		t.Errorf("tables = %v, want [a a2] (0002 rolled back)", tables)
	}
}

func TestLoadMigrationsRejectsBadNames(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"gap":      {"migrations/0001_a.sql": {}, "migrations/0003_c.sql": {}},
		"no name":  {"migrations/0001.sql": {}},
		"not four": {"migrations/1_a.sql": {}},
		"start 2":  {"migrations/0002_b.sql": {}},
	} {
		if _, err := loadMigrations(fsys, "migrations"); err == nil {
			t.Errorf("%s: loadMigrations succeeded", name)
		}
	}
}

// A migration comes in both backends under one number and name, so that a
// schema version means the same schema on either.
func TestBackendsNumberMigrationsAlike(t *testing.T) {
	lite, err := loadMigrations(migrationFiles, "migrations/sqlite")
	if err != nil {
		t.Fatal(err)
	}
	pg, err := loadMigrations(migrationFiles, "migrations/postgres")
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) != len(pg) {
		t.Fatalf("%d SQLite migrations, %d PostgreSQL ones", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].name != pg[i].name {
			t.Errorf("migration %d is %s on SQLite, %s on PostgreSQL", i+1, lite[i].name, pg[i].name)
		}
	}
}
