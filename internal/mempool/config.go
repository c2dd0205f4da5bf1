package mempool

import (
	"io"
	"log/slog"
	"time"

	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Defaults, Bitcoin Core 28's where Core has one.
const (
	DefaultMaxUsage                = 300_000_000 // bytes (-maxmempool=300)
	DefaultExpiry                  = 336 * time.Hour
	DefaultMinRelayFeeRate         = FeeRate(1000) // -minrelaytxfee
	DefaultIncrementalRelayFeeRate = FeeRate(1000) // -incrementalrelayfee
	DefaultDustRelayFeeRate        = FeeRate(3000) // -dustrelayfee
	DefaultMaxTxWeight             = 400_000       // MAX_STANDARD_TX_WEIGHT
	DefaultAncestorLimit           = 25            // -limitancestorcount
	DefaultAncestorSizeLimit       = 101_000       // vbytes (-limitancestorsize=101)
	DefaultDescendantLimit         = 25            // -limitdescendantcount
	DefaultDescendantSizeLimit     = 101_000       // vbytes (-limitdescendantsize=101)
	// MaxReplacements bounds the transactions one replacement may evict
	// (BIP125 rule 5; Core's MAX_REPLACEMENT_CANDIDATES).
	MaxReplacements = 100
)

// Config tunes the pool's policy. The zero value of every field means its
// default, so Config{} is Core 28's configuration.
type Config struct {
	// MaxUsage bounds the pool's estimated memory use, in bytes. Past it the
	// transactions with the lowest descendant-package fee rate are evicted
	// and the rolling minimum fee rises. Default 300 MB.
	MaxUsage int64
	// Expiry removes transactions that have waited this long (and their
	// descendants). Default 336 hours (two weeks).
	Expiry time.Duration
	// MinRelayFeeRate is the lowest fee rate accepted, per 1,000 vbytes.
	// Default 1,000.
	MinRelayFeeRate FeeRate
	// IncrementalRelayFeeRate is what a replacement must add per vbyte of
	// its own size (BIP125 rule 4) and what eviction adds to the rolling
	// minimum fee. Default 1,000.
	IncrementalRelayFeeRate FeeRate
	// DustRelayFeeRate prices the dust threshold: an output is dust when it
	// is worth less than creating and spending it costs at this rate.
	// Default 3,000.
	DustRelayFeeRate FeeRate
	// MaxTxWeight is the largest standard transaction weight. Default and
	// maximum 400,000, the consensus limit (which then rejects first).
	MaxTxWeight int
	// AncestorLimit and AncestorSizeLimit bound a transaction's in-pool
	// ancestors, itself included (count; vbytes). Defaults 25 and 101,000.
	AncestorLimit     int
	AncestorSizeLimit int64
	// DescendantLimit and DescendantSizeLimit bound every pool transaction's
	// in-pool descendants, itself included. Defaults 25 and 101,000.
	DescendantLimit     int
	DescendantSizeLimit int64
	// OptInRBF restricts replacement to conflicts that signal BIP125
	// (an input sequence below 0xfffffffe). The default, false, is full RBF
	// (Core 28's mempoolfullrbf=1).
	OptInRBF bool
	// VerifySpends verifies a transaction's signatures, the last check.
	// Nil means consensus.VerifyTxSpends (pure Go, no cache); the node
	// passes one that uses its signature cache and fastest verifier, so
	// that blocks find the pool's signatures already checked.
	VerifySpends func(tx *wire.Tx, prevOuts []wire.TxOut) error
	// Logger receives the pool's logs. Nil discards them.
	Logger *slog.Logger
	// Now is the clock: entry times, expiry and the rolling minimum fee's
	// decay. Nil means time.Now.
	Now func() time.Time
}

// DefaultConfig returns Config{} with every default filled in.
func DefaultConfig() Config { return Config{}.withDefaults() }

func (c Config) withDefaults() Config {
	def := func(v *int64, d int64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.MaxUsage, DefaultMaxUsage)
	def((*int64)(&c.Expiry), int64(DefaultExpiry))
	def((*int64)(&c.MinRelayFeeRate), int64(DefaultMinRelayFeeRate))
	def((*int64)(&c.IncrementalRelayFeeRate), int64(DefaultIncrementalRelayFeeRate))
	def((*int64)(&c.DustRelayFeeRate), int64(DefaultDustRelayFeeRate))
	def(&c.AncestorSizeLimit, DefaultAncestorSizeLimit)
	def(&c.DescendantSizeLimit, DefaultDescendantSizeLimit)
	if c.MaxTxWeight == 0 {
		c.MaxTxWeight = DefaultMaxTxWeight
	}
	if c.AncestorLimit == 0 {
		c.AncestorLimit = DefaultAncestorLimit
	}
	if c.DescendantLimit == 0 {
		c.DescendantLimit = DefaultDescendantLimit
	}
	if c.VerifySpends == nil {
		c.VerifySpends = consensus.VerifyTxSpends
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Validate reports the first field that no default can repair.
func (c *Config) Validate() error {
	switch {
	case c.MaxUsage < 0:
		return ruleError(ErrInvalidConfig, "MaxUsage %d is negative", c.MaxUsage)
	case c.Expiry < 0:
		return ruleError(ErrInvalidConfig, "Expiry %s is negative", c.Expiry)
	case c.MinRelayFeeRate < 0 || c.IncrementalRelayFeeRate < 0 || c.DustRelayFeeRate < 0:
		return ruleError(ErrInvalidConfig, "fee rates must not be negative")
	case c.MaxTxWeight < 0 || c.MaxTxWeight > consensus.MaxTxWeight:
		return ruleError(ErrInvalidConfig, "MaxTxWeight %d is outside 0..%d", c.MaxTxWeight, consensus.MaxTxWeight)
	case c.AncestorLimit < 0 || c.DescendantLimit < 0:
		return ruleError(ErrInvalidConfig, "ancestor and descendant counts must not be negative")
	case c.AncestorSizeLimit < 0 || c.DescendantSizeLimit < 0:
		return ruleError(ErrInvalidConfig, "ancestor and descendant sizes must not be negative")
	}
	return nil
}
