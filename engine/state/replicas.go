package state

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Lease is one row of the leases table, as LiveLeases and ReapLeases see it.
type Lease struct {
	Name   string
	Holder string
	Token  int64
	Until  time.Time
}

// replicaTokens is the leases row whose token counts the replica leases
// handed out, so that no two replicas' claims ever carry the same token.
// It never expires nor is held (expires_at 0).
const replicaTokens = "replica-tokens"

// JoinReplicas takes the lease name for holder until now+ttl, one of many
// replicas' leases that live side by side. It refuses (false) while the
// lease exclusive, which a single holder takes to be alone on the state,
// is held and has not expired; the check and the take are one transaction,
// so a replica and an exclusive holder never both start. The token is new:
// it is drawn from a counter that starts above every token in use.
func (s *Store) JoinReplicas(ctx context.Context, exclusive, name, holder string, ttl time.Duration) (Fence, bool, error) {
	if name == "" || holder == "" || ttl <= 0 || name == exclusive || name == replicaTokens {
		return Fence{}, false, fmt.Errorf("state: join replicas: a replica lease name of its own, a holder and a positive ttl are required")
	}
	f := Fence{Name: name, Holder: holder}
	var ok bool
	err := s.write(ctx, "join replicas as "+name, func(tx *wtx) error {
		now := tx.now.UnixNano()
		var live int
		if err := tx.queryRow(`SELECT COUNT(*) FROM leases WHERE name = ? AND expires_at > ?`, exclusive, now).Scan(&live); err != nil {
			return err
		}
		if live > 0 {
			return nil
		}
		if _, err := tx.exec(`INSERT INTO leases (name, holder, token, expires_at, updated_at)
			VALUES (?1, '', (SELECT COALESCE(MAX(token), 0) FROM leases), 0, ?2) ON CONFLICT (name) DO NOTHING`, replicaTokens, now); err != nil {
			return err
		}
		if err := tx.queryRow(`UPDATE leases SET token = token + 1, updated_at = ? WHERE name = ? RETURNING token`, now, replicaTokens).Scan(&f.Token); err != nil {
			return err
		}
		_, err := tx.exec(putLease, name, holder, f.Token, tx.now.Add(ttl).UnixNano(), now)
		ok = err == nil
		return err
	})
	return f, ok, err
}

// leaseCols are the columns scanLease reads, in order.
const leaseCols = `name, holder, token, expires_at`

func scanLease(sc scanner) (Lease, error) {
	var l Lease
	var until int64
	err := sc.Scan(&l.Name, &l.Holder, &l.Token, &until)
	l.Until = time.Unix(0, until)
	return l, err
}

// LiveLeases returns the leases whose name starts with prefix and whose
// expiry has not passed, by name.
func (s *Store) LiveLeases(ctx context.Context, prefix string) ([]Lease, error) {
	return queryAll(ctx, s, "reading leases "+prefix+"*", scanLease, `SELECT `+leaseCols+` FROM leases
		WHERE name LIKE ? ESCAPE '\' AND expires_at > ? ORDER BY name`, likePrefix(prefix), s.now().UnixNano())
}

// ReapLeases ends the leases whose name starts with prefix and whose expiry
// has passed: the replicas that held them stopped, or were paused past
// them and can no longer claim, settle or write. Their running items go
// back to pending at once (rather than when each item's own lease runs
// out), and their rows are removed. Their write intents are left alone: a
// paused replica may still have a vendor call in flight, so those claims
// run out by themselves. It returns the leases it ended and how many items
// it returned.
func (s *Store) ReapLeases(ctx context.Context, prefix string) ([]Lease, int, error) {
	var reaped []Lease
	var items int64
	err := s.write(ctx, "reap leases "+prefix+"*", func(tx *wtx) error {
		reaped, items = nil, 0
		now := tx.now.UnixNano()
		rows, err := tx.query(`SELECT `+leaseCols+` FROM leases
			WHERE name LIKE ? ESCAPE '\' AND expires_at <= ?`, likePrefix(prefix), now)
		if err != nil {
			return err
		}
		for rows.Next() {
			l, err := scanLease(rows)
			if err != nil {
				rows.Close()
				return err
			}
			reaped = append(reaped, l)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		for _, l := range reaped {
			n, err := tx.affected(`UPDATE inbox SET status = 'pending', lease_until = NULL, updated_at = ?
				WHERE status = 'running' AND claim_token = ?`, now, l.Token)
			if err != nil {
				return err
			}
			items += n
			if _, err := tx.exec(`DELETE FROM leases WHERE name = ? AND token = ?`, l.Name, l.Token); err != nil {
				return err
			}
		}
		return nil
	})
	return reaped, int(items), err
}

// likePrefix is a LIKE pattern matching the names that start with prefix.
func likePrefix(prefix string) string {
	return likeEscape(prefix) + "%"
}

// ErrTickLost means a tick's claim passed to another holder (it expired):
// what the first holder found is dropped, and the other's counts.
var ErrTickLost = errors.New("state: the tick's claim passed to another holder")

// TickRetention is how long a done tick is remembered.
const TickRetention = 31 * 24 * time.Hour

// ClaimTick claims a schedule's tick for holder until now+ttl, so that of
// several replicas that fire the same tick one acts on it. It reports true
// when the tick was unclaimed, its claim had expired, or holder holds it
// already (it is trying again), and false when the tick is done or another
// holder's claim is live. The schedule's ticks older than TickRetention
// before tick are forgotten in the same transaction.
func (s *Store) ClaimTick(ctx context.Context, name string, tick time.Time, holder string, ttl time.Duration) (bool, error) {
	if name == "" || holder == "" || ttl <= 0 {
		return false, fmt.Errorf("state: claim tick: name, holder and a positive ttl are required")
	}
	var n int64
	err := s.write(ctx, "claim tick "+name, func(tx *wtx) error {
		now := tx.now.UnixNano()
		if _, err := tx.exec(`DELETE FROM schedule_ticks WHERE name = ? AND tick < ?`, name, tick.Add(-TickRetention).UnixNano()); err != nil {
			return err
		}
		var err error
		n, err = tx.affected(`INSERT INTO schedule_ticks (name, tick, holder, claim_until, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
			ON CONFLICT (name, tick) DO UPDATE SET holder = excluded.holder, claim_until = excluded.claim_until, updated_at = excluded.updated_at
			WHERE schedule_ticks.done = 0 AND (schedule_ticks.holder = excluded.holder OR schedule_ticks.claim_until <= excluded.updated_at)`,
			name, tick.UnixNano(), holder, tx.now.Add(ttl).UnixNano(), now)
		return err
	})
	return n == 1, err
}

// FinishTick commits what holder found for its claimed tick: items are
// enqueued, the cursor moves to value, and the tick is done, in one
// transaction. If the claim is no longer holder's, nothing changes and it
// fails with ErrTickLost.
func (s *Store) FinishTick(ctx context.Context, name string, tick time.Time, holder, cursor, value string, items ...NewItem) ([]EnqueueResult, error) {
	if err := validateItems(items); err != nil {
		return nil, fmt.Errorf("state: finish tick: %w", err)
	}
	return s.enqueueSettingCursor(ctx, "finish tick "+name, cursor, value, items, func(tx *wtx) error {
		n, err := tx.affected(`UPDATE schedule_ticks SET done = 1, updated_at = ? WHERE name = ? AND tick = ? AND holder = ? AND done = 0`,
			tx.now.UnixNano(), name, tick.UnixNano(), holder)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrTickLost
		}
		return nil
	})
}
