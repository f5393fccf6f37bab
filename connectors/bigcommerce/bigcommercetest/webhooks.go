package bigcommercetest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// event is something that happened in the store, before it is matched to hooks.
type event struct {
	scope string
	data  any
}

// Payload is the JSON body BigCommerce POSTs to a hook's destination.
type Payload struct {
	Scope     string          `json:"scope"`
	StoreID   string          `json:"store_id"`
	Data      json.RawMessage `json:"data"`
	Hash      string          `json:"hash"`
	CreatedAt int64           `json:"created_at"`
	Producer  string          `json:"producer"`
}

// Delivery is one webhook delivery attempt as the fake made it.
type Delivery struct {
	HookID    int
	Scope     string
	MessageID string // the webhook-id header; the same on retries and duplicates
	Attempt   int    // 0 for the first try, n for the n-th retry
	Dropped   bool   // a fault dropped it: nothing was sent
	Duplicate bool   // the second copy of a duplicated delivery
	Final     bool   // the last attempt this event will get (success, or the hook was deactivated)
	Status    int    // receiver's status code; 0 when the request failed
	Err       string // transport error or timeout
	Header    http.Header
	Body      []byte
	Payload   Payload
	At        time.Time
}

// OK reports whether the receiver answered 2xx.
func (d Delivery) OK() bool { return d.Status >= 200 && d.Status < 300 }

// deliveryLogCap bounds the deliveries kept for inspection; the count is not bounded.
const deliveryLogCap = 20000

// deliverer sends webhooks asynchronously and keeps a log of attempts.
type deliverer struct {
	s      *Server
	client *http.Client
	wg     sync.WaitGroup

	mu      sync.Mutex
	log     []Delivery
	total   int
	changed chan struct{} // closed and replaced whenever the log grows
}

func newDeliverer(s *Server) *deliverer {
	c := s.opts.WebhookClient
	if c == nil {
		c = &http.Client{Timeout: s.opts.WebhookTimeout}
	}
	return &deliverer{s: s, client: c, changed: make(chan struct{})}
}

func (d *deliverer) wait() { d.wg.Wait() }

// message is one event on its way to one hook.
type message struct {
	hookID int
	scope  string
	id     string
	body   []byte
	pl     Payload
}

// emit matches events to active hooks and starts their deliveries. It must be
// called without Server.mu held; deliveries never block the caller.
func (s *Server) emit(events []event) {
	if len(events) == 0 {
		return
	}
	createdAt := s.clock.Now().Unix()
	for _, ev := range events {
		data, err := json.Marshal(ev.data)
		if err != nil {
			continue
		}
		sum := sha1.Sum(data)
		pl := Payload{Scope: ev.scope, StoreID: s.opts.StoreID, Data: data, Hash: hex.EncodeToString(sum[:]),
			CreatedAt: createdAt, Producer: "stores/" + s.opts.StoreHash}
		body, err := json.Marshal(pl)
		if err != nil {
			continue
		}
		s.mu.Lock()
		var targets []int
		for _, id := range s.st.hookIDs {
			if h := s.st.hooks[id]; h != nil && h.IsActive && scopeMatches(h.Scope, ev.scope) {
				targets = append(targets, id)
			}
		}
		msgIDs := make([]string, len(targets))
		for i := range targets {
			msgIDs[i] = fmt.Sprintf("msg_%016x%016x", s.rng.Uint64(), s.rng.Uint64())
		}
		s.mu.Unlock()
		for i, hid := range targets {
			m := &message{hookID: hid, scope: ev.scope, id: msgIDs[i], body: body, pl: pl}
			drop, copies := s.faults.Webhook()
			if drop {
				s.hooks.record(Delivery{HookID: hid, Scope: ev.scope, MessageID: m.id, Dropped: true, Final: true,
					Body: body, Payload: pl, At: time.Now()})
				continue
			}
			for c := range copies {
				s.hooks.start(m, 0, c > 0, 0)
			}
		}
	}
}

// scopeMatches reports whether a hook's scope covers an event's scope; a
// trailing /* covers the whole family below it.
func scopeMatches(hookScope, ev string) bool {
	if hookScope == ev {
		return true
	}
	if prefix, ok := strings.CutSuffix(hookScope, "/*"); ok {
		return strings.HasPrefix(ev, prefix+"/")
	}
	return false
}

// start runs attempt n of m after delay, unless the server closes first.
func (d *deliverer) start(m *message, n int, dup bool, delay time.Duration) {
	if d.s.closing.Err() != nil {
		return
	}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-d.s.closing.Done():
				t.Stop()
				return
			}
		}
		if d.s.closing.Err() != nil {
			return
		}
		d.attempt(m, n, dup)
	}()
}

// attempt sends one delivery, then schedules the retry or deactivates the hook.
func (d *deliverer) attempt(m *message, n int, dup bool) {
	s := d.s
	s.mu.Lock()
	h := s.st.hooks[m.hookID]
	var dest string
	var headers map[string]string
	active := h != nil && h.IsActive
	if active {
		dest = h.Destination
		headers = make(map[string]string, len(h.Headers))
		for k, v := range h.Headers {
			headers[k] = v
		}
	}
	s.mu.Unlock()
	if !active {
		return // deleted or deactivated meanwhile: the event is not replayed
	}
	rec := Delivery{HookID: m.hookID, Scope: m.scope, MessageID: m.id, Attempt: n, Duplicate: dup,
		Body: m.body, Payload: m.pl, At: time.Now()}
	req, err := http.NewRequestWithContext(s.closing, http.MethodPost, dest, bytes.NewReader(m.body))
	if err != nil {
		rec.Err = err.Error()
	} else {
		req.Header.Set("Content-Type", "application/json")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		if s.opts.SignWebhooks {
			ts := strconv.FormatInt(s.clock.Now().Unix(), 10)
			req.Header.Set("webhook-id", m.id)
			req.Header.Set("webhook-timestamp", ts)
			req.Header.Set("webhook-signature", "v1,"+Sign(s.opts.ClientSecret, m.id, ts, m.body))
		}
		rec.Header = req.Header.Clone()
		resp, err := d.client.Do(req)
		if err != nil {
			rec.Err = err.Error()
		} else {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			rec.Status = resp.StatusCode
		}
	}
	if s.closing.Err() != nil {
		return
	}
	switch {
	case rec.OK():
		rec.Final = true
	case n < len(s.opts.WebhookRetrySchedule):
		delay := time.Duration(float64(s.opts.WebhookRetrySchedule[n]) * s.opts.WebhookTimeFactor)
		d.start(m, n+1, dup, delay)
	default:
		// The last retry failed: BigCommerce deactivates the hook.
		rec.Final = true
		s.mu.Lock()
		if h := s.st.hooks[m.hookID]; h != nil && h.IsActive {
			h.IsActive = false
			h.UpdatedAt = s.clock.Now().Unix()
		}
		s.mu.Unlock()
	}
	d.record(rec)
}

// Sign computes a Standard Webhooks v1 signature (base64 HMAC-SHA256 of
// "{id}.{timestamp}.{body}" keyed with the raw client secret bytes).
func Sign(secret, id, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(id + "." + timestamp + "."))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func (d *deliverer) record(rec Delivery) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.log = append(d.log, rec)
	if len(d.log) > deliveryLogCap {
		d.log = append([]Delivery(nil), d.log[len(d.log)-deliveryLogCap:]...)
	}
	d.total++
	close(d.changed)
	d.changed = make(chan struct{})
}

// Deliveries returns the recorded delivery attempts (the most recent 20,000),
// oldest first.
func (s *Server) Deliveries() []Delivery {
	s.hooks.mu.Lock()
	defer s.hooks.mu.Unlock()
	return append([]Delivery(nil), s.hooks.log...)
}

// WaitDeliveries blocks until at least n delivery attempts (including
// dropped ones) have been recorded since the server started, then returns
// them. It fails when ctx ends first.
func (s *Server) WaitDeliveries(ctx context.Context, n int) ([]Delivery, error) {
	for {
		s.hooks.mu.Lock()
		total, ch := s.hooks.total, s.hooks.changed
		s.hooks.mu.Unlock()
		if total >= n {
			return s.Deliveries(), nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return s.Deliveries(), fmt.Errorf("waiting for %d webhook deliveries, have %d: %w", n, total, ctx.Err())
		}
	}
}
