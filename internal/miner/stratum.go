package miner

import (
	"context"
	"encoding/binary"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/ballast-chain/ballast/internal/stratum"
)

// StratumConfig configures MineStratum.
type StratumConfig struct {
	Client  *stratum.Client // subscribed and authorized
	Worker  string
	Threads int
	Logger  *slog.Logger
	// Hashes counts hashes done (optional).
	Hashes *atomic.Uint64
}

// MineStratum mines the client's jobs on Threads goroutines until ctx
// ends or the connection drops; each thread owns a slice of extranonce2.
func MineStratum(ctx context.Context, cfg StratumConfig) error {
	c := cfg.Client
	threads := max(cfg.Threads, 1)
	var cur atomic.Pointer[stratum.ClientJob]
	var gen atomic.Uint64
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for t := range threads {
		wg.Go(func() {
			var seen uint64
			for en2n := uint32(t); ctx.Err() == nil; en2n += uint32(threads) {
				j := cur.Load()
				if j == nil {
					select {
					case <-ctx.Done():
						return
					case <-c.Done():
						return
					default:
					}
					continue
				}
				seen = gen.Load()
				en2 := binary.BigEndian.AppendUint32(nil, en2n)
				hdr := j.Header(c.Extranonce1, en2, j.Time, 0, j.Version)
				raw := hdr.Serialize()
				k := NewKernel(&raw)
				target := stratum.TargetForDifficulty(j.Difficulty)
				for start := uint64(0); start < 1<<32 && gen.Load() == seen && ctx.Err() == nil; start += 1 << 16 {
					n, ok, h := k.Scan(uint32(start), 1<<16, &target)
					if cfg.Hashes != nil {
						cfg.Hashes.Add(h)
					}
					if ok {
						if err := c.Submit(ctx, cfg.Worker, j.ID, en2, j.Time, n, 0); err != nil && cfg.Logger != nil {
							cfg.Logger.Warn("share rejected", "err", err)
						}
						start = uint64(n) + 1 - 1<<16 // continue after the share
					}
				}
			}
		})
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-c.Done():
			return nil
		case j := <-c.Jobs:
			cur.Store(j)
			gen.Add(1)
		}
	}
}
