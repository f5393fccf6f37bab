package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite" // also registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// Errors returned by the store. Match them with errors.Is.
var (
	ErrNotFound      = errors.New("state: not found")
	ErrClosed        = errors.New("state: store is closed")
	ErrSchemaTooNew  = errors.New("state: database schema is newer than this tote understands")
	ErrExists        = errors.New("state: already exists")
	ErrInvalidStatus = errors.New("state: invalid status for this operation")
)

// busyWait is how long a connection waits for another's lock.
const busyWait = 5 * time.Second

// dsnCommon holds the connection settings shared by the writer and the
// readers. synchronous=FULL makes every commit survive power loss; group
// commit amortises its fsync over a whole batch. Where syncApart holds,
// the writer's connection commits with NORMAL and a logSyncer syncs.
var dsnCommon = fmt.Sprintf("_busy_timeout=%d&_foreign_keys=1&_synchronous=FULL", busyWait.Milliseconds())

// syncApart is whether the writer's commits are synced by a logSyncer
// (with synchronous=NORMAL) rather than inside SQLite's commit: on Linux,
// where it was measured. Elsewhere every commit syncs as it did.
const syncApart = runtime.GOOS == "linux"

// Store is tote's state: a SQLite file or a PostgreSQL database. It is
// safe for concurrent use.
type Store struct {
	path  string // the file, or the database's URL without its password
	d     dialect
	now   func() time.Time
	log   *slog.Logger
	w     *writer
	rdb   *sql.DB
	reads *stmtCache
	// lookups batches the ledger reads made before writes (IntentState).
	lookups lookupBatch

	checkpointed func()                          // tests: see withCheckpointed
	wrapLogSync  func(func() error) func() error // tests: see withLogSync

	closeOnce sync.Once
	closeErr  error
}

// Option configures Open.
type Option func(*Store)

// WithClock sets the clock for every timestamp the store writes and for
// "now" in due-time and lease comparisons. The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(s *Store) { s.now = now }
}

// WithLogger sets the logger. The default discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(s *Store) { s.log = l }
}

// Open opens the state at location and applies pending migrations.
// Opening a state whose schema is newer than this binary knows fails with
// ErrSchemaTooNew.
//
// A location that is a postgres:// or postgresql:// URL is a PostgreSQL
// database (see openPostgres). Anything else is the path of a SQLite file,
// created (mode 0600) with its parent directory (mode 0700) when missing;
// an existing file keeps its mode.
func Open(ctx context.Context, location string, opts ...Option) (*Store, error) {
	if IsURL(location) {
		return openPostgres(ctx, location, opts...)
	}
	path := location
	if path == "" || strings.Contains(path, "?") {
		return nil, fmt.Errorf("state: invalid state file path %q", path)
	}
	s := &Store{path: path, d: sqliteDialect, now: time.Now, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(s)
	}
	if err := createFile(path); err != nil {
		return nil, err
	}

	wdsn := dsnCommon
	if syncApart {
		wdsn = strings.Replace(wdsn, "_synchronous=FULL", "_synchronous=NORMAL", 1)
	}
	// secure_delete: what the writer deletes or overwrites (a pruned
	// payload, a cleared error) is zeroed in the file, not left in free
	// space where a copy of the file would still carry it. temp_store:
	// the journals of the savepoints each write request runs in stay in
	// memory; on disk they cost the writer a system call per page.
	wdb, err := sql.Open("sqlite", path+"?_journal_mode=WAL&_pragma=secure_delete(1)&_pragma=temp_store(memory)&"+
		fmt.Sprintf("_pragma=wal_autocheckpoint(%d)&", walBackstop)+wdsn)
	if err != nil {
		return nil, fmt.Errorf("state: open %s: %w", path, err)
	}
	wdb.SetMaxOpenConns(1)
	conn, err := firstConn(ctx, wdb)
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("state: open %s: %w", path, err)
	}
	var syncLog, closeLog func() error // the log's sync, when syncApart
	fail := func(err error) (*Store, error) {
		if closeLog != nil {
			closeLog()
		}
		conn.Close()
		wdb.Close()
		return nil, err
	}
	if err := checkWAL(ctx, conn); err != nil {
		return fail(fmt.Errorf("state: open %s: %w", path, err))
	}
	if err := migrate(ctx, conn, s.d, s.now, s.log); err != nil {
		return fail(fmt.Errorf("state: migrate %s: %w", path, err))
	}
	if syncApart {
		// The log is named after the file as SQLite resolved it (through
		// symbolic links), which it reports.
		var seq int
		var name, file string
		if err := conn.QueryRowContext(ctx, "PRAGMA database_list").Scan(&seq, &name, &file); err != nil {
			return fail(fmt.Errorf("state: open %s: %w", path, err))
		}
		syncLog, closeLog = fileSync(file + "-wal")
		if s.wrapLogSync != nil {
			syncLog = s.wrapLogSync(syncLog)
		}
		if err := syncLog(); err != nil { // the migrations, if any
			return fail(fmt.Errorf("state: open %s: syncing its log: %w", path, err))
		}
	}

	rdb, err := sql.Open("sqlite", path+"?_query_only=1&"+dsnCommon)
	if err != nil {
		return fail(fmt.Errorf("state: open %s: %w", path, err))
	}
	n := max(4, runtime.GOMAXPROCS(0))
	rdb.SetMaxOpenConns(n)
	rdb.SetMaxIdleConns(n)
	s.rdb = rdb
	s.reads = newStmtCache(s.d, rdb.PrepareContext)
	cdb, err := sql.Open("sqlite", path+"?"+dsnCommon)
	if err != nil {
		rdb.Close()
		return fail(fmt.Errorf("state: open %s: %w", path, err))
	}
	cdb.SetMaxOpenConns(1)
	var sy *logSyncer
	if syncLog != nil {
		sy = newLogSyncer(syncLog, s.log)
	}
	s.w = newWriter(wdb, conn, s.d, s.now, s.log, sy, closeLog)
	s.w.ckpt = newCheckpointer(cdb, s.log, s.checkpointed)
	return s, nil
}

// createFile creates the parent directory and an empty state file with
// restrictive modes before SQLite opens it, so the file is never readable by
// others, not even briefly. Existing files and directories are left alone.
func createFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("state: create directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("state: create state file: %w", err)
	}
	return f.Close()
}

// firstConn opens the writer's connection. Turning a new file to WAL takes
// an exclusive lock, and SQLite reports a rival opener's lock as busy
// without waiting out the busy timeout, so two tote commands starting on a
// new state file at once would fail; the switch is tried again for a while.
func firstConn(ctx context.Context, db *sql.DB) (*sql.Conn, error) {
	wait := 5 * time.Millisecond
	deadline := time.Now().Add(busyWait)
	for {
		conn, err := db.Conn(ctx)
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return conn, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(wait):
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// checkWAL fails when SQLite could not switch the file to WAL mode (as on
// some network filesystems): readers would then block the writer.
func checkWAL(ctx context.Context, conn *sql.Conn) error {
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return err
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal_mode is %q, want wal (is the file on a network filesystem?)", mode)
	}
	return nil
}

// Path returns the state file's path, or the PostgreSQL database's URL
// with its password replaced by "xxxxx".
func (s *Store) Path() string { return s.path }

// Backend says which database holds the state.
func (s *Store) Backend() Backend { return s.d.backend }

// Close stops accepting writes, waits until every write already submitted
// has been committed or has failed, and closes both connection pools.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		werr := s.w.close()
		s.closeErr = errors.Join(werr, s.reads.close(), s.rdb.Close())
	})
	return s.closeErr
}

// queryRows runs a query on the read pool.
func (s *Store) queryRows(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := s.reads.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryAll runs query on the read pool and scans every row with scan;
// what names the read in its errors.
func queryAll[T any](ctx context.Context, s *Store, what string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := s.queryRows(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("state: %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		x, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("state: %s: %w", what, err)
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("state: %s: %w", what, err)
	}
	return out, nil
}

// queryRow runs a single-row query on the read pool; errors surface in Scan.
func (s *Store) queryRow(ctx context.Context, query string, args ...any) scanner {
	st, err := s.reads.get(ctx, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}
