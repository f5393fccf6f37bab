package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Keys answers, from another process, whether the inbox of a SQLite
// state file already holds an event: tote run's intake process asks it
// to tell a redelivery from a new delivery without writing to the state.
type Keys struct {
	db   *sql.DB
	stmt *sql.Stmt
}

// OpenKeys opens the state file at path for those questions only. The
// state must exist and be migrated (tote run has opened it).
func OpenKeys(ctx context.Context, path string) (*Keys, error) {
	db, err := sql.Open("sqlite", path+"?_query_only=1&"+dsnCommon)
	if err != nil {
		return nil, fmt.Errorf("state: open %s: %w", path, err)
	}
	stmt, err := db.PrepareContext(ctx, `SELECT 1 FROM inbox WHERE pipeline = ? AND trigger_name = ? AND event_key = ?`)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("state: open %s: %w", path, err)
	}
	return &Keys{db: db, stmt: stmt}, nil
}

// Has reports whether the inbox holds an event of pipeline and trigger
// with key. An empty key is never held: such events are not deduplicated.
func (k *Keys) Has(ctx context.Context, pipeline, trigger, key string) (bool, error) {
	if key == "" {
		return false, nil
	}
	var one int
	err := k.stmt.QueryRowContext(ctx, pipeline, trigger, key).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("state: looking up an event's key: %w", err)
	}
	return true, nil
}

// Close closes the reader.
func (k *Keys) Close() error {
	k.stmt.Close()
	return k.db.Close()
}
