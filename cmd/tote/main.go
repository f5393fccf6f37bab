// Command tote keeps a BigCommerce store and a ShipStation account in step
// with declarative pipelines. See `tote --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/toteworks/tote/cmd/tote/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.DefaultEnv())
	stop()
	os.Exit(code)
}
