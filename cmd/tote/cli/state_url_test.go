package cli

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
)

// A PostgreSQL URL's password never appears in what tote prints.
func TestStateURLPasswordNeverShown(t *testing.T) {
	const pw = "hunter2-e9c1"
	unreachable := "postgres://tote:" + pw + "@127.0.0.1:1/tote?sslmode=disable&connect_timeout=5"
	for _, args := range [][]string{
		{"runs", "-state", unreachable},
		{"runs", "show", "-state", unreachable, "1"},
		{"state", "prune", "-state", unreachable},
		{"retry", "-state", unreachable, "-dead"},
	} {
		code, out, errOut := runCLI(t, args...)
		if code == exitOK {
			t.Errorf("%v: exit 0 with an unreachable database", args)
		}
		if strings.Contains(out+errOut, pw) {
			t.Errorf("%v printed the password:\n%s%s", args, out, errOut)
		}
		if !strings.Contains(errOut, "tote:xxxxx@127.0.0.1:1") {
			t.Errorf("%v: error does not name the database:\n%s", args, errOut)
		}
	}

	base := os.Getenv("TOTE_TEST_POSTGRES")
	if base == "" {
		return // reaching a real database: only where there is one
	}
	loc := pgSchema(t, base, pw)
	for _, args := range [][]string{
		{"runs", "-state", loc},
		{"state", "prune", "-state", loc},
	} {
		code, out, errOut := runCLI(t, args...)
		if code != exitOK {
			t.Errorf("%v: exit %d\n%s", args, code, errOut)
		}
		if p, _ := url.Parse(loc); strings.Contains(out+errOut, must(p.User.Password())) {
			t.Errorf("%v printed the password:\n%s%s", args, out, errOut)
		}
	}
}

func must(s string, _ bool) string { return s }

// pgSchema creates a schema in the database at base, dropped when t
// ends, and returns base pointing at it, with a password (pw unless base
// has one; a server that trusts local connections ignores it).
func pgSchema(t *testing.T, base, pw string) string {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	schema := "cli_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		db.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		defer db.Close()
		if _, err := db.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := u.User.Password(); !ok {
		u.User = url.UserPassword(u.User.Username(), pw)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
