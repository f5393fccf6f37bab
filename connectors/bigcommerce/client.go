package bigcommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/budget"
	"github.com/toteworks/tote/connectors/internal/pager"
	"github.com/toteworks/tote/connectors/internal/redirect"
)

// pageLimit is the largest page both API versions serve.
const pageLimit = 250

// client calls one store's REST API. Every request takes a token from the
// credential's budget first; 429s, 5xx, timeouts and malformed bodies are
// retried here a few times before the caller sees an error.
type client struct {
	base   string // api_url + "/stores/" + store_hash
	token  string
	http   *http.Client
	budget *budget.Budget
	after  func(time.Duration) <-chan time.Time
	// attemptTimeout bounds one request; attempts bounds the tries of a call.
	attemptTimeout time.Duration
	attempts       int
	maxPages       int // the most pages one list reads; 0: pager.DefaultMax
	observer       connectors.Observer
}

// call is one API request.
type call struct {
	method, path string // path below the store, e.g. "/v2/orders"
	query        url.Values
	body         any
	prio         budget.Priority
	// replayable calls may be sent again after a 5xx, a timeout or an
	// unreadable answer: reads and writes that set absolute state. Creating
	// writes are not, since the first may have landed; the engine finds out
	// by planning again.
	replayable bool
}

// outcome is what one attempt came to.
type outcome struct {
	status  int
	err     error
	retry   bool          // another attempt may succeed
	wait    time.Duration // the vendor's reset, after a 429
	tooMany bool
}

// do performs a call, decoding a successful JSON answer into out (when not
// nil), and returns the HTTP status.
func (c *client) do(ctx context.Context, cl call, out any) (int, error) {
	var payload []byte
	if cl.body != nil {
		b, err := json.Marshal(cl.body)
		if err != nil {
			return 0, connectors.Permanent(fmt.Errorf("bigcommerce: encoding the %s %s body: %w", cl.method, cl.path, err))
		}
		payload = b
	}
	replayable := cl.method == http.MethodGet || cl.replayable
	var last outcome
	for attempt := 0; attempt < c.attempts; attempt++ {
		if attempt > 0 && !last.tooMany {
			// A 429 already blocks the budget until the vendor's reset.
			if err := c.sleep(ctx, backoff(attempt)); err != nil {
				return 0, err
			}
		}
		last = c.once(ctx, cl, payload, out, replayable)
		if last.err == nil || !last.retry {
			return last.status, last.err
		}
	}
	if last.tooMany {
		err := last.err
		if !replayable {
			// Only 429s are tried again when a call is not replayable:
			// the vendor never acted on any attempt.
			err = connectors.NotApplied(err)
		}
		return 0, &connectors.RetryAfterError{After: last.wait, Err: err}
	}
	return 0, last.err
}

// once makes one attempt.
func (c *client) once(ctx context.Context, cl call, payload []byte, out any, replayable bool) outcome {
	if err := c.budget.Wait(ctx, cl.prio); err != nil {
		return outcome{err: connectors.NotApplied(err)} // nothing was sent
	}
	actx, cancel := context.WithTimeout(ctx, c.attemptTimeout)
	defer cancel()
	u := c.base + cl.path
	if len(cl.query) > 0 {
		u += "?" + cl.query.Encode()
	}
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(actx, cl.method, u, rd)
	if err != nil {
		return outcome{err: connectors.Permanent(fmt.Errorf("bigcommerce: %s %s: %w", cl.method, cl.path, err))}
	}
	req.Header.Set("X-Auth-Token", c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "tote")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.notify(cl, 0)
		if ctx.Err() != nil {
			return outcome{err: ctx.Err()}
		}
		// net/http errors name the URL, which holds no credential.
		err = fmt.Errorf("bigcommerce: %s %s: %w", cl.method, cl.path, unwrapURLError(err))
		if redirect.Is(err) {
			return outcome{err: connectors.Permanent(err)}
		}
		if notSent(err) {
			return outcome{err: connectors.NotApplied(err), retry: true}
		}
		return outcome{err: err, retry: replayable}
	}
	defer resp.Body.Close()
	c.observe(resp.Header)
	c.notify(cl, resp.StatusCode)
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		if ctx.Err() != nil {
			return outcome{err: ctx.Err()}
		}
		return outcome{err: fmt.Errorf("bigcommerce: %s %s: reading the answer: %w", cl.method, cl.path, err), retry: replayable}
	}
	status := resp.StatusCode
	fail := &apiError{Method: cl.method, Path: cl.path, Status: status, Message: vendorMessage(body)}
	switch {
	case status == http.StatusTooManyRequests:
		wait, named := resetOf(resp.Header)
		if !named {
			// Without the rate-limit headers a 429 means platform load.
			wait = backoff(1)
		}
		c.budget.Throttled(wait)
		connectors.ObserveThrottled(ctx)
		// A 429 was never acted on, so even creating writes may be resent.
		return outcome{err: fail, retry: true, wait: wait, tooMany: true}
	case status >= 500:
		return outcome{err: fail, retry: replayable}
	case status >= 400:
		return outcome{status: status, err: connectors.Permanent(fail)}
	}
	if out != nil && status != http.StatusNoContent && len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, out); err != nil {
			return outcome{err: fmt.Errorf("bigcommerce: %s %s: malformed answer: %w", cl.method, cl.path, err), retry: replayable}
		}
	}
	return outcome{status: status}
}

// notify tells the connection's observer about one request.
func (c *client) notify(cl call, status int) {
	if c.observer == nil {
		return
	}
	c.observer.VendorCall(connectors.VendorCall{Method: cl.method, Endpoint: connectors.Endpoint(cl.path),
		Status: status, BudgetRemaining: c.budget.Remaining()})
}

// observe feeds the rate-limit headers to the budget.
func (c *client) observe(h http.Header) {
	left, err := strconv.Atoi(h.Get("X-Rate-Limit-Requests-Left"))
	if err != nil {
		return
	}
	reset, _ := resetOf(h)
	c.budget.Observe(left, reset)
}

// resetOf reads when the window resets: X-Rate-Limit-Time-Reset-Ms, else
// X-Retry-After (seconds).
func resetOf(h http.Header) (time.Duration, bool) {
	if ms, err := strconv.ParseInt(h.Get("X-Rate-Limit-Time-Reset-Ms"), 10, 64); err == nil && ms >= 0 {
		return time.Duration(ms) * time.Millisecond, true
	}
	if s, err := strconv.ParseInt(h.Get("X-Retry-After"), 10, 64); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	return 0, false
}

// backoff is the wait before attempt n (n >= 1): exponential from 500 ms,
// capped at 20 s, with jitter over its upper half.
func backoff(n int) time.Duration {
	d := 500 * time.Millisecond << min(n-1, 6)
	d = min(d, 20*time.Second)
	return d/2 + rand.N(d/2+1)
}

func (c *client) sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-c.after(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// notSent reports a failure to connect: the request never left.
func notSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// v2List fetches a v2 list page by page (limit 250) until a short page or
// a 204, stopping early once it holds max items (0: no limit). v2 pages
// carry no metadata, so a page that repeats the one before ends the read
// with an error, as does a list longer than the client's page cap.
func v2List[T any](ctx context.Context, c *client, cl call, max int) ([]T, error) {
	var all []T
	err := v2Pages(ctx, c, cl, func(items []T) error {
		all = append(all, items...)
		if max > 0 && len(all) >= max {
			return errEnough
		}
		return nil
	})
	if err != nil && err != errEnough {
		return nil, err
	}
	return all, nil
}

// errEnough ends a paged read early, without error.
var errEnough = errors.New("enough")

// v2Pages reads a v2 list as v2List does, handing each page's items to
// page instead of keeping them; an error from page ends the read and is
// returned as it is.
func v2Pages[T any](ctx context.Context, c *client, cl call, page func([]T) error) error {
	pages := pager.New("bigcommerce: "+cl.method+" "+cl.path, c.maxPages)
	for {
		n, err := pages.Next()
		if err != nil {
			return err
		}
		q := cloneQuery(cl.query)
		q.Set("limit", strconv.Itoa(pageLimit))
		q.Set("page", strconv.Itoa(n))
		pc := cl
		pc.query = q
		var raw json.RawMessage
		status, err := c.do(ctx, pc, &raw)
		if err != nil {
			return err
		}
		if status == http.StatusNoContent || len(bytes.TrimSpace(raw)) == 0 {
			return nil
		}
		var items []T
		if err := json.Unmarshal(raw, &items); err != nil {
			return fmt.Errorf("bigcommerce: %s %s: malformed answer: %w", cl.method, cl.path, err)
		}
		if len(items) == 0 {
			return nil
		}
		if err := pages.Check(0, raw); err != nil {
			return err
		}
		if err := page(items); err != nil {
			return err
		}
		if len(items) < pageLimit {
			return nil
		}
	}
}

// v3List fetches every page of a v3 list. Its own page counter decides
// which page comes next and meta.pagination.total_pages when to stop; a
// current_page other than the one asked for, a page that repeats the one
// before, or more pages than the client's cap end the read with an error.
func v3List[T any](ctx context.Context, c *client, cl call) ([]T, error) {
	var all []T
	err := v3Pages(ctx, c, cl, func(items []T) error {
		all = append(all, items...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// v3Pages reads a v3 list as v3List does, handing each page's items to
// page instead of keeping them; an error from page ends the read and is
// returned as it is.
func v3Pages[T any](ctx context.Context, c *client, cl call, page func([]T) error) error {
	pages := pager.New("bigcommerce: "+cl.method+" "+cl.path, c.maxPages)
	for {
		n, err := pages.Next()
		if err != nil {
			return err
		}
		q := cloneQuery(cl.query)
		if q.Get("limit") == "" {
			q.Set("limit", strconv.Itoa(pageLimit))
		}
		q.Set("page", strconv.Itoa(n))
		pc := cl
		pc.query = q
		var env struct {
			Data json.RawMessage `json:"data"`
			Meta struct {
				Pagination *v3Pagination `json:"pagination"`
			} `json:"meta"`
		}
		if _, err := c.do(ctx, pc, &env); err != nil {
			return err
		}
		var items []T
		if len(env.Data) > 0 {
			if err := json.Unmarshal(env.Data, &items); err != nil {
				return fmt.Errorf("bigcommerce: %s %s: malformed answer: %w", cl.method, cl.path, err)
			}
		}
		p := env.Meta.Pagination
		if len(items) > 0 {
			answered := 0
			if p != nil {
				answered = p.CurrentPage
			}
			if err := pages.Check(answered, env.Data); err != nil {
				return err
			}
			if err := page(items); err != nil {
				return err
			}
		}
		if p == nil || len(items) == 0 || n >= p.TotalPages {
			return nil
		}
	}
}

// v3Data performs a v3 call whose answer is {data: T, meta}.
func v3Data[T any](ctx context.Context, c *client, cl call) (T, error) {
	var env struct {
		Data T `json:"data"`
	}
	_, err := c.do(ctx, cl, &env)
	return env.Data, err
}

func cloneQuery(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// joinInts renders ids for an :in filter.
func joinInts(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}
