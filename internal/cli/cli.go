// Package cli implements the ballast command's subcommands, one file each.
// Run dispatches on the first argument; every subcommand parses its own flags
// and returns an exit code, so the whole CLI is testable in-process.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
)

// Env is what a subcommand may touch of the outside world.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, env Env) error
}

// commands lists every subcommand; each file registers its own in init-free
// style by being named here.
func commands() []command {
	return []command{
		versionCommand(),
		genesisCommand(),
		selfcheckCommand(),
		rpcCommand(),
		nodeCommand(),
		devnetCommand(),
		walletCommand(),
		minerCommand(),
		exchangeCommand(),
		assetCommand(),
	}
}

// errUsage marks an error caused by bad arguments: exit code 2.
var errUsage = errors.New("usage")

// Run runs the subcommand named by args[0] and returns the process exit code:
// 0 success, 1 failure, 2 bad usage.
func Run(ctx context.Context, args []string, env Env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(env.Stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], env)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			fmt.Fprintf(env.Stderr, "ballast %s: %v\n", c.name, err)
			return 2
		default:
			fmt.Fprintf(env.Stderr, "ballast %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(env.Stderr, "ballast: unknown command %q\n", args[0])
	usage(env.Stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: ballast <command> [flags]\n\ncommands:")
	cs := commands()
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'ballast <command> -h' for a command's flags.")
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet("ballast "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

// parseFlags parses args and rejects stray positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return nil
}
