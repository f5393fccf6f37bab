package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/toteworks/tote/engine/affinity"
	"github.com/toteworks/tote/engine/connlimit"
	"github.com/toteworks/tote/engine/ingress"
	"github.com/toteworks/tote/engine/intake"
	"github.com/toteworks/tote/engine/priority"
	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/state"
)

// IntakeProcess has webhooks served by a process of their own (tote run
// -intake process): it commits deliveries to a journal beside the state
// file and answers them, and this process, at a lower CPU priority, moves
// the journal into the inbox. A webhook's answer then waits for no run:
// in one process the runs and the webhooks share the Go scheduler, which
// cannot put one before the other.
type IntakeProcess struct {
	// Command returns the intake process to start: this program, with the
	// arguments it was started with.
	Command func() *exec.Cmd
	// Nice is the nice value this process lowers itself to once the
	// intake process serves; 0 leaves it.
	Nice int
	// CPUs, if any, are the CPUs the intake process keeps to, and this
	// process keeps off while deliveries arrive (see IntakeCPUs).
	CPUs affinity.Set
}

// startIntake hands ln to a new intake process, which passes the paths
// other than the webhooks' to own (this process's server), and lowers
// this process's priority.
func startIntake(ctx context.Context, ln net.Listener, own string, store *state.Store, obs ingress.Observer, wake func(), opts Options) (*intake.Process, error) {
	if store.Backend() != state.SQLite || opts.Replica {
		// Replicas would share one journal, which one mover moves.
		return nil, errors.New("-intake process needs SQLite state and no -replica: replicas each take webhooks themselves")
	}
	tcp, ok := ln.(*net.TCPListener)
	if !ok {
		return nil, fmt.Errorf("-intake process: cannot hand a %T over", ln)
	}
	cpus := opts.Intake.CPUs
	var off *keepOff
	if len(cpus) > 0 {
		all, err := affinity.Allowed()
		if err != nil || !cpus.Within(all) || len(all.Without(cpus)) == 0 {
			opts.Logger.Warn("the intake process shares every CPU with the runs", "intake_cpus", cpus.String(), "allowed", all.String(), "err", err)
			cpus = nil
		} else {
			off = newKeepOff(obs, all, cpus, opts.Logger)
			obs = off
		}
	}
	proc, err := intake.Start(ctx, intake.Options{Cmd: opts.Intake.Command(), Listener: tcp, Upstream: own,
		Journal: intake.JournalPath(store.Path()), Store: store, Observer: obs, Wake: wake, Logger: opts.Logger, CPUs: cpus})
	if err != nil {
		return nil, err
	}
	if off != nil {
		t := time.NewTicker(keepOffQuiet / 4)
		go func() { defer t.Stop(); off.run(ctx, t.C) }()
		opts.Logger.Info("the intake process keeps to its CPUs; this process keeps off them while deliveries arrive", "intake_cpus", cpus.String(), "runs_cpus", off.rest.String())
	}
	if n := opts.Intake.Nice; n > 0 {
		if err := priority.Lower(n); err != nil {
			opts.Logger.Warn("could not lower this process's priority below the intake's", "nice", n, "err", err)
		} else {
			opts.Logger.Info("webhooks are served by an intake process; this process runs at a lower priority", "nice", n)
		}
	}
	return proc, nil
}

// reportsWait bounds how long a request the intake process passed on
// waits for the reports it sent before (see intake.ReportsHeader).
const reportsWait = time.Second

// trustIntake serves h to the intake process, taking the client's address
// from the header the intake process sets, and answering once proc has
// read the reports the intake process sent before the request.
func trustIntake(h http.Handler, proc *intake.Process) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a := r.Header.Get(intake.RemoteAddrHeader); a != "" {
			r.RemoteAddr = a
			r.Header.Del(intake.RemoteAddrHeader)
		}
		if n, err := strconv.ParseInt(r.Header.Get(intake.ReportsHeader), 10, 64); err == nil {
			ctx, cancel := context.WithTimeout(r.Context(), reportsWait)
			proc.WaitReports(ctx, n)
			cancel()
		}
		r.Header.Del(intake.ReportsHeader)
		h.ServeHTTP(w, r)
	})
}

// RunIntake is tote run as an intake process: it serves the listener the
// serving process handed over, commits webhook deliveries to the journal
// before answering them, and passes every other request to the serving
// process, until stdin (the serving process's control pipe) ends. The
// interrupt signals that stop tote run are the serving process's to act
// on: it stops this process first.
func RunIntake(ctx context.Context, eng *run.Engine, c intake.Child, stdin io.Reader, opts Options) error {
	ctx = context.WithoutCancel(ctx)
	if len(c.CPUs) > 0 {
		if err := affinity.Keep(c.CPUs); err != nil {
			opts.Logger.Warn("could not keep the intake process to its CPUs", "cpus", c.CPUs.String(), "err", err)
		}
	}
	j, err := intake.OpenJournal(ctx, c.Journal)
	if err != nil {
		return err
	}
	rep := c.Reporter(opts.Logger)
	stopReports, reported := make(chan struct{}), make(chan struct{})
	go func() { defer close(reported); rep.Run(stopReports) }()
	h := &ingress.Handler{Engine: eng, Inbox: j, Logger: opts.Logger, Observer: rep}
	proxy := c.Proxy(rep)
	ln, err := c.Listener()
	if err != nil {
		close(stopReports)
		j.Close()
		return err
	}
	limits := opts.HTTP.withDefaults()
	srv := newServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/hooks/") {
			h.ServeHTTP(w, r)
			return
		}
		proxy.ServeHTTP(w, r)
	}), limits)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(connlimit.Listen(ln, limits.MaxConns)) }()
	rep.Ready()
	intake.Control(ctx, stdin, j, opts.Logger)

	grace := opts.Grace
	if grace <= 0 {
		grace = DefaultHTTPLimits().WriteTimeout
	}
	sctx, cancel := context.WithTimeout(ctx, grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		opts.Logger.Error("intake: serving", "err", err)
	}
	close(stopReports)
	<-reported
	return j.Close()
}
