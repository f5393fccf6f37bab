package bigcommercetest

import (
	"sync"
	"time"
)

// limiter is the store's request quota: Quota requests per fixed window,
// the window starting with the first request after the previous one ended.
type limiter struct {
	mu     sync.Mutex
	quota  int
	window time.Duration
	start  time.Time
	used   int
}

type limitState struct {
	ok       bool
	quota    int
	left     int
	resetMs  int64
	windowMs int64
}

// take charges one request at now and reports the headers to send.
func (l *limiter) take(now time.Time) limitState {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.start.IsZero() || !now.Before(l.start.Add(l.window)) || now.Before(l.start) {
		l.start, l.used = now, 0
	}
	st := limitState{quota: l.quota, windowMs: l.window.Milliseconds()}
	st.resetMs = max(l.start.Add(l.window).Sub(now).Milliseconds(), 0)
	if l.used >= l.quota {
		return st
	}
	l.used++
	st.ok, st.left = true, l.quota-l.used
	return st
}
