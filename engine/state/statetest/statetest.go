// Package statetest gives tests and benchmarks a fresh place for tote's
// state: a SQLite file in a temporary directory, or a schema of its own in
// the PostgreSQL database named by $TOTE_TEST_POSTGRES.
package statetest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// Location returns where a fresh state for tb lives. It is a new
// PostgreSQL schema (see Schema) when $TOTE_BENCH_STATE is "postgres",
// and otherwise a file in tb's temporary directory. Benchmarks use it, so
// that one command measures either backend.
func Location(tb testing.TB) string {
	tb.Helper()
	if os.Getenv("TOTE_BENCH_STATE") == "postgres" {
		base := os.Getenv("TOTE_TEST_POSTGRES")
		if base == "" {
			tb.Fatal("TOTE_BENCH_STATE=postgres needs TOTE_TEST_POSTGRES, a postgres:// URL")
		}
		return Schema(tb, base)
	}
	return filepath.Join(tb.TempDir(), "state.db")
}

// Schema creates a schema in the database at base and returns base with
// search_path set to it. The schema is dropped when tb ends, after the
// stores opened on it have closed (cleanups run last first).
func Schema(tb testing.TB, base string) string {
	tb.Helper()
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		db.Close()
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		defer db.Close()
		if _, err := db.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
