package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"
)

// Default retention periods.
const (
	// DefaultRetain is how long finished inbox items, runs and step
	// attempts are kept.
	DefaultRetain = 30 * 24 * time.Hour
	// DefaultRetainIntents is how long closed intents are kept. It must
	// outlast every way the same write can be asked for again: a vendor's
	// webhook retries (BigCommerce: 48 h), a poll's lookback, a `tote plan
	// -since` window, or `tote retry` of a finished item still kept.
	DefaultRetainIntents = 90 * 24 * time.Hour
)

// Retention says what Prune removes.
type Retention struct {
	// Records: done and superseded inbox items, and runs with their step
	// attempts, finished longer ago than this. Default DefaultRetain.
	Records time.Duration
	// Intents: done and failed intents closed longer ago than this; never
	// shorter than Records. Default DefaultRetainIntents, or Records when
	// that is longer.
	Intents time.Duration
	// Batch bounds the rows one write removes, so the writer is never held
	// for long. Default 200.
	Batch int
	// DryRun counts what would be removed and removes nothing.
	DryRun bool
}

// PruneResult counts what Prune removed (or would remove, in a dry run).
type PruneResult struct {
	Items    int // inbox items, with their payloads
	Runs     int // runs, with their errors
	Attempts int // step attempts of those runs
	Intents  int // closed intents, with their outputs
}

// Prune removes what is older than the retention periods:
//
//   - done and superseded inbox items (payloads included). Dead items stay
//     until a person requeues them (then they finish and age like any
//     other), and so do pending and running ones. The newest item is never
//     removed, so item numbers are never reused.
//   - runs and their step attempts, unless the run's item is dead or parked.
//   - done and failed intents. Pending intents (and any other open state)
//     stay: they are writes whose outcome is not known yet.
//
// Links, cursors and leases are never removed. Candidates are found on the
// read pool and deleted in small writes that check again that each row
// may go, so a prune runs beside a serving `tote run` without holding up
// its writes. On SQLite, the writer deletes with secure_delete on, so what
// goes is overwritten in the file, and the pages freed are reused by later
// writes: the file stays flat without VACUUM. On PostgreSQL, deleting is
// deleting: the rows are gone for every reader, their space is reused after
// VACUUM (autovacuum runs it), and old row versions remain in the data
// files until then.
func (s *Store) Prune(ctx context.Context, r Retention) (PruneResult, error) {
	if r.Records == 0 {
		r.Records = DefaultRetain
	}
	if r.Intents == 0 {
		r.Intents = max(DefaultRetainIntents, r.Records)
	}
	if r.Batch <= 0 {
		r.Batch = 200
	}
	if r.Records < 0 {
		return PruneResult{}, fmt.Errorf("state: prune: negative retention %s", r.Records)
	}
	if r.Intents < r.Records {
		return PruneResult{}, fmt.Errorf("state: prune: retention %s for intents is shorter than %s for runs and items "+
			"(an intent must outlive every run that could repeat its write)", r.Intents, r.Records)
	}
	now := s.now()
	p := pruner{s: s, r: r, cut: now.Add(-r.Records).UnixNano(), intentCut: now.Add(-r.Intents).UnixNano()}
	if err := p.runs(ctx); err != nil {
		return p.res, err
	}
	for _, st := range []ItemStatus{ItemDone, ItemSuperseded} {
		if err := p.items(ctx, st); err != nil {
			return p.res, err
		}
	}
	err := p.intents(ctx)
	return p.res, err
}

type pruner struct {
	s         *Store
	r         Retention
	cut       int64 // items and runs finished before this go
	intentCut int64 // closed intents updated before this go
	res       PruneResult
}

// The conditions under which a row may go, checked again by each delete.
const (
	runPrunable = `COALESCE(finished_at, started_at) < ?2
		AND NOT EXISTS (SELECT 1 FROM inbox WHERE inbox.id = runs.item_id AND inbox.status IN ('dead', 'parked'))`
	itemPrunable    = `status IN ('done', 'superseded') AND updated_at < ?2 AND id < (SELECT MAX(id) FROM inbox)`
	intentPrunable  = `status IN ('done', 'failed') AND updated_at < ?2`
	intentScanBatch = 1000
)

// runs prunes runs (and their attempts) in started_at order, using the
// runs_started index: only the runs older than the cut are ever read.
func (p *pruner) runs(ctx context.Context) error {
	lastAt, lastRow := int64(math.MinInt64), int64(0)
	for {
		var cands []runCand
		rows, err := p.s.queryRows(ctx, `SELECT rowid, id, started_at FROM runs
			WHERE started_at < ?2 AND (started_at > ?3 OR (started_at = ?3 AND rowid > ?4)) AND `+runPrunable+`
			ORDER BY started_at, rowid LIMIT ?1`, p.r.Batch, p.cut, lastAt, lastRow)
		if err != nil {
			return fmt.Errorf("state: prune runs: %w", err)
		}
		for rows.Next() {
			var c runCand
			if err := rows.Scan(&c.row, &c.id, &lastAt); err != nil {
				rows.Close()
				return fmt.Errorf("state: prune runs: %w", err)
			}
			lastRow = c.row
			cands = append(cands, c)
		}
		if err := closeRows(rows); err != nil {
			return fmt.Errorf("state: prune runs: %w", err)
		}
		if err := p.removeRuns(ctx, cands); err != nil {
			return err
		}
		if len(cands) < p.r.Batch {
			return nil
		}
	}
}

// runCand is a run that was prunable when the candidates were read.
type runCand struct {
	row int64
	id  string
}

// removeRuns deletes the candidates still prunable, with their attempts, in
// one write; a dry run only counts them.
func (p *pruner) removeRuns(ctx context.Context, cands []runCand) error {
	if len(cands) == 0 {
		return nil
	}
	if p.r.DryRun {
		for _, c := range cands {
			var n int
			var steps []byte
			if err := p.s.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM step_attempts WHERE run_id = ?1),
				(SELECT steps FROM runs WHERE id = ?1)`, c.id).Scan(&n, &steps); err != nil {
				return fmt.Errorf("state: prune runs: %w", err)
			}
			n += countSteps(steps)
			p.res.Runs++
			p.res.Attempts += n
		}
		return nil
	}
	var runs, attempts int
	err := p.s.write(ctx, "prune runs", func(tx *wtx) error {
		runs, attempts = 0, 0
		for _, c := range cands {
			// steps: the attempts kept in the run's row; no row: not prunable.
			var steps []byte
			err := tx.queryRow(`SELECT steps FROM runs WHERE rowid = ?1 AND `+runPrunable+forUpdate, c.row, p.cut).Scan(&steps)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			n, err := tx.affected(`DELETE FROM step_attempts WHERE run_id = ?`, c.id)
			if err != nil {
				return err
			}
			n += int64(countSteps(steps))
			if _, err := tx.exec(`DELETE FROM runs WHERE rowid = ?`, c.row); err != nil {
				return err
			}
			runs++
			attempts += int(n)
		}
		return nil
	})
	if err != nil {
		return err
	}
	p.res.Runs += runs
	p.res.Attempts += attempts
	return nil
}

// items prunes inbox items of one status in not_before order, using the
// inbox_due index: a finished item's not_before is never after its
// updated_at, so only items older than the cut are read.
func (p *pruner) items(ctx context.Context, st ItemStatus) error {
	lastAt, lastID := int64(math.MinInt64), int64(0)
	for {
		var ids []int64
		rows, err := p.s.queryRows(ctx, `SELECT id, not_before FROM inbox
			WHERE status = ?5 AND not_before < ?2 AND (not_before > ?3 OR (not_before = ?3 AND id > ?4)) AND `+itemPrunable+`
			ORDER BY not_before, id LIMIT ?1`, p.r.Batch, p.cut, lastAt, lastID, string(st))
		if err != nil {
			return fmt.Errorf("state: prune items: %w", err)
		}
		for rows.Next() {
			if err := rows.Scan(&lastID, &lastAt); err != nil {
				rows.Close()
				return fmt.Errorf("state: prune items: %w", err)
			}
			ids = append(ids, lastID)
		}
		if err := closeRows(rows); err != nil {
			return fmt.Errorf("state: prune items: %w", err)
		}
		n, err := p.delete(ctx, "prune items", `DELETE FROM inbox WHERE id = ?1 AND `+itemPrunable, ids, p.cut)
		if err != nil {
			return err
		}
		p.res.Items += n
		if len(ids) < p.r.Batch {
			return nil
		}
	}
}

// intents prunes closed intents. No index leads to them, but intents are
// inserted in time order (rowid order is created_at order) and an intent
// is closed after it was created: the scan walks rowids from the start and
// stops at the first page that reaches intents created after the cut. An
// intent out of order (the clock stepped back) waits for a later prune.
func (p *pruner) intents(ctx context.Context) error {
	last := int64(0)
	for {
		var ids []int64
		done := false
		rows, err := p.s.queryRows(ctx, `SELECT rowid, status IN ('done', 'failed') AND updated_at < ?2, created_at >= ?2
			FROM intents WHERE rowid > ?3 ORDER BY rowid LIMIT ?1`, intentScanBatch, p.intentCut, last)
		if err != nil {
			return fmt.Errorf("state: prune intents: %w", err)
		}
		scanned := 0
		for rows.Next() {
			var prunable, young bool
			if err := rows.Scan(&last, &prunable, &young); err != nil {
				rows.Close()
				return fmt.Errorf("state: prune intents: %w", err)
			}
			scanned++
			if prunable {
				ids = append(ids, last)
			}
			done = done || young
		}
		if err := closeRows(rows); err != nil {
			return fmt.Errorf("state: prune intents: %w", err)
		}
		for len(ids) > 0 {
			batch := ids[:min(len(ids), p.r.Batch)]
			ids = ids[len(batch):]
			n, err := p.delete(ctx, "prune intents", `DELETE FROM intents WHERE rowid = ?1 AND `+intentPrunable, batch, p.intentCut)
			if err != nil {
				return err
			}
			p.res.Intents += n
		}
		if done || scanned < intentScanBatch {
			return nil
		}
	}
}

// delete runs del (whose ?1 is a row id and ?2 the cut) for each id in one
// write and reports how many rows went; a dry run only counts them.
func (p *pruner) delete(ctx context.Context, op, del string, ids []int64, cut int64) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	if p.r.DryRun {
		return len(ids), nil
	}
	total := 0
	err := p.s.write(ctx, op, func(tx *wtx) error {
		total = 0
		for _, id := range ids {
			n, err := tx.affected(del, id, cut)
			if err != nil {
				return err
			}
			total += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return total, nil
}

func closeRows(rows interface {
	Err() error
	Close() error
}) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}

// Size is how large the state file is, in pages.
type Size struct {
	PageSize  int64 // bytes per page
	Pages     int64 // pages in the file
	FreePages int64 // pages free for reuse
}

// Bytes is the file's size.
func (z Size) Bytes() int64 { return z.PageSize * z.Pages }

// Size reports the database file's size and how much of it is free.
func (s *Store) Size(ctx context.Context) (Size, error) {
	var z Size
	q := `SELECT (SELECT page_size FROM pragma_page_size), (SELECT page_count FROM pragma_page_count),
		(SELECT freelist_count FROM pragma_freelist_count)`
	if s.d.backend == Postgres {
		q = pgSize
	}
	err := s.queryRow(ctx, q).Scan(&z.PageSize, &z.Pages, &z.FreePages)
	if err != nil {
		return Size{}, fmt.Errorf("state: size: %w", err)
	}
	return z, nil
}
