package shipstationtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Delivery is one webhook delivery, attempted or dropped by a fault.
type Delivery struct {
	WebhookID   int64
	Event       string
	TargetURL   string
	ResourceURL string
	Body        []byte
	At          time.Time
	// StatusCode is the receiver's answer; 0 when dropped or failed.
	StatusCode int
	// Err is the transport error, if any.
	Err string
	// Dropped is set when a fault swallowed the delivery: nothing was sent.
	Dropped bool
	// Duplicate is set on the second copy of a duplicated delivery.
	Duplicate bool
}

// deliverer POSTs webhook payloads in order from one goroutine, so that
// deliveries never block the API and arrive in the order they were fired.
// ShipStation documents no retries, so a failed delivery is not retried.
type deliverer struct {
	client *http.Client
	now    func() time.Time
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	queue   []Delivery
	wake    chan struct{}
	log     []Delivery
	changed chan struct{} // closed and replaced whenever log grows
}

func newDeliverer(timeout time.Duration, now func() time.Time) *deliverer {
	ctx, cancel := context.WithCancel(context.Background())
	d := &deliverer{
		client:  &http.Client{Timeout: timeout},
		now:     now,
		ctx:     ctx,
		cancel:  cancel,
		done:    make(chan struct{}),
		wake:    make(chan struct{}, 1),
		changed: make(chan struct{}),
	}
	go d.run()
	return d
}

// enqueue schedules a delivery; a dropped one is only recorded.
func (d *deliverer) enqueue(del Delivery) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if del.Dropped {
		d.recordLocked(del)
		return
	}
	d.queue = append(d.queue, del)
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *deliverer) recordLocked(del Delivery) {
	d.log = append(d.log, del)
	close(d.changed)
	d.changed = make(chan struct{})
}

func (d *deliverer) run() {
	defer close(d.done)
	for {
		select {
		case <-d.ctx.Done():
			return
		case <-d.wake:
		}
		for {
			d.mu.Lock()
			if len(d.queue) == 0 {
				d.mu.Unlock()
				break
			}
			del := d.queue[0]
			d.queue = d.queue[1:]
			d.mu.Unlock()
			d.send(&del)
			d.mu.Lock()
			d.recordLocked(del)
			d.mu.Unlock()
		}
	}
}

func (d *deliverer) send(del *Delivery) {
	del.At = d.now()
	req, err := http.NewRequestWithContext(d.ctx, http.MethodPost, del.TargetURL, bytes.NewReader(del.Body))
	if err != nil {
		del.Err = err.Error()
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "ShipStation-Webhooks")
	resp, err := d.client.Do(req)
	if err != nil {
		del.Err = fmt.Sprintf("post: %v", err)
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	del.StatusCode = resp.StatusCode
}

func (d *deliverer) close() {
	d.cancel()
	<-d.done
}

func (d *deliverer) snapshot() []Delivery {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.log)
}

// wait blocks until at least n deliveries are recorded or ctx ends.
func (d *deliverer) wait(ctx context.Context, n int) ([]Delivery, error) {
	for {
		d.mu.Lock()
		if len(d.log) >= n {
			out := slices.Clone(d.log)
			d.mu.Unlock()
			return out, nil
		}
		ch := d.changed
		d.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return d.snapshot(), fmt.Errorf("waiting for %d webhook deliveries: %w", n, ctx.Err())
		}
	}
}
