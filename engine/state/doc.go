// Package state is tote's durable state: one SQLite file (modernc.org/sqlite,
// WAL mode) holding the inbox of events waiting to run, the records of runs
// and step attempts, the write ledger (intents), the links between records in
// BigCommerce and ShipStation, poll and cron cursors, and the lease that keeps
// one `tote run` per state file.
//
// The same Store keeps the state in PostgreSQL when Open is given a
// postgres:// URL (pgx through database/sql). The queries are written once;
// a dialect rebinds them for PostgreSQL when their statements are prepared,
// and each backend has its own migrations under migrations/<backend>,
// numbered alike. Under PostgreSQL several processes share one database, so
// a read that a write decides on locks its rows (or an advisory lock), and
// claims skip the rows another process is taking.
//
// Every write goes through a single writer goroutine that batches concurrent
// requests into one transaction (group commit). Each request runs inside its
// own SAVEPOINT, so a request that fails rolls back alone and reports its own
// error while the rest of the batch commits. A write call returns once its
// batch has committed. A write whose context ends before its turn is not
// run; one whose context ends after its turn came may still commit, although
// the call returns the context's error. Reads use a separate read-only
// connection pool and see every write that returned before they started.
// A checkpointer on a connection of its own copies the write-ahead log into
// the database file in the background, so commits do not wait for it.
//
// Timestamps are stored as Unix nanoseconds (NULL for the zero time) and read
// back in UTC. Every timestamp the store itself writes comes from the clock
// given with WithClock.
//
// The store persists exactly what callers hand it: payloads, outputs, error
// messages and link values are written verbatim. Callers must redact secrets
// and credentials (anything marked sensitive) before passing data in.
package state
