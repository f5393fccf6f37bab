package shipstationtest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxPageSize is the documented v1 pageSize ceiling.
const maxPageSize = 500

// params is a request's query with lower-cased names: ASP.NET binds query
// parameters case-insensitively.
type params url.Values

func queryOf(r *http.Request) params {
	p := params{}
	for k, v := range r.URL.Query() {
		lk := strings.ToLower(k)
		p[lk] = append(p[lk], v...)
	}
	return p
}

// get returns the first value of name (lower case), trimmed.
func (p params) get(name string) string {
	if v := p[name]; len(v) > 0 {
		return strings.TrimSpace(v[0])
	}
	return ""
}

// paramError is a query value that failed to bind.
type paramError struct{ name, msg string }

func (e *paramError) Error() string { return e.name + ": " + e.msg }

func (p params) int64(name string) (int64, bool, error) {
	v := p.get(name)
	if v == "" {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, false, &paramError{name, fmt.Sprintf("The value '%s' is not valid for %s.", v, name)}
	}
	return n, true, nil
}

// bool reads True/False/true/false/1/0.
func (p params) bool(name string) (bool, bool, error) {
	v := p.get(name)
	if v == "" {
		return false, false, nil
	}
	b, err := strconv.ParseBool(strings.ToLower(v))
	if err != nil {
		return false, false, &paramError{name, fmt.Sprintf("The value '%s' is not valid for %s.", v, name)}
	}
	return b, true, nil
}

// date reads a Pacific date filter.
func (p params) date(name string, honorOffset bool) (time.Time, bool, error) {
	v := p.get(name)
	if v == "" {
		return time.Time{}, false, nil
	}
	t, err := parsePacific(v, honorOffset)
	if err != nil {
		return time.Time{}, false, &paramError{name, fmt.Sprintf("The value '%s' is not valid for %s.", v, name)}
	}
	return t, true, nil
}

// dateRange is an inclusive [start, end] filter; unset ends are open.
type dateRange struct {
	start, end       time.Time
	hasStart, hasEnd bool
}

func (p params) dateRange(prefix string, honorOffset bool) (dateRange, error) {
	var r dateRange
	var err error
	if r.start, r.hasStart, err = p.date(prefix+"start", honorOffset); err != nil {
		return r, err
	}
	r.end, r.hasEnd, err = p.date(prefix+"end", honorOffset)
	return r, err
}

// holds reports whether t is in the range; a missing t never is when the
// range has a bound.
func (r dateRange) holds(t *time.Time) bool {
	if !r.hasStart && !r.hasEnd {
		return true
	}
	if t == nil {
		return false
	}
	if r.hasStart && t.Before(r.start) {
		return false
	}
	return !r.hasEnd || !t.After(r.end)
}

// page is a parsed page and page size. broken is the broken_paging fault:
// the page asked for is ignored.
type page struct {
	number, size int
	broken       bool
}

func (s *Server) pageOf(p params) (page, error) {
	pg := page{number: 1, size: s.opts.DefaultPageSize, broken: s.faults.Get().BrokenPaging}
	if n, ok, err := p.int64("page"); err != nil {
		return pg, err
	} else if ok {
		if n < 1 {
			return pg, &paramError{"page", "page must be 1 or more."}
		}
		pg.number = int(n)
	}
	if n, ok, err := p.int64("pagesize"); err != nil {
		return pg, err
	} else if ok {
		switch {
		case n < 1:
			return pg, &paramError{"pageSize", "pageSize must be between 1 and 500."}
		case n > maxPageSize && s.opts.ClampPageSize:
			n = maxPageSize
		case n > maxPageSize:
			return pg, &paramError{"pageSize", "pageSize must be between 1 and 500."}
		}
		pg.size = int(n)
	}
	return pg, nil
}

// paginate cuts one page out of items; a page past the end is empty.
func paginate[T any](items []T, pg page) (out []T, total, pages int) {
	total = len(items)
	pages = (total + pg.size - 1) / pg.size
	from := (pg.number - 1) * pg.size
	if pg.broken {
		from, pages = 0, max(pages, pg.number+1)
	}
	if from >= total {
		return []T{}, total, pages
	}
	return items[from:min(from+pg.size, total)], total, pages
}

// writeParamError answers a query that failed to bind.
func writeParamError(w http.ResponseWriter, err error) {
	if pe, ok := err.(*paramError); ok {
		v1Invalid(w, pe.name, pe.msg)
		return
	}
	v1Message(w, http.StatusBadRequest, err.Error())
}

// sortDesc reads sortDir (ASC by default).
func sortDesc(p params) bool { return strings.EqualFold(p.get("sortdir"), "DESC") }

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
