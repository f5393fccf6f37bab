package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/toteworks/tote/connectors/sandbox"
)

// fakeFlags are the listen addresses of the fakes, shared by fakes and sandbox.
type fakeFlags struct {
	addrs      sandbox.Addresses
	seed       uint64
	sign       bool
	realLimits bool
}

func (f *fakeFlags) register(fs *flag.FlagSet) {
	d := sandbox.DefaultAddresses
	fs.StringVar(&f.addrs.BigCommerce, "bigcommerce-listen", d.BigCommerce, "fake BigCommerce address")
	fs.StringVar(&f.addrs.ShipStation, "shipstation-listen", d.ShipStation, "fake ShipStation address")
	fs.StringVar(&f.addrs.SMTP, "smtp-listen", d.SMTP, "SMTP capture address")
	fs.StringVar(&f.addrs.Mail, "mail-listen", d.Mail, "captured mail over HTTP (GET /messages)")
	fs.Uint64Var(&f.seed, "seed", 1, "seed for generated data and fault decisions")
	fs.BoolVar(&f.realLimits, "real-limits", false, "run the fakes at the vendors' real rate limits (ShipStation 40/min, BigCommerce 150/30s); by default they are raised")
	fs.BoolVar(&f.sign, "sign-webhooks", false, "fake BigCommerce signs its deliveries (Standard Webhooks); by default only the hooks' headers authenticate them")
}

// options are the fakes' settings. Raised limits are the default of both
// tote fakes and tote sandbox: a sandbox run then takes well under a
// minute (BigCommerce's covers the inventory sweep's reads on top of the
// order traffic); -real-limits gives the vendors' own.
func (f *fakeFlags) options() sandbox.Options {
	opts := sandbox.Options{Addresses: f.addrs, Seed: f.seed, SignWebhooks: f.sign, BigCommerceQuota: 6000, ShipStationPerMinute: 3000, ShipStationV2PerMinute: 3000}
	if f.realLimits {
		opts.BigCommerceQuota, opts.ShipStationPerMinute, opts.ShipStationV2PerMinute = 150, 40, 200
	}
	return opts
}

// writeExports prints the environment of the shipped pipelines' connections
// as shell export lines, sorted, ready to paste.
func writeExports(w io.Writer, vals map[string]string) {
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "export %s=%s\n", k, shellQuote(vals[k]))
	}
}

// shellQuote quotes s in single quotes for POSIX shells, zsh and fish
// (tote fakes' exports, the completion scripts).
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func cmdFakes(ctx context.Context, env Env, args []string) int {
	fs := newFlags("fakes", "fakes [flags]", env.Stderr)
	var f fakeFlags
	f.register(fs)
	if _, err := parse(fs, args); err != nil {
		return exitError
	}
	opts := f.options()
	fakes, err := sandbox.StartFakes(opts)
	if err != nil {
		fmt.Fprintln(env.Stderr, "Error:", err)
		return exitError
	}
	defer fakes.Close()
	fmt.Fprintln(env.Stdout, "Fake vendors are running (Ctrl-C stops them):")
	fmt.Fprintln(env.Stdout)
	fakes.Describe(env.Stdout)
	fmt.Fprintln(env.Stdout)
	fmt.Fprintln(env.Stdout, "# The shipped pipelines' connections, pointed at these fakes (paste into your shell):")
	vals := fakes.Env(opts)
	// tote run accepts ShipStation's webhooks only with a token in their
	// URLs; any value does for the fakes.
	vals["SHIPSTATION_WEBHOOK_TOKEN"] = "sandbox-webhook-token"
	writeExports(env.Stdout, vals)
	fmt.Fprintln(env.Stdout)
	<-ctx.Done()
	fmt.Fprintln(env.Stdout, "\nStopped.")
	return exitOK
}
