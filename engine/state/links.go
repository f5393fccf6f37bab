package state

import (
	"context"
	"fmt"
	"time"
)

// Link maps an identity in one system to an id in the other, for example
// namespace "shipstation_order", key "bc:store:101", value "94113592".
type Link struct {
	Namespace string
	Key       string
	Value     string
	UpdatedAt time.Time // set by the store
}

// PutLinks inserts or replaces links in one transaction.
func (s *Store) PutLinks(ctx context.Context, links ...Link) error {
	return s.write(ctx, "put links", func(tx *wtx) error { return putLinks(tx, links) })
}

// linkKey is what identifies a link.
type linkKey struct{ namespace, key string }

// putLinks inserts or replaces links, up to groupRows per statement; of
// several links with one namespace and key, the last is kept.
func putLinks(tx *wtx, links []Link) error {
	links = lastOfEach(links, func(l *Link) linkKey { return linkKey{l.Namespace, l.Key} })
	for len(links) > 0 {
		n := min(len(links), groupRows)
		args := tx.argBuf(4 * n)
		for _, l := range links[:n] {
			if l.Namespace == "" || l.Key == "" {
				return fmt.Errorf("link %q/%q: namespace and key are required", l.Namespace, l.Key)
			}
			args = append(args, l.Namespace, l.Key, l.Value, tx.now.UnixNano())
		}
		if _, err := tx.exec(linkInserts[n], args...); err != nil {
			return fmt.Errorf("link %s/%s: %w", links[0].Namespace, links[0].Key, err)
		}
		links = links[n:]
	}
	return nil
}

var linkInserts = multiRow(groupRows, `INSERT INTO links (namespace, link_key, value, updated_at) VALUES `, `(?, ?, ?, ?)`,
	` ON CONFLICT (namespace, link_key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`)
