// Package pager bounds the paginated reads of tote's vendor clients. A list
// is read by a page counter of the client's own, never by the page number
// the vendor reports, up to a maximum page count; a vendor that names a
// different page than the one asked for, or answers the same page twice,
// ends the read with an error instead of an endless loop.
package pager

import (
	"bytes"
	"fmt"

	"github.com/toteworks/tote/connectors"
)

// DefaultMax is the most pages one list reads unless a client says
// otherwise: 250,000 BigCommerce records at 250 a page, 500,000 ShipStation
// v1 records at 500 a page.
const DefaultMax = 1000

// Pages is one paginated read in progress. The zero value is not usable;
// call New.
type Pages struct {
	what string // e.g. "GET /v2/orders", for messages
	max  int
	n    int    // the page last asked for
	prev []byte // the previous page's items, as the vendor sent them
}

// New starts a read of what, of at most max pages (DefaultMax when max is
// not positive).
func New(what string, max int) *Pages {
	if max <= 0 {
		max = DefaultMax
	}
	return &Pages{what: what, max: max}
}

// Next returns the number of the next page to ask for, starting at 1. Past
// the maximum it returns a permanent error: the list is longer than tote
// reads in one go, or the vendor never says it ended.
func (p *Pages) Next() (int, error) {
	if p.n >= p.max {
		return 0, connectors.Permanent(fmt.Errorf("%s: the list did not end after %d pages; narrow the read", p.what, p.max))
	}
	p.n++
	return p.n, nil
}

// Page is the number of the page last asked for.
func (p *Pages) Page() int { return p.n }

// Check judges the answer to the page last asked for: answered is the page
// number the vendor says it sent (0 when it does not say) and items the
// page's items as sent. A page other than the one asked for, or items equal
// to the previous page's, means the vendor's paging is not advancing; that
// is an error (not permanent: the vendor may recover).
func (p *Pages) Check(answered int, items []byte) error {
	if err := Answered(p.what, p.n, answered); err != nil {
		return err
	}
	items = bytes.TrimSpace(items)
	if p.n > 1 && len(items) > 2 && bytes.Equal(items, p.prev) {
		return fmt.Errorf("%s: page %d repeats page %d; the vendor's paging is not advancing", p.what, p.n, p.n-1)
	}
	p.prev = append(p.prev[:0], items...)
	return nil
}

// Answered checks that the answer to a read of what is the page asked for:
// answered is the page number the vendor says it sent (0 when it does not
// say). For a page read on its own, outside a Pages.
func Answered(what string, asked, answered int) error {
	if answered != 0 && answered != asked {
		return fmt.Errorf("%s: asked for page %d, the answer is page %d; the vendor's paging is not advancing", what, asked, answered)
	}
	return nil
}
