package intake

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/toteworks/tote/engine/affinity"
	"github.com/toteworks/tote/engine/ingress"
	"github.com/toteworks/tote/engine/state"
)

// Child is what an intake process learns from its environment.
type Child struct {
	Journal  string // the journal's path
	Upstream string // the serving process's own server, for every path but the webhooks'
	// CPUs, if any, are the CPUs the intake process keeps to.
	CPUs affinity.Set
}

// FromEnv reports whether this process is an intake process started by
// Start, and its settings.
func FromEnv(getenv func(string) (string, bool)) (Child, bool) {
	j, ok := getenv(envJournal)
	if !ok || j == "" {
		return Child{}, false
	}
	up, _ := getenv(envUpstream)
	c := Child{Journal: j, Upstream: up}
	if list, ok := getenv(envCPUs); ok {
		// Start wrote it; a list it cannot have written keeps no CPUs.
		c.CPUs, _ = affinity.Parse(list)
	}
	return c, true
}

// Listener is the listener the serving process handed over.
func (c Child) Listener() (net.Listener, error) {
	f := childFile(listenerFD, "listener")
	defer f.Close()
	ln, err := net.FileListener(f)
	if err != nil {
		return nil, fmt.Errorf("intake: taking the listener over: %w", err)
	}
	return ln, nil
}

// Proxy passes requests to the serving process's own server, with the
// client's address in RemoteAddrHeader and rep's reports so far in
// ReportsHeader.
func (c Child) Proxy(rep *Reporter) http.Handler {
	target := &url.URL{Scheme: "http", Host: c.Upstream}
	return &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host
			r.Out.Header.Set(RemoteAddrHeader, r.In.RemoteAddr)
			r.Out.Header.Set(ReportsHeader, strconv.FormatInt(rep.queued.Load(), 10))
			// A proxy in front of tote is seen as it is: the status page
			// takes no forwarded request for a loopback one.
			for _, h := range []string{"X-Forwarded-For", "Forwarded"} {
				if v := r.In.Header.Values(h); len(v) > 0 {
					r.Out.Header[h] = v
				}
			}
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			http.Error(w, "tote run is not answering", http.StatusBadGateway)
		},
	}
}

// Reporter tells the serving process about deliveries, off the request
// path: an ingress.Observer whose reports a goroutine of its own (Run)
// writes to the pipe. Reports are for metrics and for waking the serving
// process; the deliveries themselves are in the journal, so a report
// dropped because the pipe is behind loses nothing but a count.
type Reporter struct {
	q      chan message
	queued atomic.Int64 // reports queued, dropped ones not counted
	w      io.WriteCloser
	log    *slog.Logger
}

// Reporter returns the reporter on the inherited pipe.
func (c Child) Reporter(log *slog.Logger) *Reporter {
	return &Reporter{q: make(chan message, 4096), w: childFile(reportFD, "report"), log: log}
}

func (r *Reporter) send(m message) {
	select {
	case r.q <- m:
		r.queued.Add(1)
	default:
		r.log.Warn("the intake's reports are behind; a delivery is not counted in the metrics")
	}
}

// Ready reports that the intake serves.
func (r *Reporter) Ready() { r.send(message{Ready: true}) }

// Delivered reports a delivery committed to the journal.
func (r *Reporter) Delivered(pipeline, trigger string, accepted, duplicates int, took time.Duration) {
	r.send(message{Delivered: &delivered{pipeline, trigger, accepted, duplicates, took}})
}

// Rejected reports a refused delivery. Its path is the sender's, of any
// length: it is cut so that a report stays one short line.
func (r *Reporter) Rejected(path string, status int, reason string) {
	r.send(message{Rejected: &rejected{state.CutText(path, maxReported), status, state.CutText(reason, maxReported)}})
}

// maxReported bounds the bytes of a refused delivery's path and reason in
// a report: above the 200 the state keeps (RecordRejection), so that the
// record is cut from the sender's own text.
const maxReported = 1024

// Run writes reports until stop is closed, then those still queued, and
// closes the pipe.
func (r *Reporter) Run(stop <-chan struct{}) {
	bw := bufio.NewWriter(r.w)
	enc := json.NewEncoder(bw)
	defer r.w.Close()
	for {
		select {
		case m := <-r.q:
			_ = enc.Encode(m)
			for len(r.q) > 0 {
				_ = enc.Encode(<-r.q)
			}
			if err := bw.Flush(); err != nil {
				r.log.Error("reporting to tote run", "err", err)
			}
		case <-stop:
			for len(r.q) > 0 {
				_ = enc.Encode(<-r.q)
			}
			_ = bw.Flush()
			return
		}
	}
}

// Control obeys the serving process's commands on in (the intake
// process's stdin) until it ends, which is the signal to stop.
func Control(ctx context.Context, in io.Reader, j *Journal, log *slog.Logger) {
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 || f[0] != forgetCommand {
			log.Warn("intake: an unknown command from tote run", "command", sc.Text())
			continue
		}
		lane, err1 := strconv.Atoi(f[1])
		id, err2 := strconv.ParseInt(f[2], 10, 64)
		if err1 != nil || err2 != nil {
			log.Warn("intake: a malformed command from tote run", "command", sc.Text())
			continue
		}
		if err := j.Forget(ctx, lane, id); err != nil {
			log.Error("intake: forgetting moved deliveries", "err", err)
		}
	}
}

var _ ingress.Observer = (*Reporter)(nil)
