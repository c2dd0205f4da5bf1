package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/ballast-chain/ballast/internal/miner"
	"github.com/ballast-chain/ballast/internal/stratum"
)

// minerCommand is `ballast miner`: the CPU miner as a Stratum client.
func minerCommand() command {
	return command{
		name:    "miner",
		summary: "mine on all cores through a Stratum v1 server (the node's -stratum or the devnet's)",
		run: func(ctx context.Context, args []string, env Env) error {
			fs := newFlagSet("miner", env)
			addr := fs.String("stratum", "", "Stratum server host:port (required)")
			user := fs.String("user", "", "username: payout address[.worker] in solo mode")
			pass := fs.String("password", "x", "password")
			threads := fs.Int("threads", runtime.NumCPU(), "hashing goroutines")
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			if *addr == "" || *user == "" {
				return errors.New("miner: -stratum and -user are required")
			}
			log := slog.New(slog.NewTextHandler(env.Stderr, nil))
			c, err := stratum.Dial(ctx, *addr)
			if err != nil {
				return err
			}
			defer c.Close()
			if err := c.Subscribe(ctx, "ballast-miner/0.1"); err != nil {
				return err
			}
			if _, err := c.Call(ctx, "mining.authorize", *user, *pass); err != nil {
				return fmt.Errorf("miner: authorize: %w", err)
			}
			var hashes atomic.Uint64
			go func() {
				t := time.NewTicker(10 * time.Second)
				defer t.Stop()
				last, at := uint64(0), time.Now()
				for {
					select {
					case <-ctx.Done():
						return
					case now := <-t.C:
						h := hashes.Load()
						fmt.Fprintf(env.Stdout, "%.2f MH/s\n", float64(h-last)/now.Sub(at).Seconds()/1e6)
						last, at = h, now
					}
				}
			}()
			return miner.MineStratum(ctx, miner.StratumConfig{Client: c, Worker: *user, Threads: *threads,
				Logger: log, Hashes: &hashes})
		},
	}
}
