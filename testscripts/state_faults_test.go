package testscripts

import (
	"database/sql"
	"os"

	"github.com/rogpeppe/go-internal/testscript"
	_ "modernc.org/sqlite" // the state's driver
)

// refusewrites: make the state file ($TOTE_STATE) refuse writes, as a
// read-only file does. A non-root user gets a read-only file; root, whom
// file modes do not stop, gets triggers that fail every insert into the
// runs, intents and cursors with SQLite's read-only message.
func cmdRefuseWrites(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: refusewrites")
	}
	path := ts.Getenv("TOTE_STATE")
	if os.Geteuid() != 0 {
		ts.Check(os.Chmod(path, 0o400))
		return
	}
	db, err := sql.Open("sqlite", path)
	ts.Check(err)
	defer db.Close()
	for _, table := range []string{"runs", "intents", "cursors"} {
		_, err := db.Exec(`CREATE TRIGGER refuse_` + table + ` BEFORE INSERT ON ` + table +
			` BEGIN SELECT RAISE(ABORT, 'attempt to write a readonly database'); END`)
		ts.Check(err)
	}
}
