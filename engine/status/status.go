// Package status serves the status page of `tote run`: health per pipeline
// and connection, the queue, recent failures, dead events with a retry
// button, and a search by BigCommerce order id or SKU. It is server-rendered
// HTML with embedded assets. Loopback clients see it; others need the
// status token, given once as ?token= for a login cookie. The retry form
// is protected by an HMAC token bound to a SameSite cookie and an Origin
// check.
package status

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/toteworks/tote/engine/state"
)

//go:embed assets
var assets embed.FS

var page = template.Must(template.New("page.html").Funcs(template.FuncMap{
	"when": when,
	"ago":  func(now, t time.Time) string { return ago(now, t) },
}).ParseFS(assets, "assets/page.html"))

// Options configure a Handler.
type Options struct {
	Store *state.Store
	// Pipelines and Connections are the program's, so those that never
	// ran are listed too.
	Pipelines   []string
	Connections []string
	// Token, when set, lets clients other than loopback in.
	Token  string
	Clock  func() time.Time
	Logger *slog.Logger
	// Retried, when set, is called after an event is requeued (to wake
	// the workers).
	Retried func()
}

// Handler serves the status page.
type Handler struct {
	opts   Options
	token  string
	secret []byte // per process: logins and form tokens end with it
	static http.Handler
}

// New returns a status page handler.
func New(opts Options) *Handler {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	sub, _ := fs.Sub(assets, "assets")
	return &Handler{opts: opts, token: opts.Token, secret: secret,
		static: http.StripPrefix("/assets/", http.FileServer(http.FS(sub)))}
}

func (h *Handler) newNonce() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.login(w, r) {
		return
	}
	if !h.authorized(r) {
		msg := "The status page serves loopback clients only; start tote run with -status-token to let others in."
		if h.token != "" {
			msg = "Open this page once with ?token=<the status token>."
		}
		http.Error(w, msg, http.StatusForbidden)
		return
	}
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'")
	w.Header().Set("Referrer-Policy", "same-origin")
	switch {
	case r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		h.page(w, r)
	case r.URL.Path == "/retry" && r.Method == http.MethodPost:
		h.retry(w, r)
	case len(r.URL.Path) > len("/assets/") && r.URL.Path[:len("/assets/")] == "/assets/" && r.Method == http.MethodGet:
		h.static.ServeHTTP(w, r)
	default:
		http.NotFound(w, r)
	}
}

// view is what the page template renders.
type view struct {
	Now         time.Time
	CSRF        string
	Notice      string
	Pipelines   []state.PipelineHealth
	Connections []state.ConnectionHealth
	Queue       []state.QueueDepth
	Failures    []state.Run
	Dead        []state.Item
	Parked      []state.Item
	Search      *Found
	SearchError string
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := h.opts.Clock()
	v := view{Now: now, CSRF: h.csrf(w, r)}
	if id := r.URL.Query().Get("retried"); id != "" {
		v.Notice = "Event " + id + " is queued again."
	}
	if err := h.read(ctx, now, &v); err != nil {
		h.opts.Logger.Error("status page: reading state", "err", err)
		http.Error(w, "Reading the state failed; see the log.", http.StatusInternalServerError)
		return
	}
	if q := r.URL.Query().Get("q"); q != "" {
		found, err := Search(ctx, h.opts.Store, q)
		if err != nil {
			h.opts.Logger.Error("status page: search", "err", err)
			v.SearchError = "The search failed; see the log."
		}
		v.Search = &found
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := page.Execute(w, v); err != nil {
		h.opts.Logger.Error("status page: rendering", "err", err)
	}
}

// read fills v with what the page shows from the state, stopping at the
// first read that fails.
func (h *Handler) read(ctx context.Context, now time.Time, v *view) error {
	var err error
	if v.Pipelines, err = h.pipelines(ctx, now); err != nil {
		return err
	}
	if v.Connections, err = h.connections(ctx, now); err != nil {
		return err
	}
	if v.Queue, err = h.opts.Store.QueueDepths(ctx, now); err != nil {
		return err
	}
	if v.Failures, err = h.failures(ctx); err != nil {
		return err
	}
	if v.Dead, err = h.opts.Store.Items(ctx, state.ItemFilter{Status: state.ItemDead, Limit: 100}); err != nil {
		return err
	}
	v.Parked, err = h.opts.Store.Items(ctx, state.ItemFilter{Status: state.ItemParked, Limit: 100})
	return err
}

// pipelines lists every pipeline of the program and any other with runs.
func (h *Handler) pipelines(ctx context.Context, now time.Time) ([]state.PipelineHealth, error) {
	hs, err := h.opts.Store.PipelineHealths(ctx, now.Add(-time.Hour))
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, x := range hs {
		have[x.Pipeline] = true
	}
	for _, name := range h.opts.Pipelines {
		if !have[name] {
			hs = append(hs, state.PipelineHealth{Pipeline: name})
		}
	}
	sort.Slice(hs, func(i, j int) bool { return hs[i].Pipeline < hs[j].Pipeline })
	return hs, nil
}

func (h *Handler) connections(ctx context.Context, now time.Time) ([]state.ConnectionHealth, error) {
	hs, err := h.opts.Store.ConnectionHealths(ctx, now.Add(-time.Hour))
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, x := range hs {
		have[x.Connection] = true
	}
	for _, name := range h.opts.Connections {
		if !have[name] {
			hs = append(hs, state.ConnectionHealth{Connection: name})
		}
	}
	sort.Slice(hs, func(i, j int) bool { return hs[i].Connection < hs[j].Connection })
	return hs, nil
}

// failures are the newest failed and dead runs.
func (h *Handler) failures(ctx context.Context) ([]state.Run, error) {
	failed, err := h.opts.Store.Runs(ctx, state.RunFilter{Status: state.RunFailed, Limit: 20})
	if err != nil {
		return nil, err
	}
	dead, err := h.opts.Store.Runs(ctx, state.RunFilter{Status: state.RunDead, Limit: 20})
	if err != nil {
		return nil, err
	}
	all := append(failed, dead...)
	sort.SliceStable(all, func(i, j int) bool { return all[i].StartedAt.After(all[j].StartedAt) })
	if len(all) > 20 {
		all = all[:20]
	}
	return all, nil
}

func (h *Handler) retry(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	if !h.checkCSRF(r) {
		http.Error(w, "This form is out of date or did not come from this page; reload the page and try again.", http.StatusForbidden)
		return
	}
	id, err := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
	if err != nil || id <= 0 {
		http.Error(w, "No event id in the form.", http.StatusBadRequest)
		return
	}
	err = h.opts.Store.Requeue(r.Context(), id)
	switch {
	case errors.Is(err, state.ErrNotFound):
		http.Error(w, "There is no event "+strconv.FormatInt(id, 10)+".", http.StatusNotFound)
		return
	case errors.Is(err, state.ErrInvalidStatus):
		http.Error(w, "Event "+strconv.FormatInt(id, 10)+" is neither dead nor parked; it may be queued already.", http.StatusConflict)
		return
	case err != nil:
		h.opts.Logger.Error("status page: requeue", "item", id, "err", err)
		http.Error(w, "Requeueing failed; see the log.", http.StatusInternalServerError)
		return
	}
	h.opts.Logger.Info("status page: event queued again", "item", id)
	if h.opts.Retried != nil {
		h.opts.Retried()
	}
	http.Redirect(w, r, "/?retried="+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	switch {
	case d < 0:
		return "in " + (-d).Round(time.Second).String()
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s ago"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m ago"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + "h ago"
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + "d ago"
}
