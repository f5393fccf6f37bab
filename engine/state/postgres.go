package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// IsURL reports whether a state location names a PostgreSQL database
// (postgres:// or postgresql://) rather than a SQLite file.
func IsURL(location string) bool {
	l := strings.ToLower(location)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

// Redact returns a state location fit to print: a URL's password becomes
// "xxxxx", and so does a password given as a query parameter. A file path
// is returned as it is.
func Redact(location string) string {
	if !IsURL(location) {
		return location
	}
	u, err := url.Parse(location)
	if err != nil {
		// Not parseable: say only what kind of location it was.
		return "postgres://(unparseable URL)"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// openPostgres opens the state in the PostgreSQL database at url. The
// writer works as it does on SQLite: one connection, group commit, a
// savepoint per request. Reads use a pool of their own. The tables live in
// the connection's current schema (search_path, which the URL may set).
func openPostgres(ctx context.Context, location string, opts ...Option) (*Store, error) {
	s := &Store{path: Redact(location), d: pgDialect, now: time.Now, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(s)
	}
	u, err := url.Parse(location)
	if err != nil {
		return nil, fmt.Errorf("state: invalid PostgreSQL URL %s", s.path)
	}
	// The read pool cannot write, as SQLite's cannot (query_only).
	q := u.Query()
	q.Set("default_transaction_read_only", "on")
	u.RawQuery = q.Encode()
	readOnly := u.String()
	wrap := func(what string, err error) error {
		// Connection errors name the host and user, never the password;
		// the URL they carry is replaced by the redacted one all the same.
		msg := strings.ReplaceAll(err.Error(), location, s.path)
		return fmt.Errorf("state: %s %s: %s", what, s.path, msg)
	}
	wdb, err := sql.Open("pgx", location)
	if err != nil {
		return nil, wrap("open", err)
	}
	wdb.SetMaxOpenConns(1)
	conn, err := wdb.Conn(ctx)
	if err != nil {
		wdb.Close()
		return nil, wrap("connect to", err)
	}
	fail := func(err error) (*Store, error) {
		conn.Close()
		wdb.Close()
		return nil, err
	}
	if err := conn.PingContext(ctx); err != nil {
		return fail(wrap("connect to", err))
	}
	if err := migrate(ctx, conn, s.d, s.now, s.log); err != nil {
		if errors.Is(err, ErrSchemaTooNew) {
			return fail(fmt.Errorf("state: migrate %s: %w", s.path, err))
		}
		return fail(wrap("migrate", err))
	}
	rdb, err := sql.Open("pgx", readOnly)
	if err != nil {
		return fail(wrap("open", err))
	}
	n := max(4, runtime.GOMAXPROCS(0))
	rdb.SetMaxOpenConns(n)
	rdb.SetMaxIdleConns(n)
	s.rdb = rdb
	s.reads = newStmtCache(s.d, rdb.PrepareContext)
	s.w = newWriter(wdb, conn, s.d, s.now, s.log, nil, nil)
	return s, nil
}

// isConflict reports whether err is PostgreSQL's deadlock_detected or
// serialization_failure: the request lost a race with another process and
// may pass when run again.
func isConflict(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// pgSize sizes the tables of the store's schema, indexes and TOAST
// included, in PostgreSQL's blocks. PostgreSQL keeps no free list to report:
// what deleted rows held is reused by the same table after VACUUM
// (autovacuum does it), and returned to the system only by VACUUM FULL.
const pgSize = `SELECT current_setting('block_size')::bigint,
	COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::bigint / current_setting('block_size')::bigint, 0::bigint
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname = current_schema() AND c.relkind = 'r'`
