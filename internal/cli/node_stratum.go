package cli

import (
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
}

func (f *nodeFlags) addStratumFlags() {
	fs, s := f.fs, &f.stratumFlags
	fs.StringVar(&s.stratumListen, "stratum", "", "serve Stratum v1 miners on this host:port (empty: off)")
	fs.StringVar(&s.stratumMode, "stratummode", "solo", "solo (username = payout address) or pool (PPLNS paid in the coinbase)")
	fs.StringVar(&s.stratumPoolAddr, "stratumpooladdress", "", "pool mode: address paid while no shares are in the PPLNS window")
	fs.Float64Var(&s.stratumDiff, "stratumdifficulty", 1, "starting share difficulty of a Stratum connection")
	fs.DurationVar(&s.stratumInterval, "stratumshareinterval", 10*time.Second, "vardiff's target time between a miner's shares")
}

func (f *nodeFlags) applyStratum(cfg *node.Config) error {
	s := &f.stratumFlags
	cfg.StratumListen = s.stratumListen
	cfg.StratumMode = s.stratumMode
	cfg.StratumPoolAddress = s.stratumPoolAddr
	cfg.StratumDifficulty = s.stratumDiff
	cfg.StratumShareInterval = s.stratumInterval
	return nil
}
