package state

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"time"
)

// rawExec runs the writer's statements that return no rows on SQLite
// through driver statements of the write connection, reached with
// sql.Conn.Raw: database/sql would otherwise copy and convert every
// argument of every statement into a slice of its own. Statements that
// return rows, and every statement on PostgreSQL, take database/sql's
// path.
type rawExec struct {
	conn  *sql.Conn
	d     dialect
	stmts map[string]driver.Stmt
	nv    []driver.NamedValue // the arguments, reused

	// The statement being run, and its outcome: run reads and sets them
	// (bound once, so that a call allocates no closure).
	query string
	args  []any
	res   driver.Result
	ids   []int64 // QueryIDs: the ids read, reused
	rows  bool    // QueryIDs rather than Exec
	run   func(any) error
}

func newRawExec(conn *sql.Conn, d dialect) *rawExec {
	r := &rawExec{conn: conn, d: d, stmts: make(map[string]driver.Stmt)}
	r.run = r.exec
	return r
}

// Exec runs query with args as database/sql's Stmt.Exec would.
func (r *rawExec) Exec(query string, args []any) (sql.Result, error) {
	r.query, r.args = query, args
	err := r.conn.Raw(r.run)
	res := r.res
	r.query, r.args, r.res = "", nil, nil
	if err != nil {
		return nil, err
	}
	return res, nil
}

// QueryIDs runs query, whose rows are one integer each, with args, and
// returns the integers. They are valid until the next call.
func (r *rawExec) QueryIDs(query string, args []any) ([]int64, error) {
	r.query, r.args, r.rows = query, args, true
	err := r.conn.Raw(r.run)
	r.query, r.args, r.rows = "", nil, false
	if err != nil {
		return nil, err
	}
	return r.ids, nil
}

func (r *rawExec) exec(dc any) error {
	st, ok := r.stmts[r.query]
	if !ok {
		prep, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return errors.New("state: the SQLite driver cannot prepare statements with a context")
		}
		var err error
		if st, err = prep.PrepareContext(context.Background(), r.d.rebind(r.query)); err != nil {
			return err
		}
		r.stmts[r.query] = st
	}
	if n := st.NumInput(); n >= 0 && n != len(r.args) {
		return fmt.Errorf("sql: expected %d arguments, got %d", n, len(r.args))
	}
	nv := r.nv[:0]
	for i, a := range r.args {
		v, err := driverValue(a)
		if err != nil {
			clear(nv)
			return fmt.Errorf("sql: converting argument $%d type: %w", i+1, err)
		}
		nv = append(nv, driver.NamedValue{Ordinal: i + 1, Value: v})
	}
	var err error
	if r.rows {
		err = r.queryIDs(st, nv)
	} else if sx, ok := st.(driver.StmtExecContext); ok {
		r.res, err = sx.ExecContext(context.Background(), nv)
	} else {
		err = errors.New("state: the SQLite driver cannot run statements with a context")
	}
	clear(nv)
	r.nv = nv[:0]
	return err
}

// queryIDs reads the integers of a statement's rows into r.ids.
func (r *rawExec) queryIDs(st driver.Stmt, nv []driver.NamedValue) error {
	r.ids = r.ids[:0]
	sq, ok := st.(driver.StmtQueryContext)
	if !ok {
		return errors.New("state: the SQLite driver cannot query with a context")
	}
	rows, err := sq.QueryContext(context.Background(), nv)
	if err != nil {
		return err
	}
	var dest [1]driver.Value
	for {
		if err = rows.Next(dest[:]); err != nil {
			break
		}
		id, ok := dest[0].(int64)
		if !ok {
			err = fmt.Errorf("state: an id of type %T", dest[0])
			break
		}
		r.ids = append(r.ids, id)
	}
	if err == io.EOF {
		err = nil
	}
	return errors.Join(err, rows.Close())
}

// driverValue converts an argument as database/sql does for a driver
// without converters of its own, the usual kinds first.
func driverValue(a any) (driver.Value, error) {
	switch v := a.(type) {
	case nil, int64, string, []byte, float64, bool, time.Time:
		return v, nil
	case int:
		return int64(v), nil
	}
	return driver.DefaultParameterConverter.ConvertValue(a)
}

// close closes the driver statements; a nil rawExec (PostgreSQL's) has
// none.
func (r *rawExec) close() error {
	if r == nil || len(r.stmts) == 0 {
		return nil
	}
	var errs []error
	err := r.conn.Raw(func(any) error {
		for q, st := range r.stmts {
			errs = append(errs, st.Close())
			delete(r.stmts, q)
		}
		return nil
	})
	return errors.Join(append(errs, err)...)
}
