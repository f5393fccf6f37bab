package shipstation

import (
	"slices"
	"sync"
	"time"
)

// coalescer gathers requests from concurrent callers and hands them to
// flush in batches of up to max. A batch leaves when it is full, or when
// ShipStation can next be called (ready, the budget's next token) but no
// sooner than gap after the previous batch and linger after its first
// request: while tokens are plentiful a burst still fills batches instead
// of spending a call per request.
type coalescer[T comparable] struct {
	max    int
	gap    time.Duration
	linger time.Duration
	ready  func() time.Time
	now    func() time.Time
	timer  func(time.Duration) <-chan time.Time
	flush  func([]T)
	slots  chan struct{} // bounds the batches in flight
	queued func()        // called after each add; nil in production

	mu       sync.Mutex
	pending  []T
	firstAt  time.Time
	lastSend time.Time
	kick     chan struct{}
	stop     chan struct{}
	wg       sync.WaitGroup
}

func (c *coalescer[T]) start() {
	c.kick = make(chan struct{}, 1)
	c.stop = make(chan struct{})
	c.wg.Add(1)
	go c.run()
}

// close stops the coalescer, waits for batches in flight and returns the
// requests that were never sent.
func (c *coalescer[T]) close() []T {
	close(c.stop)
	c.wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	left := c.pending
	c.pending = nil
	return left
}

// add queues a request.
func (c *coalescer[T]) add(item T) {
	c.mu.Lock()
	if len(c.pending) == 0 {
		c.firstAt = c.now()
	}
	c.pending = append(c.pending, item)
	c.mu.Unlock()
	select {
	case c.kick <- struct{}{}:
	default:
	}
	if c.queued != nil {
		c.queued()
	}
}

// remove withdraws a request not yet taken into a batch.
func (c *coalescer[T]) remove(item T) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := slices.Index(c.pending, item)
	if i < 0 {
		return false
	}
	c.pending = slices.Delete(c.pending, i, i+1)
	return true
}

func (c *coalescer[T]) run() {
	defer c.wg.Done()
	for {
		wait, ok := c.due()
		if !ok {
			select {
			case <-c.kick:
				continue
			case <-c.stop:
				return
			}
		}
		if wait > 0 {
			select {
			case <-c.timer(wait):
			case <-c.kick:
				continue
			case <-c.stop:
				return
			}
		}
		select {
		case c.slots <- struct{}{}:
		case <-c.stop:
			return
		}
		batch := c.take()
		if len(batch) == 0 {
			<-c.slots
			continue
		}
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			defer func() { <-c.slots }()
			c.flush(batch)
		}()
	}
}

// due reports whether requests are pending and how long until the next
// batch may leave.
func (c *coalescer[T]) due() (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) == 0 {
		return 0, false
	}
	at := c.ready()
	if len(c.pending) < c.max {
		at = latest(at, c.lastSend.Add(c.gap), c.firstAt.Add(c.linger))
	}
	return at.Sub(c.now()), true
}

func (c *coalescer[T]) take() []T {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := min(len(c.pending), c.max)
	batch := slices.Clone(c.pending[:n])
	c.pending = slices.Delete(c.pending, 0, n)
	c.firstAt = c.now()
	c.lastSend = c.now()
	return batch
}

func latest(ts ...time.Time) time.Time {
	out := ts[0]
	for _, t := range ts[1:] {
		if t.After(out) {
			out = t
		}
	}
	return out
}
