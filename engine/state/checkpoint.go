package state

import (
	"context"
	"database/sql"
	"log/slog"
	"time"
)

// The writer's own checkpoints are only a backstop: the checkpointer copies
// the write-ahead log into the database file beside it, so a commit does
// not wait for that copy and its sync (a few commits in a hundred used to,
// and took a third or more of all commit time).
const (
	// walBackstop is the log size, in pages, at which the writer
	// checkpoints itself because the checkpointer fell behind.
	walBackstop = 4000
	// checkpointEvery bounds how often the checkpointer runs while writes
	// go on.
	checkpointEvery = 100 * time.Millisecond
)

// checkpointer runs passive checkpoints on a connection of its own after
// commits, at most every checkpointEvery. Passive checkpoints never block
// the writer or the readers.
type checkpointer struct {
	db    *sql.DB
	log   *slog.Logger
	kick  chan struct{}
	stop  chan struct{}
	done  chan struct{}
	after func() // tests: called after each checkpoint
}

func newCheckpointer(db *sql.DB, log *slog.Logger, after func()) *checkpointer {
	c := &checkpointer{db: db, log: log, after: after, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// committed tells the checkpointer the log grew; it never blocks. A nil
// checkpointer (PostgreSQL has none) does nothing.
func (c *checkpointer) committed() {
	if c == nil {
		return
	}
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer close(c.done)
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		}
		var busy, frames, copied int
		err := c.db.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
		if err != nil {
			c.log.Warn("state: checkpoint", "err", err)
		}
		if c.after != nil {
			c.after()
		}
		select {
		case <-c.stop:
			return
		case <-time.After(checkpointEvery):
		}
	}
}

// close stops the checkpointer and closes its connection.
func (c *checkpointer) close() error {
	if c == nil {
		return nil
	}
	close(c.stop)
	<-c.done
	return c.db.Close()
}

// withCheckpointed calls f after each background checkpoint (tests).
func withCheckpointed(f func()) Option {
	return func(s *Store) { s.checkpointed = f }
}
