package testscripts

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"syscall"
	"time"

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

// pause READYFILE: stop the tote run whose pid READYFILE names (SIGSTOP)
// at a point where it holds no state transaction. A process stopped inside
// one keeps SQLite's write lock, and no other process could take over the
// state until it went on (docs/operations.md); a script about a paused
// lease holder needs it stopped outside, so a stop that lands inside is
// let go on and tried again.
func cmdPause(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: pause READYFILE")
	}
	pid := readyPid(ts, args[0])
	db, err := sql.Open("sqlite", ts.Getenv("TOTE_STATE")+"?_pragma=busy_timeout(0)")
	ts.Check(err)
	defer db.Close()
	db.SetMaxOpenConns(1)
	// However the script ends, the process must go on, or it could never
	// be stopped.
	ts.Defer(func() { _ = syscall.Kill(pid, syscall.SIGCONT) })
	for range 100 {
		ts.Check(syscall.Kill(pid, syscall.SIGSTOP))
		waitStopped(ts, pid)
		if writable(db) {
			return
		}
		ts.Check(syscall.Kill(pid, syscall.SIGCONT))
		time.Sleep(5 * time.Millisecond) // let it finish its transaction
	}
	ts.Fatalf("pause: every stop of pid %d landed inside a state transaction", pid)
}

// waitStopped waits until pid has stopped: a signal is delivered some time
// after kill returns, and a process still running could take the write
// lock after the check that found it free.
func waitStopped(ts *testscript.TestScript, pid int) {
	stat := fmt.Sprintf("/proc/%d/stat", pid)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		b, err := os.ReadFile(stat)
		if err != nil {
			return // no /proc here: the check below is the best there is
		}
		// The state follows the command's name, which is in parentheses.
		if i := bytes.LastIndexByte(b, ')'); i >= 0 && len(b) > i+2 && b[i+2] == 'T' {
			return
		}
	}
	ts.Fatalf("pause: pid %d did not stop", pid)
}

// writable reports whether the state's write lock can be taken at once.
func writable(db *sql.DB) bool {
	if _, err := db.Exec(`BEGIN IMMEDIATE`); err != nil {
		return false
	}
	_, _ = db.Exec(`ROLLBACK`)
	return true
}
