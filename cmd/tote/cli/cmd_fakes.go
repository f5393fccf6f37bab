package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/toteworks/tote/connectors/sandbox"
)

// fakeFlags are the listen addresses of the fakes, shared by fakes and sandbox.
type fakeFlags struct {
	addrs sandbox.Addresses
	seed  uint64
	sign  bool
}

func (f *fakeFlags) register(fs *flag.FlagSet) {
	d := sandbox.DefaultAddresses
	fs.StringVar(&f.addrs.BigCommerce, "bigcommerce-listen", d.BigCommerce, "fake BigCommerce address")
	fs.StringVar(&f.addrs.ShipStation, "shipstation-listen", d.ShipStation, "fake ShipStation address")
	fs.StringVar(&f.addrs.SMTP, "smtp-listen", d.SMTP, "SMTP capture address")
	fs.StringVar(&f.addrs.Mail, "mail-listen", d.Mail, "captured mail over HTTP (GET /messages)")
	fs.Uint64Var(&f.seed, "seed", 1, "seed for generated data and fault decisions")
	fs.BoolVar(&f.sign, "sign-webhooks", false, "fake BigCommerce signs its deliveries (Standard Webhooks); by default only the hooks' headers authenticate them")
}

func cmdFakes(ctx context.Context, env Env, args []string) int {
	fs := newFlags("fakes", "fakes [flags]", env.Stderr)
	var f fakeFlags
	f.register(fs)
	if _, err := parse(fs, args); err != nil {
		return exitError
	}
	fakes, err := sandbox.StartFakes(sandbox.Options{Addresses: f.addrs, Seed: f.seed, SignWebhooks: f.sign})
	if err != nil {
		fmt.Fprintln(env.Stderr, "Error:", err)
		return exitError
	}
	defer fakes.Close()
	fmt.Fprintln(env.Stdout, "Fake vendors are running (Ctrl-C stops them):")
	fmt.Fprintln(env.Stdout)
	fakes.Describe(env.Stdout)
	<-ctx.Done()
	fmt.Fprintln(env.Stdout, "\nStopped.")
	return exitOK
}
