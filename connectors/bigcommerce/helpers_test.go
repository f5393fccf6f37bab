package bigcommerce

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/bigcommerce/bigcommercetest"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// t0 is when every test's store clock starts.
var t0 = time.Date(2025, 3, 4, 18, 0, 0, 0, time.UTC)

// recorder counts the API requests that reach the fake, and their answers.
type recorder struct {
	mu       sync.Mutex
	requests []string // "GET /v2/orders"
	statuses []int
}

func (r *recorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, req)
		if strings.HasPrefix(req.URL.Path, "/stores/") {
			_, rest, _ := strings.Cut(strings.TrimPrefix(req.URL.Path, "/stores/"), "/")
			r.mu.Lock()
			r.requests = append(r.requests, req.Method+" /"+rest)
			r.statuses = append(r.statuses, sw.status)
			r.mu.Unlock()
		}
	})
}

// count returns how many requests matched method and path exactly.
func (r *recorder) count(request string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return occurrences(r.requests, request)
}

func (r *recorder) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.requests)
}

func (r *recorder) withStatus(status int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return occurrences(r.statuses, status)
}

// occurrences counts the elements of xs equal to x.
func occurrences[T comparable](xs []T, x T) int {
	n := 0
	for _, y := range xs {
		if y == x {
			n++
		}
	}
	return n
}

func (r *recorder) reset() {
	r.mu.Lock()
	r.requests, r.statuses = nil, nil
	r.mu.Unlock()
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// env is a fake store behind a recording proxy and a connection to it. Time
// is virtual: every wait of the connection (rate budget, backoff) moves the
// store's clock instead of sleeping.
type env struct {
	t    *testing.T
	fake *bigcommercetest.Server
	rec  *recorder
	url  string
	conn *conn
}

type envConfig struct {
	fake  bigcommercetest.Options
	extra map[string]cty.Value // connection settings besides store_hash, access_token, api_url
	opts  func(*options)
}

func newEnv(t *testing.T, ec envConfig) *env {
	t.Helper()
	if ec.fake.RateLimit.Quota == 0 {
		ec.fake.RateLimit.Quota = 100000
	}
	ec.fake.AllowHTTPWebhooks = true
	if ec.fake.WebhookTimeFactor == 0 {
		ec.fake.WebhookTimeFactor = 1e-6
	}
	ec.fake.Clock = &bigcommercetest.Clock{}
	ec.fake.Clock.Set(t0)
	fake := bigcommercetest.NewServer(ec.fake)
	t.Cleanup(fake.Close)
	if err := fake.SeedCatalog(12); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	proxy := httptest.NewServer(rec.wrap(fake.Handler()))
	t.Cleanup(proxy.Close)
	e := &env{t: t, fake: fake, rec: rec, url: proxy.URL}
	o := defaultOptions()
	o.clock = fake.Clock().Now
	o.after = func(d time.Duration) <-chan time.Time {
		fake.Clock().Advance(d)
		ch := make(chan time.Time, 1)
		ch <- fake.Clock().Now()
		return ch
	}
	if ec.opts != nil {
		ec.opts(&o)
	}
	values := map[string]cty.Value{
		"store_hash":   cty.StringVal(fake.Options().StoreHash),
		"access_token": cty.StringVal(fake.Options().AccessToken),
		"api_url":      cty.StringVal(proxy.URL),
	}
	for k, v := range ec.extra {
		values[k] = v
	}
	c, err := open(configVal(values), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	e.conn = c
	return e
}

// configVal is a connection block as hcldec decodes it: every attribute,
// null when absent.
func configVal(values map[string]cty.Value) connectors.Config {
	attrs := map[string]cty.Value{}
	for name, t := range configSchema.ImpliedType().AttributeTypes() {
		attrs[name] = cty.NullVal(t)
		if v, ok := values[name]; ok {
			attrs[name] = v
		}
	}
	return connectors.Config{Name: "main", Values: cty.ObjectVal(attrs)}
}

// argsVal builds an action's arguments as the engine passes them: every
// attribute of its schema, converted to its type, null when absent.
func argsVal(t *testing.T, action string, values map[string]cty.Value) cty.Value {
	t.Helper()
	spec, ok := New().Spec().Action(action)
	if !ok {
		t.Fatalf("no action %q", action)
	}
	return objectOf(t, spec.Args.ImpliedType(), values)
}

func objectOf(t *testing.T, typ cty.Type, values map[string]cty.Value) cty.Value {
	t.Helper()
	attrs := map[string]cty.Value{}
	for name, at := range typ.AttributeTypes() {
		attrs[name] = cty.NullVal(at.WithoutOptionalAttributesDeep())
		if v, ok := values[name]; ok {
			cv, err := convertTo(v, at)
			if err != nil {
				t.Fatalf("argument %s: %v", name, err)
			}
			attrs[name] = cv
		}
	}
	for name := range values {
		if !typ.HasAttribute(name) {
			t.Fatalf("no argument %q", name)
		}
	}
	return cty.ObjectVal(attrs)
}

func (e *env) read(action string, values map[string]cty.Value) cty.Value {
	e.t.Helper()
	v, err := e.conn.Read(context.Background(), action, argsVal(e.t, action, values))
	if err != nil {
		e.t.Fatalf("%s: %v", action, err)
	}
	checkOutput(e.t, action, v)
	return v
}

func (e *env) plan(action string, values map[string]cty.Value) connectors.Change {
	e.t.Helper()
	ch, err := e.conn.PlanWrite(context.Background(), action, argsVal(e.t, action, values))
	if err != nil {
		e.t.Fatalf("plan %s: %v", action, err)
	}
	if ch.Op == connectors.OpNoop {
		checkOutput(e.t, action, ch.Output)
	}
	return ch
}

// write plans and applies, as the engine does, and returns the change and output.
func (e *env) write(action string, values map[string]cty.Value) (connectors.Change, cty.Value) {
	e.t.Helper()
	ch := e.plan(action, values)
	if ch.Op == connectors.OpNoop {
		return ch, ch.Output
	}
	v, err := e.conn.ApplyWrite(context.Background(), connectors.WriteRequest{Action: action,
		Args: argsVal(e.t, action, values), Change: ch, Key: "k"})
	if err != nil {
		e.t.Fatalf("apply %s: %v", action, err)
	}
	checkOutput(e.t, action, v)
	return ch, v
}

// checkOutput asserts an output converts to the action's declared type.
func checkOutput(t *testing.T, action string, v cty.Value) {
	t.Helper()
	spec, _ := New().Spec().Action(action)
	if _, err := convertTo(v, spec.Output); err != nil {
		t.Fatalf("%s output does not match its type: %v\n%#v", action, err, v)
	}
}

// placeOrder places a checkout order of custom lines (no stock involved).
func (e *env) placeOrder(lines ...bigcommercetest.OrderProductInput) bigcommercetest.Order {
	e.t.Helper()
	if len(lines) == 0 {
		p := bigcommercetest.MoneyOf("12.50")
		lines = []bigcommercetest.OrderProductInput{{Name: "Trail Sock", SKU: "SOCK-1", Quantity: 2, PriceExTax: &p, PriceIncTax: &p}}
	}
	o, err := e.fake.PlaceOrder(bigcommercetest.OrderInput{
		BillingAddress: &bigcommercetest.Address{AddressFields: bigcommercetest.AddressFields{
			FirstName: "Ana", LastName: "Ruiz", Street1: "12 Elm Rd", City: "Denver", State: "Colorado", Zip: "80203",
			Country: "United States", CountryISO2: "US", Email: "ana@example.com"}},
		Products: lines,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

func num64(v cty.Value) int64 {
	n, _ := v.AsBigFloat().Int64()
	return n
}

func ids(ns ...int) cty.Value {
	vals := make([]cty.Value, len(ns))
	for i, n := range ns {
		vals[i] = cty.NumberIntVal(int64(n))
	}
	return cty.ListVal(vals)
}

func convertTo(v cty.Value, t cty.Type) (cty.Value, error) { return convert.Convert(v, t) }

func itoa(n int) string { return strconv.Itoa(n) }
