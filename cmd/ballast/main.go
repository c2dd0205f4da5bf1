// Command ballast is Ballast's single binary: node, miner, wallet, exchange
// and tools, one subcommand each (see internal/cli).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/ballast-chain/ballast/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}
