package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// newFlags returns a flag set that reports errors to stderr and lets
// commands print their own usage line.
func newFlags(name, usageLine string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	if p, ok := stderr.(*flagProbe); ok {
		p.fs = fs
	}
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: tote %s\n\nFlags:\n", usageLine)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags wherever they appear among the arguments, so both
// `tote validate -json dir` and `tote validate dir -json` work.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// varFlags collects repeated -var name=value flags.
type varFlags map[string]string

func (v varFlags) String() string { return "" }

func (v varFlags) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return fmt.Errorf("want -var name=value, got %q", s)
	}
	v[name] = value
	return nil
}

// common are the flags of every command that reads pipelines.
type common struct {
	dir   string
	state string
	vars  varFlags
}

func (c *common) register(fs *flag.FlagSet, env Env, withState bool) {
	dir, ok := env.Getenv("TOTE_DIR")
	if !ok || dir == "" {
		dir = "pipelines"
	}
	fs.StringVar(&c.dir, "dir", dir, "pipelines directory ($TOTE_DIR)")
	c.vars = varFlags{}
	fs.Var(c.vars, "var", "set a variable: -var name=value (repeatable)")
	if withState {
		registerState(fs, env, &c.state)
	}
}

// registerState registers -state, which defaults to $TOTE_STATE, else
// .tote/state.db.
func registerState(fs *flag.FlagSet, env Env, p *string) {
	fs.StringVar(p, "state", envOr(env, "TOTE_STATE", ".tote/state.db"), stateUsage)
}

// flagProbe is a stderr that catches the flag set a command builds, so the
// command table can list each command's flags (for completion) without a
// second table to keep in step.
type flagProbe struct{ fs *flag.FlagSet }

func (*flagProbe) Write(b []byte) (int, error) { return len(b), nil }

// commandFlags returns the names of a command's flags, sorted.
func commandFlags(ctx context.Context, c command) []string {
	probe := &flagProbe{}
	env := Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: probe, Getenv: func(string) (string, bool) { return "", false }}
	c.run(ctx, env, []string{"-h"})
	if probe.fs == nil {
		return nil
	}
	var names []string
	probe.fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	sort.Strings(names)
	return names
}
