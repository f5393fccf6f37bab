package shipstation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
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

// api says which ShipStation API a call goes to.
type api int

const (
	v1 api = iota // Basic auth, X-Rate-Limit-* headers, 40 requests a minute
	v2            // API-Key header, Retry-After, 200 requests a minute
)

// Retry bounds. A 429 costs nothing but time (the budget holds the next
// attempt until the vendor's reset), so it gets more attempts than a
// failure does.
const (
	maxFailures  = 5
	maxThrottled = 6
	maxBackoff   = 30 * time.Second
)

// clock is the source of time, injectable for tests.
type clock struct {
	now   func() time.Time
	after func(time.Duration) <-chan time.Time
}

// client makes ShipStation calls: authentication, the shared rate budgets,
// retries and error classification.
type client struct {
	v1Base, v2Base string
	v1Auth, v2Key  string
	http           *http.Client
	timeout        time.Duration
	backoff        time.Duration
	v1Budget       *budget.Budget
	v2Budget       *budget.Budget
	clk            clock
	keys           *orderKeys // orderId -> orderKey of every order read
	maxPages       int        // the most pages one list reads; 0: pager.DefaultMax
	observer       connectors.Observer
}

// call is one request.
type call struct {
	api    api
	method string
	// path is relative to the API's base URL, or an absolute URL
	// (a webhook's resource_url, already checked against the allow-list).
	path  string
	query url.Values
	body  any
	prio  budget.Priority
	// once marks a request that must not be repeated once ShipStation may
	// have acted on it (a webhook subscription): only a 429 is retried.
	once bool
}

func (c *client) budgetOf(a api) *budget.Budget {
	if a == v2 {
		return c.v2Budget
	}
	return c.v1Budget
}

// do performs r and decodes a 2xx JSON answer into out (when not nil).
// 429s wait for the vendor's reset; 5xx, timeouts and malformed answers
// are retried with backoff and jitter; other 4xx are permanent.
func (c *client) do(ctx context.Context, r call, out any) error {
	if r.api == v2 && c.v2Key == "" {
		return connectors.Permanent(errors.New("shipstation: this needs the v2 API: set v2_api_key on the connection"))
	}
	var body []byte
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return connectors.Permanent(fmt.Errorf("shipstation: encoding the request: %w", err))
		}
		body = b
	}
	target := r.path
	if !strings.Contains(target, "://") {
		base := c.v1Base
		if r.api == v2 {
			base = c.v2Base
		}
		target = base + target
	}
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}
	b := c.budgetOf(r.api)
	failures, throttled := 0, 0
	for {
		if err := b.Wait(ctx, r.prio); err != nil {
			return err
		}
		status, header, data, err := c.send(ctx, r, target, body) // observes the rate-limit headers
		c.notify(r, status, b)
		if err == nil && status == http.StatusTooManyRequests {
			wait := resetOf(r.api, header)
			b.Throttled(wait)
			connectors.ObserveThrottled(ctx)
			if throttled++; throttled >= maxThrottled {
				return &connectors.RetryAfterError{After: wait,
					Err: fmt.Errorf("shipstation: %s %s: rate limited %d times in a row", r.method, display(r.path), throttled)}
			}
			continue
		}
		var failure error
		switch {
		case err != nil && redirect.Is(err):
			return connectors.Permanent(fmt.Errorf("shipstation: %s %s: %w", r.method, display(r.path), err))
		case err != nil:
			failure = fmt.Errorf("shipstation: %s %s: %w", r.method, display(r.path), err)
		case status >= 500:
			failure = &apiError{Method: r.method, Path: display(r.path), Status: status, Message: vendorMessage(data)}
		case status >= 300:
			return classify(&apiError{Method: r.method, Path: display(r.path), Status: status, Message: vendorMessage(data)})
		case out == nil || status == http.StatusNoContent:
			return nil
		default:
			derr := json.Unmarshal(data, out)
			if derr == nil {
				return nil
			}
			failure = fmt.Errorf("shipstation: %s %s: the answer is not the documented JSON: %w", r.method, display(r.path), derr)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if failures++; r.once || failures >= maxFailures {
			return failure
		}
		select {
		case <-c.clk.after(c.backoffFor(failures)):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// notify tells the connection's observer about one request.
func (c *client) notify(r call, status int, b *budget.Budget) {
	if c.observer == nil {
		return
	}
	c.observer.VendorCall(connectors.VendorCall{Method: r.method, Endpoint: connectors.Endpoint(r.path),
		Status: status, BudgetRemaining: b.Remaining()})
}

// send makes one attempt, bounded by the connection's timeout.
func (c *client) send(ctx context.Context, r call, target string, body []byte) (int, http.Header, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, rd)
	if err != nil {
		return 0, nil, nil, connectors.Permanent(err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.api == v2 {
		req.Header.Set("API-Key", c.v2Key)
	} else {
		req.Header.Set("Authorization", c.v1Auth)
	}
	sent := c.clk.now()
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text repeats the URL
		}
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	if r.api == v1 && resp.StatusCode != http.StatusTooManyRequests {
		observe(c.v1Budget, resp.Header, c.clk.now().Sub(sent))
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("reading the answer: %w", err)
	}
	return resp.StatusCode, resp.Header, data, nil
}

// backoffFor is the wait before retry n: exponential, with jitter.
func (c *client) backoffFor(n int) time.Duration {
	d := min(c.backoff<<(n-1), maxBackoff)
	return d/2 + rand.N(d/2+1)
}

// observe folds the v1 rate-limit headers into the budget. The headers
// describe the window the request was counted in, which may have ended
// while the answer travelled back (the reset is in whole seconds, rounded
// up); such a stale answer would cut the current window short, so it is
// only used when its window surely outlasts the request.
func observe(b *budget.Budget, h http.Header, took time.Duration) {
	left, err1 := strconv.Atoi(h.Get("X-Rate-Limit-Remaining"))
	reset, err2 := strconv.Atoi(h.Get("X-Rate-Limit-Reset"))
	if err1 == nil && err2 == nil && time.Duration(reset-1)*time.Second > took {
		b.Observe(left, time.Duration(reset)*time.Second)
	}
}

// resetOf is how long a 429 asks to wait: X-Rate-Limit-Reset (v1) or
// Retry-After (v2), a minute when neither can be read.
func resetOf(a api, h http.Header) time.Duration {
	names := []string{"Retry-After", "X-Rate-Limit-Reset"}
	if a == v1 {
		names[0], names[1] = names[1], names[0]
	}
	for _, name := range names {
		if secs, err := strconv.Atoi(strings.TrimSpace(h.Get(name))); err == nil && secs >= 0 {
			return max(time.Duration(secs)*time.Second, time.Second)
		}
	}
	return time.Minute
}

// display is a request path for messages: no scheme, host or query.
func display(p string) string {
	if u, err := url.Parse(p); err == nil {
		return u.Path
	}
	return "(unparseable url)"
}

// pageSize is the largest v1 page.
const pageSize = 500

// listAll fetches every page of a v1 list whose envelope holds the items
// under field, bounded by the client's page cap (see pageThrough).
func listAll[T any](ctx context.Context, c *client, prio budget.Priority, path string, q url.Values, field string) ([]T, error) {
	q = cloneQuery(q)
	q.Set("pageSize", strconv.Itoa(pageSize))
	return pageThrough[T](ctx, c, call{api: v1, method: http.MethodGet, path: path, query: q, prio: prio}, field)
}

// pageThrough reads every page of a list (v1 or v2) whose envelope holds
// the items under field and the page count under "pages". Its own counter decides which
// page comes next and "pages" when to stop; a "page" other than the one
// asked for, a page that repeats the one before, or more pages than the
// client's cap end the read with an error.
func pageThrough[T any](ctx context.Context, c *client, r call, field string) ([]T, error) {
	var all []T
	err := pageEach(ctx, c, r, field, func(items []T) error {
		all = append(all, items...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// pageEach reads a list as pageThrough does, handing each page's items to
// page instead of keeping them; an error from page ends the read and is
// returned as it is.
func pageEach[T any](ctx context.Context, c *client, r call, field string, page func([]T) error) error {
	pages := pager.New("shipstation: GET "+display(r.path), c.maxPages)
	for {
		n, err := pages.Next()
		if err != nil {
			return err
		}
		pc := r
		pc.query = cloneQuery(r.query)
		pc.query.Set("page", strconv.Itoa(n))
		var env map[string]json.RawMessage
		if err := c.do(ctx, pc, &env); err != nil {
			return err
		}
		var items []T
		var last, answered int
		if err := decodeEnvelope(env, field, &items, &last, &answered); err != nil {
			return fmt.Errorf("shipstation: GET %s: %w", display(r.path), err)
		}
		if len(items) == 0 {
			return nil
		}
		if err := pages.Check(answered, env[field]); err != nil {
			return err
		}
		if orders, ok := any(items).([]Order); ok {
			c.keys.note(orders)
		}
		if err := page(items); err != nil {
			return err
		}
		if n >= last {
			return nil
		}
	}
}

// listEach is listAll a page at a time (pageEach).
func listEach[T any](ctx context.Context, c *client, prio budget.Priority, path string, q url.Values, field string, page func([]T) error) error {
	q = cloneQuery(q)
	q.Set("pageSize", strconv.Itoa(pageSize))
	return pageEach(ctx, c, call{api: v1, method: http.MethodGet, path: path, query: q, prio: prio}, field, page)
}

// decodeEnvelope reads a list envelope: the items under field, the page
// count ("pages") and the page it says it is ("page"), each 0 when absent.
func decodeEnvelope[T any](env map[string]json.RawMessage, field string, items *[]T, pages, page *int) error {
	raw, ok := env[field]
	if !ok {
		return fmt.Errorf("the answer has no %q list", field)
	}
	if err := json.Unmarshal(raw, items); err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	for name, dst := range map[string]*int{"pages": pages, "page": page} {
		if p, ok := env[name]; ok && string(p) != "null" {
			if err := json.Unmarshal(p, dst); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	return nil
}

func cloneQuery(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}
