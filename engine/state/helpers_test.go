package state

import (
	"context"
	"database/sql"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/toteworks/tote/engine/state/statetest"
)

// The conformance suite: tests that call backends run once per backend,
// as subtests named "sqlite" and "postgres", and openTest (or testLocation)
// inside them opens that backend. PostgreSQL is the database at the URL in
// $TOTE_TEST_POSTGRES; each store gets a schema of its own, dropped after
// the test. Without the variable the postgres subtests skip, except under
// CI=true, where they fail: CI must not pass without PostgreSQL.
func backends(t *testing.T, test func(t *testing.T)) {
	t.Helper()
	t.Run(string(SQLite), test)
	t.Run(string(Postgres), func(t *testing.T) {
		requirePostgres(t)
		test(t)
	})
}

// requirePostgres skips t (fails it under CI=true) when no PostgreSQL was
// given, and returns its URL.
func requirePostgres(t testing.TB) string {
	t.Helper()
	u := os.Getenv("TOTE_TEST_POSTGRES")
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("TOTE_TEST_POSTGRES is not set: CI runs the state tests against PostgreSQL (see .ci/run)")
		}
		t.Skip("TOTE_TEST_POSTGRES is not set (a postgres:// URL): the PostgreSQL backend is not tested")
	}
	return u
}

// onPostgres reports whether t runs inside backends' postgres subtest.
func onPostgres(t testing.TB) bool {
	return strings.Contains(t.Name()+"/", "/"+string(Postgres)+"/")
}

// testLocation returns where a fresh store for t lives: a file in a
// temporary directory, or a new PostgreSQL schema (dropped when t ends).
func testLocation(t testing.TB) string {
	t.Helper()
	if !onPostgres(t) {
		return filepath.Join(t.TempDir(), "state.db")
	}
	return freshSchema(t, requirePostgres(t))
}

// freshSchema is statetest.Schema.
func freshSchema(t testing.TB, base string) string {
	t.Helper()
	return statetest.Schema(t, base)
}

// testClock is a manual clock for tests.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// openTest opens a fresh store (see testLocation) with a test clock.
func openTest(t testing.TB, opts ...Option) (*Store, *testClock) {
	t.Helper()
	clock := newTestClock()
	loc := testLocation(t)
	s, err := Open(context.Background(), loc, append([]Option{WithClock(clock.Now)}, opts...)...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	testLocations.Store(s, loc)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, clock
}

// batchLog records the size of every group commit the writer logs.
type batchLog struct {
	mu    sync.Mutex
	sizes []int
}

func (h *batchLog) Enabled(context.Context, slog.Level) bool { return true }
func (h *batchLog) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *batchLog) WithGroup(string) slog.Handler            { return h }

func (h *batchLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "state: group commit" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "requests" {
			h.mu.Lock()
			h.sizes = append(h.sizes, int(a.Value.Int64()))
			h.mu.Unlock()
		}
		return true
	})
	return nil
}

func (h *batchLog) Sizes() []int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]int(nil), h.sizes...)
}

// gate blocks the writer: it submits a request that signals when it runs
// and then waits for release. While it waits, every request submitted
// queues up and lands in the next batch.
func gate(t *testing.T, s *Store) (release func(), done <-chan error) {
	t.Helper()
	started := make(chan struct{})
	open := make(chan struct{})
	d, err := s.w.submit(context.Background(), func(*wtx) error {
		close(started)
		<-open
		return nil
	})
	if err != nil {
		t.Fatalf("submit gate: %v", err)
	}
	<-started
	return func() { close(open) }, d
}

func mustEnqueue(t *testing.T, s *Store, items ...NewItem) []EnqueueResult {
	t.Helper()
	res, err := s.Enqueue(context.Background(), items...)
	if err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	return res
}

// takeOverClaims claims n pending items, lets the claims' leases run out
// and claims the items again: it returns the stale claims and the fresh.
func takeOverClaims(t *testing.T, s *Store, clock *testClock, n int) (stale, fresh []Item) {
	t.Helper()
	ctx := context.Background()
	stale, err := s.Claim(ctx, n, time.Minute)
	if err != nil || len(stale) != n {
		t.Fatalf("claim = %v, %v", stale, err)
	}
	clock.Advance(2 * time.Minute)
	if _, err := s.RecoverRunning(ctx, false); err != nil {
		t.Fatal(err)
	}
	fresh, err = s.Claim(ctx, n, time.Minute)
	if err != nil || len(fresh) != n {
		t.Fatalf("second claim = %v, %v", fresh, err)
	}
	return stale, fresh
}

func mustItem(t *testing.T, s *Store, id int64) Item {
	t.Helper()
	it, err := s.Item(context.Background(), id)
	if err != nil {
		t.Fatalf("Item(%d): %v", id, err)
	}
	return it
}

// withPassword returns base with a password for its user, and the
// password: the one base has, or pw (a server that trusts local
// connections ignores it).
func withPassword(t testing.TB, base, pw string) (string, string) {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	if real, ok := u.User.Password(); ok {
		return base, real
	}
	u.User = url.UserPassword(u.User.Username(), pw)
	return u.String(), pw
}

// sqliteConn opens a connection to a new SQLite file in t's temporary
// directory; options end its name (e.g. "?_foreign_keys=1").
func sqliteConn(t *testing.T, options string) *sql.Conn {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "m.db")+options)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// sqliteAt is sqliteConn with the file migrated to version upTo of the
// SQLite migrations; migrateRest applies the others.
func sqliteAt(t *testing.T, options string, upTo int) (conn *sql.Conn, migrateRest func()) {
	t.Helper()
	conn = sqliteConn(t, options)
	ms, err := loadMigrations(migrationFiles, "migrations/sqlite")
	if err != nil {
		t.Fatal(err)
	}
	clock := newTestClock()
	log := slog.New(slog.DiscardHandler)
	if err := applyMigrations(context.Background(), conn, sqliteDialect, ms[:upTo], clock.Now, log); err != nil {
		t.Fatal(err)
	}
	return conn, func() {
		t.Helper()
		if err := applyMigrations(context.Background(), conn, sqliteDialect, ms, clock.Now, log); err != nil {
			t.Fatal(err)
		}
	}
}
