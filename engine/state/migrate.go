package state

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"strconv"
	"strings"
	"time"
)

// migrationFiles are the schema migrations of each backend, in
// migrations/<backend>/, named NNNN_description.sql and numbered from 0001
// without gaps. A released migration is never edited; changes come as a new
// file, in both directories under the same number. PostgreSQL's 0001 is the
// schema SQLite reaches at its 0007, so its 0002 to 0007 are empty.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the embedded migrations in version order.
func loadMigrations(fsys fs.FS, dir string) ([]migration, error) {
	names, err := fs.Glob(fsys, dir+"/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for i, name := range names { // fs.Glob returns names sorted
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || len(num) != 4 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", base)
		}
		if v != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d", base, i+1)
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: strings.TrimSuffix(base, ".sql"), sql: string(body)})
	}
	return ms, nil
}

// migrate brings the database up to the newest embedded migration, one
// transaction per migration, recording each in schema_migrations.
func migrate(ctx context.Context, conn *sql.Conn, d dialect, now func() time.Time, log *slog.Logger) error {
	ms, err := loadMigrations(migrationFiles, "migrations/"+string(d.backend))
	if err != nil {
		return err
	}
	if d.backend == Postgres {
		// Processes starting together on an empty database take turns;
		// the lock is per schema, and it is the session's, so it ends
		// with the connection however migrating ends.
		const key = `hashtextextended('tote state migrations ' || current_schema(), 0)`
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(`+key+`)`); err != nil {
			return fmt.Errorf("lock for migrating: %w", err)
		}
		defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(`+key+`)`)
	}
	return applyMigrations(ctx, conn, d, ms, now, log)
}

func applyMigrations(ctx context.Context, conn *sql.Conn, d dialect, ms []migration, now func() time.Time, log *slog.Logger) error {
	appliedAt := "INTEGER" // nanoseconds: SQLite's INTEGER has 64 bits, PostgreSQL's 32
	if d.backend == Postgres {
		appliedAt = "BIGINT"
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER NOT NULL PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at `+appliedAt+` NOT NULL
	)`); err != nil {
		return err
	}
	current, err := schemaVersion(ctx, conn)
	if err != nil {
		return err
	}
	if current > len(ms) {
		return fmt.Errorf("%w: file is at version %d, this tote knows up to %d", ErrSchemaTooNew, current, len(ms))
	}
	for _, m := range ms[current:] {
		applied, err := applyMigration(ctx, conn, d, m, now)
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if applied {
			log.Info("state: applied migration", "version", m.version, "name", m.name)
		}
	}
	return nil
}

// applyMigration applies m unless another process got there first.
func applyMigration(ctx context.Context, conn *sql.Conn, d dialect, m migration, now func() time.Time) (applied bool, err error) {
	if _, err := conn.ExecContext(ctx, d.begin); err != nil {
		return false, err
	}
	defer func() {
		if err != nil {
			_, rerr := conn.ExecContext(context.Background(), "ROLLBACK")
			if rerr != nil {
				err = fmt.Errorf("%w (rollback: %w)", err, rerr)
			}
		}
	}()
	current, err := schemaVersion(ctx, conn)
	if err != nil {
		return false, err
	}
	if current >= m.version {
		_, err = conn.ExecContext(ctx, "COMMIT")
		return false, err
	}
	if strings.TrimSpace(m.sql) != "" {
		if _, err := conn.ExecContext(ctx, m.sql); err != nil {
			return false, err
		}
	}
	if _, err := conn.ExecContext(ctx, d.rebind("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"),
		m.version, m.name, now().UnixNano()); err != nil {
		return false, err
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return false, err
	}
	return true, nil
}

func schemaVersion(ctx context.Context, conn *sql.Conn) (int, error) {
	var v int
	err := conn.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v)
	return v, err
}
