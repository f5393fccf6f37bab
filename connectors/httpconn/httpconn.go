// Package httpconn is tote's generic JSON-over-HTTP connector ("http"): a
// read action, a write action that plans against the target's current
// record, a webhook trigger and a poll trigger. It lets pipelines reach any
// JSON API that has no dedicated connector.
package httpconn

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/internal/actions"
	"github.com/toteworks/tote/connectors/schema"
	"github.com/zclconf/go-cty/cty"
)

// New returns the http connector.
func New() connectors.Connector { return connector{} }

type connector struct{}

var response = cty.Object(map[string]cty.Type{"status": cty.Number, "body": cty.DynamicPseudoType})

var event = cty.Object(map[string]cty.Type{"key": cty.String, "body": cty.DynamicPseudoType})

var headersAttr = schema.Attr{Name: "headers", Type: cty.Map(cty.String), Sensitive: true,
	Doc: "Request headers, added to the connection's. Treated as sensitive: they often carry credentials."}

func (connector) Spec() connectors.Spec {
	return connectors.Spec{
		Type: "http",
		Doc:  "Any JSON API over HTTP.",
		Config: schema.Object{Attrs: []schema.Attr{
			{Name: "base_url", Type: cty.String, Doc: "Prefix for relative URLs in actions and triggers."},
			headersAttr,
			{Name: "timeout", Type: cty.String, Doc: "Per-request timeout.", Default: `"30s"`},
			{Name: "webhook_secret", Type: cty.String, Sensitive: true,
				Doc: "When set, webhook deliveries must carry it in the X-Tote-Secret header."},
		}},
		Actions: actionTable.Specs(),
		Triggers: []connectors.TriggerSpec{
			{
				Kind: "http_webhook", Mode: connectors.Webhook, Event: event, Subjects: subjects,
				Doc: "A JSON delivery POSTed to tote run at /hooks/<pipeline>/<trigger>.",
				Args: schema.Object{Attrs: []schema.Attr{
					{Name: "key", Type: cty.String, Doc: "Body field that deduplicates deliveries (default: the Idempotency-Key header, else a digest of the body)."},
				}},
			},
			{
				Kind: "http_poll", Mode: connectors.Poll, Event: event, Subjects: subjects,
				Doc: "GET a JSON array on a schedule; each element is an event keyed by its key field.",
				Args: schema.Object{Attrs: []schema.Attr{
					{Name: "url", Type: cty.String, Required: true},
					{Name: "key", Type: cty.String, Doc: "Element field used as the event key.", Default: `"id"`},
				}},
			},
		},
	}
}

type conn struct {
	base    string
	headers map[string]string
	secret  string
	client  *http.Client
	obs     connectors.Observer
}

func (connector) Open(_ context.Context, cfg connectors.Config) (connectors.Conn, error) {
	c := &conn{headers: map[string]string{}, client: &http.Client{Timeout: 30 * time.Second}, obs: cfg.Observer}
	v := cfg.Values.AsValueMap()
	if s := str(v["base_url"]); s != "" {
		c.base = strings.TrimSuffix(s, "/")
	}
	for k, h := range strMap(v["headers"]) {
		c.headers[k] = h
	}
	if s := str(v["timeout"]); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			return nil, fmt.Errorf("timeout: %w", err)
		}
		c.client.Timeout = d
	}
	c.secret = str(v["webhook_secret"])
	return c, nil
}

func (c *conn) Close() error { return nil }

// actionTable binds each action's spec to its implementation.
var actionTable = actions.New("http", []actions.Action[*conn]{
	{
		Spec: connectors.ActionSpec{
			Name: "get", Kind: connectors.Read, Output: response,
			Doc: "GET a JSON document. A 404 is an output with status 404 and a null body, not an error.",
			Args: schema.Object{Attrs: []schema.Attr{
				{Name: "url", Type: cty.String, Required: true, Doc: "Absolute, or relative to base_url."},
				{Name: "query", Type: cty.Map(cty.String), Doc: "Query parameters."},
				headersAttr,
			}},
		},
		Read: (*conn).get,
	},
	{
		Spec: connectors.ActionSpec{
			Name: "put", Kind: connectors.Write, Guarantee: connectors.Idempotent, Output: response, Identity: []string{"url"},
			Doc: "Send a JSON document (PUT by default). The plan reads read_url (default url): 404 plans a create, " +
				"a body that already holds every field plans nothing, anything else an update.",
			Args: schema.Object{Attrs: []schema.Attr{
				{Name: "url", Type: cty.String, Required: true, Doc: "Where to send the document; identifies the record."},
				{Name: "body", Type: cty.DynamicPseudoType, Required: true, Doc: "The document."},
				{Name: "method", Type: cty.String, Doc: "PUT, POST or PATCH.", Default: `"PUT"`},
				{Name: "read_url", Type: cty.String, Doc: "Where the current record is read from (default url)."},
				headersAttr,
			}},
		},
		Plan:  (*conn).planPut,
		Apply: (*conn).applyPut,
	},
})

func (c *conn) Read(ctx context.Context, action string, args cty.Value) (cty.Value, error) {
	return actionTable.Read(c, ctx, action, args)
}

func (c *conn) PlanWrite(ctx context.Context, action string, args cty.Value) (connectors.Change, error) {
	return actionTable.Plan(c, ctx, action, args)
}

func (c *conn) ApplyWrite(ctx context.Context, w connectors.WriteRequest) (cty.Value, error) {
	return actionTable.Apply(c, ctx, w)
}

func (c *conn) get(ctx context.Context, args cty.Value) (cty.Value, error) {
	a := args.AsValueMap()
	u, err := c.url(str(a["url"]), strMap(a["query"]))
	if err != nil {
		return cty.NilVal, err
	}
	status, body, err := c.do(ctx, http.MethodGet, u, strMap(a["headers"]), nil)
	if err != nil {
		return cty.NilVal, err
	}
	return responseVal(status, body)
}

func (c *conn) planPut(ctx context.Context, args cty.Value) (connectors.Change, error) {
	a := args.AsValueMap()
	desired := a["body"]
	readURL := str(a["read_url"])
	if readURL == "" {
		readURL = str(a["url"])
	}
	u, err := c.url(readURL, nil)
	if err != nil {
		return connectors.Change{}, err
	}
	status, body, err := c.do(ctx, http.MethodGet, u, strMap(a["headers"]), nil)
	if err != nil {
		return connectors.Change{}, err
	}
	if status == http.StatusNotFound || len(bytes.TrimSpace(body)) == 0 {
		return connectors.Change{Op: connectors.OpCreate, Before: cty.NullVal(cty.DynamicPseudoType), After: desired}, nil
	}
	current, err := connectors.FromJSON(body)
	if err != nil {
		return connectors.Change{}, connectors.Permanent(fmt.Errorf("http: %s: the current record is not JSON: %w", redactURL(u), err))
	}
	before := connectors.Project(current, desired)
	ch := connectors.Change{Op: connectors.OpUpdate, Before: before, After: desired, Fingerprint: connectors.Fingerprint(current)}
	if connectors.Equivalent(before, desired) {
		ch.Op = connectors.OpNoop
		ch.Output = cty.ObjectVal(map[string]cty.Value{"status": cty.NumberIntVal(int64(status)), "body": current})
	}
	return ch, nil
}

func (c *conn) applyPut(ctx context.Context, w connectors.WriteRequest) (cty.Value, error) {
	a := w.Args.AsValueMap()
	u, err := c.url(str(a["url"]), nil)
	if err != nil {
		return cty.NilVal, err
	}
	method := strings.ToUpper(str(a["method"]))
	if method == "" {
		method = http.MethodPut
	}
	doc, err := connectors.JSON(a["body"])
	if err != nil {
		return cty.NilVal, connectors.Permanent(fmt.Errorf("http: body: %w", err))
	}
	headers := strMap(a["headers"])
	if headers == nil {
		headers = map[string]string{}
	}
	headers["Idempotency-Key"] = w.Key
	status, body, err := c.do(ctx, method, u, headers, doc)
	if err != nil {
		return cty.NilVal, err
	}
	return responseVal(status, body)
}

// do performs one request and classifies failures: 429 and 503 with a
// Retry-After ask to wait, other 5xx are retryable, other 4xx (but 404) are
// permanent.
func (c *conn) do(ctx context.Context, method, u string, headers map[string]string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, nil, connectors.Permanent(fmt.Errorf("http: %w", err))
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.client.Do(req)
	status := 0
	if err == nil {
		status = resp.StatusCode
	}
	connectors.Notify(c.obs, connectors.VendorCall{Method: method, Endpoint: connectors.Endpoint(u), Status: status, BudgetRemaining: -1})
	if err != nil {
		// The error text of net/http includes the URL, which has no secrets
		// of ours; headers are never part of it.
		return 0, nil, fmt.Errorf("http: %s %s: %w", method, redactURL(u), unwrapURLError(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return 0, nil, fmt.Errorf("http: %s %s: reading the response: %w", method, redactURL(u), err)
	}
	if resp.StatusCode < 300 || resp.StatusCode == http.StatusNotFound {
		return resp.StatusCode, data, nil
	}
	failure := fmt.Errorf("http: %s %s: %s: %s", method, redactURL(u), resp.Status, snippet(data))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		if d, ok := retryAfter(resp.Header.Get("Retry-After")); ok {
			return 0, nil, &connectors.RetryAfterError{After: d, Err: failure}
		}
		return 0, nil, failure
	case resp.StatusCode >= 500:
		return 0, nil, failure
	default:
		return 0, nil, connectors.Permanent(failure)
	}
}

func (c *conn) url(raw string, query map[string]string) (string, error) {
	if !strings.Contains(raw, "://") {
		if c.base == "" {
			return "", connectors.Permanent(fmt.Errorf("http: %q is relative and the connection has no base_url", raw))
		}
		raw = c.base + "/" + strings.TrimPrefix(raw, "/")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", connectors.Permanent(fmt.Errorf("http: bad url: %w", err))
	}
	if len(query) > 0 {
		q := u.Query()
		for k, v := range query {
			q.Set(k, v)
		}
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}

// Receive accepts a webhook delivery: the shared secret when one is set, a
// JSON body, and a dedupe key.
// VerifyRequest checks the X-Tote-Secret header before the body is read.
func (c *conn) VerifyRequest(_ string, _ cty.Value, r *http.Request) error {
	if c.secret != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get("X-Tote-Secret")), []byte(c.secret)) != 1 {
		return &connectors.RequestError{Status: http.StatusUnauthorized, Reason: "missing or wrong X-Tote-Secret"}
	}
	return nil
}

func (c *conn) Receive(_ context.Context, trigger string, args cty.Value, r *http.Request, body []byte) ([]connectors.Event, error) {
	if err := c.VerifyRequest(trigger, args, r); err != nil {
		return nil, err
	}
	doc, err := connectors.FromJSON(body)
	if err != nil || !json.Valid(body) {
		return nil, &connectors.RequestError{Status: http.StatusBadRequest, Reason: "the body is not JSON"}
	}
	key := r.Header.Get("Idempotency-Key")
	if field := str(args.GetAttr("key")); field != "" {
		key = fieldString(doc, field)
		if key == "" {
			return nil, &connectors.RequestError{Status: http.StatusBadRequest, Reason: fmt.Sprintf("the body has no %q field", field)}
		}
	}
	if key == "" {
		sum := sha256.Sum256(body)
		key = hex.EncodeToString(sum[:16])
	}
	return []connectors.Event{{Key: key, Data: eventVal(key, doc)}}, nil
}

// Poll fetches the array at url; every element is an event.
func (c *conn) Poll(ctx context.Context, trigger string, args cty.Value, w connectors.Window) ([]connectors.Event, string, error) {
	a := args.AsValueMap()
	u, err := c.url(str(a["url"]), nil)
	if err != nil {
		return nil, w.Cursor, err
	}
	status, body, err := c.do(ctx, http.MethodGet, u, nil, nil)
	if err != nil {
		return nil, w.Cursor, err
	}
	if status == http.StatusNotFound {
		return nil, w.Cursor, nil
	}
	doc, err := connectors.FromJSON(body)
	if err != nil {
		return nil, w.Cursor, fmt.Errorf("http: poll %s: not JSON: %w", redactURL(u), err)
	}
	if !doc.Type().IsTupleType() && !doc.Type().IsListType() {
		return nil, w.Cursor, connectors.Permanent(fmt.Errorf("http: poll %s: expected a JSON array", redactURL(u)))
	}
	field := str(a["key"])
	if field == "" {
		field = "id"
	}
	var events []connectors.Event
	for it := doc.ElementIterator(); it.Next(); {
		_, el := it.Element()
		key := fieldString(el, field)
		if key == "" {
			continue
		}
		events = append(events, connectors.Event{Key: key, Data: eventVal(key, el)})
	}
	sort.Slice(events, func(i, j int) bool { return events[i].Key < events[j].Key })
	return events, w.Cursor, nil
}

func eventVal(key string, body cty.Value) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(key), "body": body})
}

func responseVal(status int, body []byte) (cty.Value, error) {
	doc := cty.NullVal(cty.DynamicPseudoType)
	if status != http.StatusNotFound && len(bytes.TrimSpace(body)) > 0 {
		v, err := connectors.FromJSON(body)
		if err != nil {
			return cty.NilVal, fmt.Errorf("http: the response is not JSON: %w", err)
		}
		doc = v
	}
	return cty.ObjectVal(map[string]cty.Value{"status": cty.NumberIntVal(int64(status)), "body": doc}), nil
}

func fieldString(doc cty.Value, field string) string {
	if doc.IsNull() || !doc.Type().IsObjectType() || !doc.Type().HasAttribute(field) {
		return ""
	}
	v := doc.GetAttr(field)
	if v.IsNull() {
		return ""
	}
	switch v.Type() {
	case cty.String:
		return v.AsString()
	case cty.Number:
		return v.AsBigFloat().Text('f', -1)
	case cty.Bool:
		return strconv.FormatBool(v.True())
	}
	return ""
}

func str(v cty.Value) string {
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}

func strMap(v cty.Value) map[string]string {
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() {
		return nil
	}
	out := map[string]string{}
	for k, e := range v.AsValueMap() {
		out[k] = str(e)
	}
	return out
}

// redactURL drops the query and user info, where credentials sometimes hide.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable url)"
	}
	u.User = nil
	u.RawQuery = ""
	return u.String()
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func retryAfter(h string) (time.Duration, bool) {
	if h == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	if s == "" {
		return "(empty body)"
	}
	return s
}
