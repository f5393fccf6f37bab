// Package ingress is the HTTP front of `tote run`: webhook deliveries are
// verified by their trigger's connector, written to the durable inbox, and
// acknowledged only after that commit. It also serves /healthz and /readyz.
package ingress

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/state"
)

// MaxBody is the largest delivery accepted.
const MaxBody = 1 << 20

// Handler serves webhook deliveries at POST /hooks/<pipeline>/<trigger>.
type Handler struct {
	Engine *run.Engine
	// Inbox stores the deliveries' events: the state, or the journal of
	// an intake process.
	Inbox  Inbox
	Logger *slog.Logger
	// Wake is signalled (without blocking) after each enqueue.
	Wake chan struct{}
	// Ready reports whether the service is ready to take traffic.
	Ready func() bool
	// Status, when set, serves every other path (the status page).
	Status http.Handler
	// NotReady, if set, returns why the service cannot do its work (a
	// connection's credentials refused), or "".
	NotReady func() string
	// Observer, when not nil, hears about each delivery.
	Observer Observer
	// Metrics, when not nil, serves GET /metrics.
	Metrics http.Handler

	accepted, duplicates, rejected atomic.Int64
}

// Inbox is where a delivery's events are committed before it is answered.
type Inbox interface {
	Enqueue(ctx context.Context, items ...state.NewItem) ([]state.EnqueueResult, error)
}

// Observer hears about deliveries: metrics, the log of rejections. It is
// called on the request path and must be quick and safe for concurrent use.
type Observer interface {
	// Delivered hears of a delivery stored in the inbox, took after its
	// request reached the handler: what the sender waits for, but for the
	// answer's write that follows.
	Delivered(pipeline, trigger string, accepted, duplicates int, took time.Duration)
	Rejected(path string, status int, reason string)
}

// Stats are counters since start.
type Stats struct {
	Accepted, Duplicates, Rejected int64
}

// Stats returns the counters.
func (h *Handler) Stats() Stats {
	return Stats{h.accepted.Load(), h.duplicates.Load(), h.rejected.Load()}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/healthz":
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	case r.URL.Path == "/readyz":
		if h.Ready != nil && !h.Ready() {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "not ready"})
			return
		}
		if reason := notReady(h.NotReady); reason != "" {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "not ready", "reason": reason})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	case r.URL.Path == "/metrics" && h.Metrics != nil:
		h.Metrics.ServeHTTP(w, r)
	case strings.HasPrefix(r.URL.Path, "/hooks/"):
		h.hook(w, r)
	case h.Status != nil:
		h.Status.ServeHTTP(w, r)
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
	}
}

func (h *Handler) hook(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.reject(w, r, http.StatusMethodNotAllowed, "deliveries are POSTed")
		return
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/hooks/"), "/")
	if len(parts) != 2 {
		h.reject(w, r, http.StatusNotFound, "no such webhook")
		return
	}
	t, pl := h.trigger(parts[0], parts[1])
	if t == nil {
		h.reject(w, r, http.StatusNotFound, "no such webhook")
		return
	}
	conn, err := h.Engine.Conn(r.Context(), t.Conn)
	if err != nil {
		h.logger().Error("opening connection for webhook", "trigger", pl.Name+"."+t.Name, "err", h.Engine.Redact(err.Error()))
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "connection unavailable"})
		return
	}
	recv, ok := conn.(connectors.WebhookReceiver)
	if !ok {
		h.reject(w, r, http.StatusNotFound, "no such webhook")
		return
	}
	args := t.PlainArgs
	// A token in the URL or a header is checked before the body is read:
	// a caller without it is not worth a read.
	if v, ok := conn.(connectors.RequestVerifier); ok {
		if err := v.VerifyRequest(t.Kind, args, r); err != nil {
			// Without this, net/http would read the unread body before
			// answering, to keep the connection.
			w.Header().Set("Connection", "close")
			h.refuse(w, r, err)
			return
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.reject(w, r, http.StatusRequestEntityTooLarge, "the body is over 1 MiB")
			return
		}
		h.reject(w, r, http.StatusBadRequest, "reading the body failed")
		return
	}
	events, err := recv.Receive(r.Context(), t.Kind, args, r, body)
	if err != nil {
		h.refuse(w, r, err)
		return
	}
	items := make([]state.NewItem, 0, len(events))
	for _, ev := range events {
		items = append(items, run.NewItem(pl.Name, t, ev.Key, ev.Data))
	}
	res, err := h.Inbox.Enqueue(r.Context(), items...)
	if err != nil {
		// Not committed: the sender must retry, so the answer is a 5xx.
		h.logger().Error("enqueueing webhook events", "trigger", pl.Name+"."+t.Name, "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "could not store the delivery; retry"})
		return
	}
	var acc, dup int64
	for _, r := range res {
		if r.Duplicate {
			dup++
		} else {
			acc++
		}
	}
	h.accepted.Add(acc)
	h.duplicates.Add(dup)
	if h.Observer != nil {
		h.Observer.Delivered(pl.Name, t.Name, int(acc), int(dup), time.Since(start))
	}
	if acc > 0 && h.Wake != nil {
		select {
		case h.Wake <- struct{}{}:
		default:
		}
	}
	writeJSON(w, http.StatusAccepted, map[string]int64{"accepted": acc, "duplicates": dup})
}

func (h *Handler) trigger(pipeline, name string) (*compile.Trigger, *compile.Pipeline) {
	pl := h.Engine.Program().Pipeline(pipeline)
	if pl == nil {
		return nil, nil
	}
	t := pl.Trigger(name)
	if t == nil || t.Mode != compile.ModeWebhook {
		return nil, nil
	}
	return t, pl
}

// refuse answers a receiver's error: its own status for a RequestError.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, err error) {
	var re *connectors.RequestError
	if errors.As(err, &re) {
		h.reject(w, r, re.Status, re.Reason)
		return
	}
	h.reject(w, r, http.StatusBadRequest, "the delivery could not be read")
}

func (h *Handler) reject(w http.ResponseWriter, r *http.Request, status int, reason string) {
	h.rejected.Add(1)
	if h.Observer != nil {
		h.Observer.Rejected(r.URL.Path, status, reason)
	}
	h.logger().Warn("webhook rejected", "path", r.URL.Path, "status", status, "reason", reason)
	writeJSON(w, status, map[string]string{"error": reason})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (h *Handler) logger() *slog.Logger {
	if h.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Logger
}

func notReady(f func() string) string {
	if f == nil {
		return ""
	}
	return f()
}
