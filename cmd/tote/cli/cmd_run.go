package cli

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"time"

	"github.com/toteworks/tote/engine/affinity"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/intake"
	"github.com/toteworks/tote/engine/lease"
	"github.com/toteworks/tote/engine/metrics"
	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/service"
	"github.com/toteworks/tote/engine/state"
	"github.com/toteworks/tote/engine/status"
)

func cmdRun(ctx context.Context, env Env, args []string) int {
	fs := newFlags("run", "run [-listen ADDR] [flags]", env.Stderr)
	var c common
	c.register(fs, env, true)
	listen := fs.String("listen", envOr(env, "TOTE_LISTEN", "127.0.0.1:7400"), "address for webhooks, /healthz, /readyz, /metrics and the status page ($TOTE_LISTEN)")
	concurrency := fs.Int("concurrency", 256, "runs at once (most wait on a vendor: batching needs many in flight)")
	parallelism := fs.Int("parallelism", 10, "steps and instances at once within a run")
	cpuSlots := fs.Int("cpu-slots", runtime.GOMAXPROCS(0), "of the -concurrency runs, how many compute at once (the others wait on vendors, commits or a slot), so webhooks find a free core; 0 for no bound")
	grace := fs.Duration("grace", 30*time.Second, "how long runs in flight may finish after SIGTERM")
	attempts := fs.Int("max-attempts", 8, "attempts per event before it is dead")
	backoff := fs.Duration("backoff", time.Second, "first retry delay (doubles, with jitter)")
	maxBackoff := fs.Duration("max-backoff", 10*time.Minute, "longest retry delay")
	readyFile := fs.String("ready-file", "", "once serving, write the listening address and then the process id to this file, a line each")
	logFormat := fs.String("log-format", "text", "text or json")
	public := fs.String("public-url", "", "where vendors reach this process; webhook subscriptions there are kept in repair ($TOTE_PUBLIC_URL, else var.public_url)")
	subEvery := fs.Duration("subscription-check", 5*time.Minute, "how often webhook subscriptions are checked")
	since := fs.Duration("since", 0, "on first start, polls without a cursor catch up this far back, e.g. 72h")
	lim := service.DefaultHTTPLimits()
	fs.DurationVar(&lim.ReadHeaderTimeout, "read-header-timeout", lim.ReadHeaderTimeout, "a client must send a request's headers within this")
	fs.DurationVar(&lim.ReadTimeout, "read-timeout", lim.ReadTimeout, "a client must send a whole request, body included, within this")
	fs.DurationVar(&lim.WriteTimeout, "write-timeout", lim.WriteTimeout, "an answer must be written within this after the request's headers")
	fs.DurationVar(&lim.IdleTimeout, "idle-timeout", lim.IdleTimeout, "a kept-alive connection is closed after this without a request")
	fs.IntVar(&lim.MaxConns, "max-conns", lim.MaxConns, "connections open at once; more wait to be accepted")
	leaseTTL := fs.Duration("lease-ttl", time.Minute, "how long the state lease lasts unrenewed (renewed every third of it); past it without a renewal, tote run stops")
	replica := fs.Bool("replica", false, "run as one of several tote run replicas on this state, each with a lease of its own (on by default for PostgreSQL state)")
	claimLease := fs.Duration("claim-lease", 5*time.Minute, "how long a claimed event is this process's before another may run it (a stopped replica's events come back after -lease-ttl)")
	// The token's default is read after parsing, so -h never prints it.
	statusToken := fs.String("status-token", "", "lets clients other than loopback see the status page at / (open it once with ?token=...) ($TOTE_STATUS_TOKEN)")
	intakeMode := fs.String("intake", envOr(env, "TOTE_INTAKE", "auto"), "process: webhooks are served by a process of their own, which commits them to a journal beside the state file and answers at once, while this one runs at a lower priority (SQLite state, no -replica, not on Windows); inline: by this process; auto: process where it can be ($TOTE_INTAKE)")
	intakeNice := fs.Int("intake-nice", 10, "with -intake process, the nice value this process lowers itself to (0 leaves it)")
	intakeCPUs := fs.String("intake-cpus", "auto", "with -intake process, the CPUs the intake process keeps to, as a list such as 3 or 2-3, and this process keeps off while webhooks arrive (Linux); auto: the last CPU where there are two or more; off: none")
	summaryEvery := fs.Duration("summary-every", time.Minute, "how often to log a one-line summary (events, queue, vendor calls, 429s); 0 for never")
	var ret retention // pruned hourly; -retain 0 keeps everything
	ret.register(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return exitError
	}
	if msg := ret.check(); msg != "" {
		fmt.Fprintln(env.Stderr, "Error:", msg)
		return exitError
	}
	if len(pos) > 0 {
		fmt.Fprintf(env.Stderr, "Error: unexpected argument %q\n", pos[0])
		return exitError
	}
	if *statusToken == "" {
		*statusToken = envOr(env, "TOTE_STATUS_TOKEN", "")
	}
	prog, ok := load(env, c.dir, c.vars, false)
	if !ok {
		return exitError
	}
	if *intakeMode != "auto" && *intakeMode != "inline" && *intakeMode != "process" {
		fmt.Fprintf(env.Stderr, "Error: -intake is auto, process or inline, not %q\n", *intakeMode)
		return exitError
	}
	if child, ok := intake.FromEnv(env.Getenv); ok {
		return runIntake(ctx, env, prog, child, *logFormat, *parallelism, service.Options{Grace: *grace, HTTP: lim})
	}
	var intakeCPUSet affinity.Set
	switch {
	case *intakeCPUs == "off":
	case runtime.GOOS != "linux":
		if *intakeCPUs != "auto" {
			fmt.Fprintln(env.Stderr, "Error: -intake-cpus names CPUs on Linux only")
			return exitError
		}
	default:
		allowed, err := affinity.Allowed()
		if err == nil {
			intakeCPUSet, err = service.IntakeCPUs(*intakeCPUs, allowed)
		}
		if err != nil {
			fmt.Fprintln(env.Stderr, "Error:", err)
			return exitError
		}
	}
	if !flagSet(fs, "replica") {
		*replica = state.IsURL(c.state)
	}
	if *replica && *intakeMode == "process" {
		// Replicas would share one journal, and only one could move it.
		fmt.Fprintln(env.Stderr, "Error: -intake process is for one tote run per state; replicas take webhooks themselves (-intake inline)")
		return exitError
	}
	store, err := openState(ctx, c.state)
	if err != nil {
		fmt.Fprintln(env.Stderr, "Error:", err)
		return exitError
	}
	defer store.Close()
	logger := newLogger(env, *logFormat)
	logger.Info("state", "backend", string(store.Backend()), "at", store.Path())
	leaseName := service.LeaseName
	if *replica {
		leaseName = lease.ReplicaName("run", run.ProcessOwner())
	}
	m := metrics.New(metrics.Options{Store: store, Lease: leaseName, Clock: env.Now})
	eng := run.New(prog, store, run.Options{Parallelism: *parallelism, Clock: env.Now, Logger: logger, Observer: m})
	defer eng.Close()
	err = service.Run(ctx, eng, service.Options{
		Status: statusPage(prog, store, *statusToken, env.Now, logger),
		Listen: *listen, Grace: *grace, Concurrency: *concurrency, CPUSlots: *cpuSlots, MaxAttempts: *attempts,
		Backoff: *backoff, MaxBackoff: *maxBackoff, Clock: env.Now, Logger: logger,
		PublicURL: publicURL(env, *public, prog), SubscriptionEvery: *subEvery, Since: *since, HTTP: lim, LeaseTTL: *leaseTTL,
		SummaryEvery: summaryInterval(*summaryEvery), Replica: *replica, ClaimLease: *claimLease,
		Retention: state.Retention{Records: ret.records, Intents: ret.intents}, Metrics: m, Intake: intakeProcess(env, *intakeMode, *intakeNice, intakeCPUSet, store.Backend(), *replica),
		Ready: func(addr string) {
			if *readyFile != "" {
				if err := writeReadyFile(*readyFile, addr); err != nil {
					logger.Error("writing the ready file", "err", err)
				}
			}
		},
	})
	if err != nil {
		fmt.Fprintln(env.Stderr, "Error:", eng.Redact(err.Error()))
		return exitError
	}
	return exitOK
}

// intakeProcess is tote run's intake process for -intake process, and for
// auto where it can be (SQLite state and no -replica: replicas each take
// webhooks themselves; not Windows, where a listener cannot be handed
// over): this program again, with the same arguments and environment.
func intakeProcess(env Env, mode string, nice int, cpus affinity.Set, backend state.Backend, replica bool) *service.IntakeProcess {
	if mode == "inline" || mode == "auto" && (backend != state.SQLite || replica || runtime.GOOS == "windows") {
		return nil
	}
	return &service.IntakeProcess{Nice: nice, CPUs: cpus, Command: func() *exec.Cmd {
		exe, err := os.Executable()
		if err != nil {
			exe = os.Args[0]
		}
		return &exec.Cmd{Path: exe, Args: os.Args, Env: os.Environ(), Stdout: env.Stdout, Stderr: env.Stderr}
	}}
}

// runIntake is tote run in its intake process (service.RunIntake).
func runIntake(ctx context.Context, env Env, prog *compile.Program, child intake.Child, logFormat string, parallelism int, opts service.Options) int {
	logger := newLogger(env, logFormat).With("process", "intake")
	eng := run.New(prog, nil, run.Options{Parallelism: parallelism, Clock: env.Now, Logger: logger})
	defer eng.Close()
	opts.Logger = logger
	if err := service.RunIntake(ctx, eng, child, env.Stdin, opts); err != nil {
		fmt.Fprintln(env.Stderr, "Error:", eng.Redact(err.Error()))
		return exitError
	}
	return exitOK
}

// flagSet reports whether the flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// statusPage is the status page of tote run, for the program's pipelines
// and connections.
func statusPage(prog *compile.Program, store *state.Store, token string, now func() time.Time, logger *slog.Logger) *status.Handler {
	var pipelines, conns []string
	for _, pl := range prog.Pipelines {
		pipelines = append(pipelines, pl.Name)
	}
	for _, c := range prog.Connections {
		conns = append(conns, c.Addr())
	}
	return status.New(status.Options{Store: store, Pipelines: pipelines, Connections: conns, Token: token, Clock: now, Logger: logger})
}

// summaryInterval maps the flag's 0 (never) to the service's negative.
func summaryInterval(d time.Duration) time.Duration {
	if d <= 0 {
		return -1
	}
	return d
}

func newLogger(env Env, format string) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(env.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(env.Stderr, opts))
}

func envOr(env Env, name, def string) string {
	if v, ok := env.Getenv(name); ok && v != "" {
		return v
	}
	return def
}

// writeReadyFile writes the address and pid atomically, so a reader never
// sees half a file.
func writeReadyFile(path, addr string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(fmt.Sprintf("%s\n%d\n", addr, os.Getpid())), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
