package cli

import (
	"context"
	"fmt"
	"runtime/debug"
)

// Version is the release version; builds from a checkout report "dev".
const Version = "0.1.0-dev"

func versionCommand() command {
	return command{
		name:    "version",
		summary: "print the version",
		run: func(_ context.Context, args []string, env Env) error {
			fs := newFlagSet("version", env)
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			goVer := "unknown"
			if bi, ok := debug.ReadBuildInfo(); ok {
				goVer = bi.GoVersion
			}
			fmt.Fprintf(env.Stdout, "ballast %s (%s)\n", Version, goVer)
			return nil
		},
	}
}
