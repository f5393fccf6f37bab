// Package cli implements tote's commands: flag parsing into structs, the
// human and JSON views, and exit codes. The engine never prints; this
// package does, results to stdout and errors to stderr.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/agext/levenshtein"
	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/bigcommerce"
	"github.com/toteworks/tote/connectors/email"
	"github.com/toteworks/tote/connectors/httpconn"
	"github.com/toteworks/tote/connectors/shipstation"
)

// Version is set at build time with -ldflags "-X .../cli.Version=v1.2.3".
var Version = ""

// Env is what a command may touch of its surroundings.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) (string, bool)
	Now            func() time.Time
	// Registry is the set of connectors; nil means the built-in set.
	Registry *connectors.Registry
}

// DefaultEnv is the process's environment.
func DefaultEnv() Env {
	return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.LookupEnv, Now: time.Now}
}

// Registry is the built-in set of connectors.
func Registry() (*connectors.Registry, error) {
	return connectors.NewRegistry(bigcommerce.New, email.New, httpconn.New, shipstation.New)
}

// Exit codes, as Terraform uses them.
const (
	exitOK      = 0
	exitError   = 1
	exitChanges = 2
)

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env Env, args []string) int
}

func commands() []command {
	return []command{
		{"validate", "Check the pipelines offline and report every mistake", cmdValidate},
		{"fmt", "Rewrite pipeline files in the canonical format", cmdFmt},
		{"graph", "Print a pipeline's steps and dependencies (dot or mermaid)", cmdGraph},
		{"plan", "Show what would change in each system", cmdPlan},
		{"apply", "Make the changes of a saved plan, or plan and apply", cmdApply},
		{"run", "Serve webhooks, fire schedules and run pipelines until stopped", cmdRun},
		{"runs", "List runs, or show one (runs list | runs show ID)", cmdRuns},
		{"retry", "Requeue a dead event (retry ID | retry -dead)", cmdRetry},
		{"state", "Remove finished events, runs and writes past their retention (state prune)", cmdState},
		{"connectors", "List connectors with their actions and triggers", cmdConnectors},
		{"export", "Write ShipStation's product import CSV from the BigCommerce catalog (export products)", cmdExport},
		{"sandbox", "Run the shipped pipelines against simulated stores, end to end", cmdSandbox},
		{"fakes", "Serve the fake BigCommerce, ShipStation and SMTP servers for testing", cmdFakes},
		{"show", "Print a saved plan as tote plan did (show PLANFILE)", cmdShow},
		{"doctor", "Check each connection's credentials and base URL, and the webhook settings", cmdDoctor},
		{"completion", "Print a shell completion script (completion bash|zsh|fish)", cmdCompletion},
		{"version", "Print the version and VCS revision", cmdVersion},
	}
}

// Main runs one tote command and returns its exit status.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.LookupEnv
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Stdin == nil {
		env.Stdin = strings.NewReader("")
	}
	if env.Registry == nil {
		reg, err := Registry()
		if err != nil {
			fmt.Fprintln(env.Stderr, "Error:", err)
			return exitError
		}
		env.Registry = reg
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help" {
		usage(env.Stdout)
		return exitOK
	}
	if args[0] == "--version" || args[0] == "-version" {
		return cmdVersion(ctx, env, nil)
	}
	for _, c := range commands() {
		if c.name == args[0] {
			if wantsHelp(args[1:]) {
				// Asked-for help is output, not an error: usage goes to
				// stdout and the status is 0, whatever the command.
				env.Stderr = env.Stdout
				c.run(ctx, env, args[1:])
				return exitOK
			}
			return c.run(ctx, env, args[1:])
		}
	}
	fmt.Fprintf(env.Stderr, "Error: tote has no command %q.", args[0])
	if s := suggest(args[0]); s != "" {
		fmt.Fprintf(env.Stderr, " Did you mean %q?", s)
	}
	fmt.Fprintln(env.Stderr, " Run tote --help for the list.")
	return exitError
}

// wantsHelp reports whether the arguments ask for help before any "--".
// Every command parses its flags before doing anything, so a help flag
// stops it at once.
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// suggest returns the command nearest to a mistyped name, or "" when
// none is near enough to be what was meant.
func suggest(name string) string {
	best, bestDist := "", -1
	for _, c := range commands() {
		if d := levenshtein.Distance(name, c.name, nil); bestDist < 0 || d < bestDist {
			best, bestDist = c.name, d
		}
	}
	if bestDist < 0 || bestDist > 2 || bestDist*2 > len(best) {
		return ""
	}
	return best
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: tote <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "tote keeps BigCommerce and ShipStation in step with pipelines written in HCL.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run tote <command> -h for a command's flags.")
	fmt.Fprintln(w, "Pipelines are read from -dir, $TOTE_DIR or ./pipelines; state lives in $TOTE_STATE or .tote/state.db.")
}

func version() string {
	bi, ok := debug.ReadBuildInfo()
	v, _ := versionInfo(Version, bi, ok)
	return v
}

// versionInfo returns the module version and the VCS revision of a build.
// A build from a work tree has version "(devel)", shown as "devel"; a build
// without VCS information (go run, go test) has revision "unknown".
func versionInfo(stamped string, bi *debug.BuildInfo, ok bool) (ver, rev string) {
	ver, rev = stamped, "unknown"
	if !ok || bi == nil {
		if ver == "" {
			ver = "devel"
		}
		return ver, rev
	}
	if ver == "" {
		ver = bi.Main.Version
	}
	if ver == "" || ver == "(devel)" {
		ver = "devel"
	}
	var modified bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			if s.Value != "" {
				rev = s.Value
			}
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if modified && rev != "unknown" {
		rev += " (modified)"
	}
	return ver, rev
}

func cmdVersion(_ context.Context, env Env, args []string) int {
	fs := newFlags("version", "version", env.Stderr)
	if _, err := parse(fs, args); err != nil {
		return exitError
	}
	bi, ok := debug.ReadBuildInfo()
	ver, rev := versionInfo(Version, bi, ok)
	fmt.Fprintf(env.Stdout, "tote %s\nrevision %s\n", ver, rev)
	return exitOK
}
