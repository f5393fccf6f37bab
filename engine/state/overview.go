package state

import (
	"context"
	"strings"
	"time"
)

// PipelineHealth sums up one pipeline's runs.
type PipelineHealth struct {
	Pipeline    string
	LastStatus  RunStatus // of the newest run; empty when it never ran
	LastRun     time.Time
	LastError   string
	LastSuccess time.Time // zero when it never succeeded
	// RecentFailures counts failed or dead runs started since the time asked.
	RecentFailures int
}

// PipelineHealths returns the health of every pipeline that has runs, by
// name; RecentFailures counts runs started at or after since.
func (s *Store) PipelineHealths(ctx context.Context, since time.Time) ([]PipelineHealth, error) {
	return queryAll(ctx, s, "pipeline health", func(sc scanner) (PipelineHealth, error) {
		var h PipelineHealth
		err := sc.Scan(&h.Pipeline, &h.LastStatus, timeCol{&h.LastRun}, &h.LastError, timeCol{&h.LastSuccess}, &h.RecentFailures)
		return h, err
	}, `SELECT p.pipeline,
			COALESCE((SELECT status FROM runs r WHERE r.pipeline = p.pipeline ORDER BY started_at DESC, rowid DESC LIMIT 1), ''),
			(SELECT started_at FROM runs r WHERE r.pipeline = p.pipeline ORDER BY started_at DESC, rowid DESC LIMIT 1),
			COALESCE((SELECT error FROM runs r WHERE r.pipeline = p.pipeline ORDER BY started_at DESC, rowid DESC LIMIT 1), ''),
			(SELECT MAX(COALESCE(finished_at, started_at)) FROM runs r WHERE r.pipeline = p.pipeline AND status = 'succeeded'),
			(SELECT COUNT(*) FROM runs r WHERE r.pipeline = p.pipeline AND status IN ('failed', 'dead') AND started_at >= ?)
		FROM (SELECT DISTINCT pipeline FROM runs) p ORDER BY p.pipeline`, since.UnixNano())
}

// ConnectionHealth sums up the writes made through one connection.
type ConnectionHealth struct {
	Connection     string
	LastStatus     IntentStatus
	LastWrite      time.Time
	LastError      string
	LastSuccess    time.Time
	RecentFailures int // failed writes updated at or after the time asked
}

// ConnectionHealths returns, per connection that wrote anything, the outcome
// of its newest write, its last successful write and its failed writes since.
func (s *Store) ConnectionHealths(ctx context.Context, since time.Time) ([]ConnectionHealth, error) {
	return queryAll(ctx, s, "connection health", func(sc scanner) (ConnectionHealth, error) {
		var h ConnectionHealth
		err := sc.Scan(&h.Connection, &h.LastStatus, timeCol{&h.LastWrite}, &h.LastError, timeCol{&h.LastSuccess}, &h.RecentFailures)
		return h, err
	}, `SELECT c.connection,
			COALESCE((SELECT status FROM intents i WHERE i.connection = c.connection ORDER BY updated_at DESC LIMIT 1), ''),
			(SELECT updated_at FROM intents i WHERE i.connection = c.connection ORDER BY updated_at DESC LIMIT 1),
			COALESCE((SELECT error FROM intents i WHERE i.connection = c.connection ORDER BY updated_at DESC LIMIT 1), ''),
			(SELECT MAX(updated_at) FROM intents i WHERE i.connection = c.connection AND status = 'done'),
			(SELECT COUNT(*) FROM intents i WHERE i.connection = c.connection AND status = 'failed' AND updated_at >= ?)
		FROM (SELECT DISTINCT connection FROM intents WHERE connection != '') c ORDER BY c.connection`, since.UnixNano())
}

// QueueDepth counts one pipeline's live, dead and parked inbox items.
// Waiting items are pending but not due before the time asked (a retry
// later, or a target not ready yet); Pending ones are due.
type QueueDepth struct {
	Pipeline                                string
	Pending, Waiting, Running, Dead, Parked int
}

// QueueDepths returns the queue of every pipeline with live or dead items,
// by name, splitting pending items into due and waiting at now.
func (s *Store) QueueDepths(ctx context.Context, now time.Time) ([]QueueDepth, error) {
	return queryAll(ctx, s, "queue depths", func(sc scanner) (QueueDepth, error) {
		var q QueueDepth
		err := sc.Scan(&q.Pipeline, &q.Pending, &q.Waiting, &q.Running, &q.Dead, &q.Parked)
		return q, err
	}, `SELECT pipeline,
			SUM(CASE WHEN status = 'pending' AND not_before <= ?1 THEN 1 ELSE 0 END),
			SUM(CASE WHEN status = 'pending' AND not_before > ?1 THEN 1 ELSE 0 END),
			SUM(CASE status WHEN 'running' THEN 1 ELSE 0 END), SUM(CASE status WHEN 'dead' THEN 1 ELSE 0 END),
			SUM(CASE status WHEN 'parked' THEN 1 ELSE 0 END)
		FROM inbox WHERE status IN ('pending', 'running', 'dead', 'parked') GROUP BY pipeline ORDER BY pipeline`, now.UnixNano())
}

// RunsOfItems returns the runs made for the given inbox items, newest first.
func (s *Store) RunsOfItems(ctx context.Context, ids []int64) ([]Run, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return queryAll(ctx, s, "runs of items", scanRun, `SELECT `+runCols+` FROM runs WHERE item_id IN (`+placeholders(len(ids))+`)
		ORDER BY started_at DESC, rowid DESC`, args...)
}

// IntentsOfRuns returns the writes recorded by the given runs, oldest first.
func (s *Store) IntentsOfRuns(ctx context.Context, runIDs []string) ([]Intent, error) {
	if len(runIDs) == 0 {
		return nil, nil
	}
	args := make([]any, len(runIDs))
	for i, id := range runIDs {
		args[i] = id
	}
	return s.intents(ctx, `SELECT `+intentCols+` FROM intents WHERE run_id IN (`+placeholders(len(runIDs))+`) ORDER BY created_at, idem_key`, args...)
}

// IntentsByIdentity returns the writes whose target identity is one of
// identities or contains one of parts, oldest first.
func (s *Store) IntentsByIdentity(ctx context.Context, identities, parts []string) ([]Intent, error) {
	conds, args := identityConds("identity", identities, parts)
	if len(conds) == 0 {
		return nil, nil
	}
	return s.intents(ctx, `SELECT `+intentCols+` FROM intents WHERE `+strings.Join(conds, " OR ")+` ORDER BY created_at, idem_key`, args...)
}

// LinksByKey returns the links whose key is one of keys or contains one of
// parts.
func (s *Store) LinksByKey(ctx context.Context, keys, parts []string) ([]Link, error) {
	conds, args := identityConds("link_key", keys, parts)
	if len(conds) == 0 {
		return nil, nil
	}
	return queryAll(ctx, s, "links", func(sc scanner) (Link, error) {
		var l Link
		err := sc.Scan(&l.Namespace, &l.Key, &l.Value, timeCol{&l.UpdatedAt})
		return l, err
	}, `SELECT namespace, link_key, value, updated_at FROM links WHERE `+strings.Join(conds, " OR ")+
		` ORDER BY namespace, link_key`, args...)
}

func identityConds(col string, exact, parts []string) ([]string, []any) {
	var conds []string
	var args []any
	for _, v := range exact {
		conds = append(conds, col+" = ?")
		args = append(args, v)
	}
	for _, v := range parts {
		conds = append(conds, col+` LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscape(v)+"%")
	}
	return conds, args
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// likeEscape quotes LIKE's wildcards in s for ESCAPE '\'.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
