package bigcommercetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/toteworks/tote/connectors/internal/fakekit"
)

// statusCodesURL is the `type` of every v3 error object.
const statusCodesURL = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"

// v2Err is one element of a v2 error array.
type v2Err struct {
	Status  int            `json:"status"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

// v3Err is the v3 error object.
type v3Err struct {
	Status int               `json:"status"`
	Title  string            `json:"title"`
	Type   string            `json:"type"`
	Errors map[string]string `json:"errors"`
}

func writeV2Error(w http.ResponseWriter, status int, msg string) {
	fakekit.WriteJSON(w, status, []v2Err{{Status: status, Message: msg}})
}

func writeV2Invalid(w http.ResponseWriter, field, reason string) {
	fakekit.WriteJSON(w, http.StatusBadRequest, []v2Err{{
		Status:  http.StatusBadRequest,
		Message: fmt.Sprintf("The field '%s' is invalid.", field),
		Details: map[string]any{"invalid_reason": reason},
	}})
}

func writeV2NotFound(w http.ResponseWriter) {
	writeV2Error(w, http.StatusNotFound, "The requested resource was not found.")
}

func writeV3Error(w http.ResponseWriter, status int, title string, errs map[string]string) {
	if errs == nil {
		errs = map[string]string{}
	}
	fakekit.WriteJSON(w, status, v3Err{Status: status, Title: title, Type: statusCodesURL, Errors: errs})
}

// writeProblem writes a v3 error as application/problem+json (inventory).
func writeProblem(w http.ResponseWriter, status int, title string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v3Err{Status: status, Title: title, Type: statusCodesURL, Errors: map[string]string{}})
}

// writeV2List writes a v2 collection: a bare array, or 204 with no body when
// it is empty.
func writeV2List[T any](w http.ResponseWriter, items []T) {
	if len(items) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	fakekit.WriteJSON(w, http.StatusOK, items)
}

type v3Meta struct {
	Pagination *pagination `json:"pagination,omitempty"`
}

type envelope struct {
	Data any    `json:"data"`
	Meta v3Meta `json:"meta"`
}

func writeV3(w http.ResponseWriter, status int, data any) {
	fakekit.WriteJSON(w, status, envelope{Data: data})
}

type pageLinks struct {
	Previous string `json:"previous,omitempty"`
	Current  string `json:"current"`
	Next     string `json:"next,omitempty"`
}

type pagination struct {
	Total       int       `json:"total"`
	Count       int       `json:"count"`
	PerPage     int       `json:"per_page"`
	CurrentPage int       `json:"current_page,omitzero"` // absent only under the broken_paging fault
	TotalPages  int       `json:"total_pages"`
	Links       pageLinks `json:"links"`
}

// paging is a parsed page/limit pair. broken is the broken_paging fault:
// the page asked for is ignored.
type paging struct {
	page, limit int
	broken      bool
}

// parsePaging reads page and limit (default 50, max 250). It reports false
// after answering 413 when the limit is over 250 and the knob asks for it.
func (s *Server) parsePaging(w http.ResponseWriter, r *http.Request, v3 bool) (paging, bool) {
	p := readPaging(r.URL.Query(), 0)
	p.broken = s.faults.Get().BrokenPaging
	if p.limit > 250 {
		if s.opts.RejectLimitOver250 {
			if v3 {
				writeV3Error(w, http.StatusRequestEntityTooLarge, "The limit parameter is too large. The maximum is 250.", nil)
			} else {
				writeV2Error(w, http.StatusRequestEntityTooLarge, "The limit parameter is too large. The maximum is 250.")
			}
			return p, false
		}
		p.limit = 250
	}
	return p, true
}

// readPaging reads page (default 1) and limit (default 50), clamping the
// limit to maxLimit when that is positive.
func readPaging(q url.Values, maxLimit int) paging {
	p := paging{page: 1, limit: 50}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 0 {
		p.page = n
	}
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 {
		p.limit = n
	}
	if maxLimit > 0 && p.limit > maxLimit {
		p.limit = maxLimit
	}
	return p
}

// pageOf cuts one page out of items.
func pageOf[T any](items []T, p paging) []T {
	if p.broken {
		p.page = 1
	}
	start := (p.page - 1) * p.limit
	if start >= len(items) {
		return nil
	}
	end := min(start+p.limit, len(items))
	return items[start:end]
}

// writeV3Page writes one page of items with meta.pagination.
func writeV3Page[T any](w http.ResponseWriter, all []T, p paging) {
	items := pageOf(all, p)
	if items == nil {
		items = []T{}
	}
	pages := (len(all) + p.limit - 1) / p.limit
	link := func(n int) string { return fmt.Sprintf("?page=%d&limit=%d", n, p.limit) }
	pg := &pagination{Total: len(all), Count: len(items), PerPage: p.limit, CurrentPage: p.page,
		TotalPages: pages, Links: pageLinks{Current: link(p.page)}}
	if p.page > 1 {
		pg.Links.Previous = link(p.page - 1)
	}
	if p.page < pages {
		pg.Links.Next = link(p.page + 1)
	}
	if p.broken {
		pg.CurrentPage, pg.TotalPages = 0, max(pages, p.page+1)
		pg.Links.Next = link(p.page + 1)
	}
	fakekit.WriteJSON(w, http.StatusOK, envelope{Data: items, Meta: v3Meta{Pagination: pg}})
}

// errBadContentType marks a body sent without a JSON content type.
var errBadContentType = fmt.Errorf("content type must be application/json")

// decodeBody reads a JSON request body into v. It reports an error for a
// non-JSON content type (errBadContentType) or malformed JSON.
func decodeBody(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return errBadContentType
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return fmt.Errorf("empty body")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("malformed JSON: %w", err)
	}
	return nil
}

// badBodyV2 answers a body decodeBody refused, in v2 form.
func badBodyV2(w http.ResponseWriter, err error) {
	if err == errBadContentType {
		writeV2Error(w, http.StatusUnsupportedMediaType, "The request content type is not supported.")
		return
	}
	writeV2Error(w, http.StatusBadRequest, "The request body is not valid JSON: "+err.Error())
}

// badBodyV3 answers a body decodeBody refused, in v3 form.
func badBodyV3(w http.ResponseWriter, err error) {
	if err == errBadContentType {
		writeV3Error(w, http.StatusUnsupportedMediaType, "The request content type is not supported.", nil)
		return
	}
	writeV3Error(w, http.StatusUnprocessableEntity, "JSON data is missing or invalid", map[string]string{"body": err.Error()})
}

// pathID reads an integer path value.
func pathID(r *http.Request, name string) (int, bool) {
	n, err := strconv.Atoi(r.PathValue(name))
	return n, err == nil && n > 0
}

// intList parses a comma-separated list of integers ("1,2,3").
func intList(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer", part)
		}
		out = append(out, n)
	}
	return out, nil
}

// queryInts reads an integer list filter; ok is false when absent.
func queryInts(q url.Values, key string) (set map[int]bool, present bool, err error) {
	if !q.Has(key) {
		return nil, false, nil
	}
	ns, err := intList(q.Get(key))
	if err != nil {
		return nil, true, err
	}
	set = make(map[int]bool, len(ns))
	for _, n := range ns {
		set[n] = true
	}
	return set, true, nil
}

// queryStrings reads a comma-separated string list filter.
func queryStrings(q url.Values, key string) (set map[string]bool, present bool) {
	if !q.Has(key) {
		return nil, false
	}
	set = map[string]bool{}
	for _, part := range strings.Split(q.Get(key), ",") {
		if part = strings.TrimSpace(part); part != "" {
			set[strings.ToLower(part)] = true
		}
	}
	return set, true
}
