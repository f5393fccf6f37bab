package testscripts

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"

	"github.com/rogpeppe/go-internal/testscript"
)

// postgres: keep this script's state in a schema of its own in the
// PostgreSQL database at $TOTE_TEST_POSTGRES (TOTE_STATE becomes its URL,
// with the password $PG_PASSWORD unless the URL has one; a server that
// trusts local connections ignores it). The schema is dropped at the end.
// Scripts guard it with [!postgres] skip (see condition), so that without
// the variable they skip, and under CI=true they fail here.
func cmdPostgres(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: postgres")
	}
	base := os.Getenv("TOTE_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("CI") == "true" {
			ts.Fatalf("TOTE_TEST_POSTGRES is not set: CI runs the PostgreSQL scripts (see .ci/run)")
		}
		ts.Fatalf("TOTE_TEST_POSTGRES is not set (a postgres:// URL): guard the script with [!postgres] skip")
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "ts_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", base)
	ts.Check(err)
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		db.Close()
		ts.Fatalf("create schema: %v", err)
	}
	ts.Defer(func() {
		defer db.Close()
		db.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(base)
	ts.Check(err)
	pw, ok := u.User.Password()
	if !ok {
		pw = "pg-secret-4c1d"
		u.User = url.UserPassword(u.User.Username(), pw)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	ts.Setenv("TOTE_STATE", u.String())
	ts.Setenv("PG_PASSWORD", pw)
}

// condition answers the scripts' own conditions: [postgres] holds when
// $TOTE_TEST_POSTGRES names a database, and always under CI=true (where
// its absence is a failure, not a reason to skip).
func condition(cond string) (bool, error) {
	switch cond {
	case "postgres":
		return os.Getenv("TOTE_TEST_POSTGRES") != "" || os.Getenv("CI") == "true", nil
	case "cpus01":
		return cpus01(), nil
	}
	return false, fmt.Errorf("unknown condition %q", cond)
}
