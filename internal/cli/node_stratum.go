package cli

import (
	"fmt"
	"time"

	"github.com/ballast-chain/ballast/internal/node"
)

// stratumFlags are the node's block template and Stratum flags.
type stratumFlags struct {
	stratumListen   string
	stratumMode     string
	stratumPoolAddr string
	stratumDiff     float64
	stratumInterval time.Duration
	mine            bool
	mineAddress     string
	mineThreads     int
}

func (f *nodeFlags) addStratumFlags() {
	fs, s := f.fs, &f.stratumFlags
	fs.StringVar(&s.stratumListen, "stratum", "", "serve Stratum v1 miners on this host:port (empty: off)")
	fs.StringVar(&s.stratumMode, "stratummode", "solo", "solo (username = payout address) or pool (PPLNS paid in the coinbase)")
	fs.StringVar(&s.stratumPoolAddr, "stratumpooladdress", "", "pool mode: address paid while no shares are in the PPLNS window")
	fs.Float64Var(&s.stratumDiff, "stratumdifficulty", 1, "starting share difficulty of a Stratum connection")
	fs.DurationVar(&s.stratumInterval, "stratumshareinterval", 10*time.Second, "vardiff's target time between a miner's shares")
	fs.BoolVar(&s.mine, "mine", false, "mine on this node's CPU cores (through its own Stratum server)")
	fs.StringVar(&s.mineAddress, "mineaddress", "", "with -mine: the address block rewards are paid to (required)")
	fs.IntVar(&s.mineThreads, "minethreads", 0, "with -mine: hashing goroutines (0: one per core)")
}

func (f *nodeFlags) applyStratum(cfg *node.Config) error {
	s := &f.stratumFlags
	cfg.StratumListen = s.stratumListen
	cfg.StratumMode = s.stratumMode
	cfg.StratumPoolAddress = s.stratumPoolAddr
	cfg.StratumDifficulty = s.stratumDiff
	cfg.StratumShareInterval = s.stratumInterval
	if s.mine && s.mineAddress == "" {
		return fmt.Errorf("%w: -mine needs -mineaddress", errUsage)
	}
	if s.mineThreads < 0 {
		return fmt.Errorf("%w: -minethreads must be >= 0", errUsage)
	}
	cfg.Mine, cfg.MineAddress, cfg.MineThreads = s.mine, s.mineAddress, s.mineThreads
	return nil
}
