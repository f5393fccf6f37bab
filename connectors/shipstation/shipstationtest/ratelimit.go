package shipstationtest

import (
	"sync"
	"time"
)

// limiter is a fixed-window request quota per key. A window opens with the
// first request after the previous one ended, which is how ShipStation's
// X-Rate-Limit-Reset counts down.
type limiter struct {
	mu      sync.Mutex
	limit   int
	window  time.Duration
	now     func() time.Time
	windows map[string]*quotaWindow
}

type quotaWindow struct {
	start time.Time
	used  int
}

func newLimiter(limit int, window time.Duration, now func() time.Time) *limiter {
	if window <= 0 {
		window = time.Minute
	}
	return &limiter{limit: limit, window: window, now: now, windows: map[string]*quotaWindow{}}
}

// take spends one request of key's quota. It reports whether the request is
// allowed, the requests left and the whole seconds until the window resets.
func (l *limiter) take(key string) (ok bool, remaining, resetSecs int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	win := l.current(key, now)
	if win.used >= l.limit {
		return false, 0, l.resetSecs(win, now)
	}
	win.used++
	return true, l.limit - win.used, l.resetSecs(win, now)
}

// peek reports key's state without spending anything.
func (l *limiter) peek(key string) (remaining, resetSecs int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	win := l.current(key, now)
	return max(l.limit-win.used, 0), l.resetSecs(win, now)
}

func (l *limiter) current(key string, now time.Time) *quotaWindow {
	win := l.windows[key]
	if win == nil || !now.Before(win.start.Add(l.window)) || now.Before(win.start) {
		win = &quotaWindow{start: now}
		l.windows[key] = win
	}
	return win
}

func (l *limiter) resetSecs(win *quotaWindow, now time.Time) int {
	left := win.start.Add(l.window).Sub(now)
	secs := int((left + time.Second - 1) / time.Second)
	return max(secs, 1)
}
