package state

import (
	"strconv"
	"strings"
)

// Backend names the database a store keeps its state in.
type Backend string

// The backends.
const (
	SQLite   Backend = "sqlite"
	Postgres Backend = "postgres"
)

// Row locks for the reads a write request decides on. SQLite has one
// writer, so nothing can change between its read and its write; under
// PostgreSQL's READ COMMITTED another process can, so such reads lock the
// rows they read. In the SQLite text they are comments.
const (
	// forUpdate ends a SELECT whose rows the request goes on to change.
	forUpdate = " /*lock*/"
	// skipLocked ends a SELECT that takes work: rows another process is
	// taking are left to it.
	skipLocked = " /*lock skip*/"
)

// dialect is what differs between the backends in the store's SQL. The
// queries are written once, for SQLite; rebind turns one into PostgreSQL
// once, when its statement is prepared.
type dialect struct {
	backend Backend
	// begin starts the writer's transaction.
	begin string
}

var (
	sqliteDialect = dialect{backend: SQLite, begin: "BEGIN IMMEDIATE"}
	pgDialect     = dialect{backend: Postgres, begin: "BEGIN"}
)

// rebind returns query in the backend's own SQL. For PostgreSQL: the
// placeholders ? and ?N become $N (a bare ? takes the number after the
// highest used so far, as in SQLite), the lock markers become FOR UPDATE
// [SKIP LOCKED], LIKE becomes ILIKE (SQLite's LIKE ignores ASCII case), and
// a BLOB read as text is read with encode(..., 'escape'), which never
// fails on bytes that are not UTF-8.
func (d dialect) rebind(query string) string {
	if d.backend != Postgres {
		return query
	}
	query = strings.NewReplacer(
		skipLocked, " FOR UPDATE SKIP LOCKED",
		forUpdate, " FOR UPDATE",
		" LIKE ", " ILIKE ",
		"CAST(payload AS TEXT)", "encode(payload, 'escape')",
	).Replace(query)
	var b strings.Builder
	b.Grow(len(query) + 8)
	highest := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch c {
		case '\'', '"': // a literal or quoted identifier: copied as is
			j := strings.IndexByte(query[i+1:], c)
			if j < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+j+2])
			i += j + 1
			continue
		case '?':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			n := highest + 1
			if j > i+1 {
				n, _ = strconv.Atoi(query[i+1 : j])
			}
			highest = max(highest, n)
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			i = j - 1
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
