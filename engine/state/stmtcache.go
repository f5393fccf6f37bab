package state

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// stmtCache keeps one prepared statement per query text, so hot queries are
// parsed once rather than on every call.
type stmtCache struct {
	prep func(context.Context, string) (*sql.Stmt, error)
	mu   sync.Mutex
	m    map[string]*sql.Stmt
}

// newStmtCache caches statements prepared with prep, after d has turned
// each query into the backend's SQL.
func newStmtCache(d dialect, prep func(context.Context, string) (*sql.Stmt, error)) *stmtCache {
	return &stmtCache{prep: func(ctx context.Context, q string) (*sql.Stmt, error) {
		return prep(ctx, d.rebind(q))
	}, m: make(map[string]*sql.Stmt)}
}

// get returns the prepared statement for query, preparing it on first use.
func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	st, ok := c.m[query]
	c.mu.Unlock()
	if ok {
		return st, nil
	}
	st, err := c.prep(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[query]; ok {
		// Another goroutine prepared it first; keep theirs.
		st.Close()
		return prev, nil
	}
	c.m[query] = st
	return st, nil
}

// close closes every cached statement.
func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for q, st := range c.m {
		errs = append(errs, st.Close())
		delete(c.m, q)
	}
	return errors.Join(errs...)
}

// scanner is what *sql.Row and *sql.Rows have in common.
type scanner interface {
	Scan(dest ...any) error
}

// errRow is a scanner that reports an error found before the query ran.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
