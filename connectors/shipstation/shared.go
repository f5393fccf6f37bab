package shipstation

import (
	"context"
	"strings"
	"sync"
	"time"
)

// sharedRead runs one read for every caller that wants it at about the
// same time: a caller that arrives while the read is under way waits for
// it, and one that arrives within ttl of its start takes its answer. A
// failed read is shared by those waiting on it but not kept. The read runs
// under the connection's context, so one caller giving up does not fail
// the others.
type sharedRead[T any] struct {
	ttl time.Duration
	now func() time.Time
	ctx context.Context

	mu sync.Mutex
	m  map[string]*flight[T]
}

type flight[T any] struct {
	start time.Time
	done  chan struct{}
	v     T
	err   error
}

func newSharedRead[T any](ctx context.Context, ttl time.Duration, now func() time.Time) *sharedRead[T] {
	return &sharedRead[T]{ttl: ttl, now: now, ctx: ctx, m: map[string]*flight[T]{}}
}

// get answers key's read, running read when no fresh answer or read under
// way exists. started reports when the answering read began.
func (s *sharedRead[T]) get(ctx context.Context, key string, read func(context.Context) (T, error)) (v T, started time.Time, err error) {
	s.mu.Lock()
	f := s.m[key]
	if f == nil || (f.finished() && (f.err != nil || s.now().Sub(f.start) >= s.ttl)) {
		f = &flight[T]{start: s.now(), done: make(chan struct{})}
		s.m[key] = f
		go func() {
			f.v, f.err = read(s.ctx)
			close(f.done)
		}()
	}
	s.mu.Unlock()
	select {
	case <-f.done:
		return f.v, f.start, f.err
	case <-ctx.Done():
		return v, f.start, ctx.Err()
	}
}

// fresh returns key's answer if a read of it succeeded within ttl.
func (s *sharedRead[T]) fresh(key string) (v T, started time.Time, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.m[key]
	if f == nil || !f.finished() || f.err != nil || s.now().Sub(f.start) >= s.ttl {
		return v, started, false
	}
	return f.v, f.start, true
}

// forget drops key's answer, so the next caller reads again; a read under
// way still answers those already waiting for it.
func (s *sharedRead[T]) forget(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
}

// forgetPrefix drops the answers of every key starting with prefix.
func (s *sharedRead[T]) forgetPrefix(prefix string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.m {
		if strings.HasPrefix(k, prefix) {
			delete(s.m, k)
		}
	}
}

func (f *flight[T]) finished() bool {
	select {
	case <-f.done:
		return true
	default:
		return false
	}
}
