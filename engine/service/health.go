package service

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/run"
)

// Health knows whether each connection's settings still work: connections
// that implement connectors.Checker are checked at start and then
// periodically. A connection that cannot open, or whose credentials the
// vendor refuses (401/403), makes the service not ready, with the reason,
// until a later check passes. Other failures (a timeout, a 5xx) say
// nothing about the settings and leave readiness alone.
type Health struct {
	targets []healthTarget
	logger  *slog.Logger
	after   func(time.Duration) <-chan time.Time

	mu       sync.Mutex
	problems map[string]string // connection address -> reason
}

type healthTarget struct {
	addr string
	open func(ctx context.Context) (connectors.Conn, error)
}

// NewHealth watches the engine's enabled connections.
func NewHealth(eng *run.Engine, logger *slog.Logger) *Health {
	h := &Health{logger: logger, after: time.After, problems: map[string]string{}}
	for _, c := range eng.Program().Connections {
		if !c.Enabled {
			continue
		}
		h.targets = append(h.targets, healthTarget{addr: c.Addr(), open: func(ctx context.Context) (connectors.Conn, error) { return eng.Conn(ctx, c) }})
	}
	return h
}

// CheckOnce checks every connection once and records the outcome.
func (h *Health) CheckOnce(ctx context.Context) {
	for _, t := range h.targets {
		reason := ""
		conn, err := t.open(ctx)
		switch {
		case err != nil:
			reason = err.Error()
		default:
			checker, ok := conn.(connectors.Checker)
			if !ok {
				continue
			}
			if err := checker.Check(ctx); err != nil {
				if !connectors.Unauthorized(err) && !isBadSetting(err) {
					h.logger.Warn("connection check failed", "connection", t.addr, "err", err.Error())
					continue
				}
				reason = err.Error()
			}
		}
		if ctx.Err() != nil {
			return
		}
		h.record(t.addr, reason)
	}
}

// isBadSetting reports whether err is a setting found wrong without a call.
func isBadSetting(err error) bool {
	var ce *connectors.CheckError
	return errors.As(err, &ce) && ce.Status == 0 && ce.Err == nil
}

func (h *Health) record(addr, reason string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	before, had := h.problems[addr]
	switch {
	case reason == "" && had:
		delete(h.problems, addr)
		h.logger.Info("connection works again", "connection", addr)
	case reason != "" && (!had || before != reason):
		h.problems[addr] = reason
		h.logger.Error("connection refused: not ready until it works", "connection", addr, "reason", reason)
	}
}

// Run checks now and then every interval until ctx is done.
func (h *Health) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = 5 * time.Minute
	}
	for {
		h.CheckOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-h.after(every):
		}
	}
}

// NotReady returns why the service is not ready, or "" when every checked
// connection works.
func (h *Health) NotReady() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.problems) == 0 {
		return ""
	}
	var lines []string
	for addr, reason := range h.problems {
		lines = append(lines, addr+": "+reason)
	}
	sort.Strings(lines)
	return strings.Join(lines, "; ")
}
