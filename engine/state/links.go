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

func putLinks(tx *wtx, links []Link) error {
	for _, l := range links {
		if l.Namespace == "" || l.Key == "" {
			return fmt.Errorf("link %q/%q: namespace and key are required", l.Namespace, l.Key)
		}
		_, err := tx.exec(`INSERT INTO links (namespace, link_key, value, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (namespace, link_key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
			l.Namespace, l.Key, l.Value, tx.now.UnixNano())
		if err != nil {
			return fmt.Errorf("link %s/%s: %w", l.Namespace, l.Key, err)
		}
	}
	return nil
}
