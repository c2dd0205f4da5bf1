package consensus

import "github.com/ballast-chain/ballast/internal/wire"

// Consensus limits beyond the encoding limits in package wire.
const (
	// MaxBlockWeight is the maximum weight of a block.
	MaxBlockWeight = wire.MaxBlockWeight
	// MaxTxWeight is the maximum weight of one transaction.
	MaxTxWeight = 400_000
	// MaxBlockSigChecks bounds the signature verifications a block can cause
	// (counted from witnesses before any is verified). Weight alone would
	// allow about 40,000 (threshold policies cost ~100 weight per signature);
	// this caps the worst case at roughly the 17,000 checks of a block full
	// of key spends, doubled: about 6 s of one core at 200 us per check,
	// less with parallel verification.
	MaxBlockSigChecks = 32_000
	// MaxAssetAmount bounds any issued-asset amount and any per-asset sum in
	// a transaction. It leaves headroom below 2^63 so sums of two bounded
	// values never overflow int64.
	MaxAssetAmount = 1_000_000_000_000_000_000
	// LockTimeThreshold separates heights (below) from Unix times (at or
	// above) in lock times, as in Bitcoin.
	LockTimeThreshold = 500_000_000
	// SequenceFinal disables lock time checking for an input.
	SequenceFinal = 0xffffffff
	// BIP68 relative lock-time fields of an input's sequence.
	SequenceLockTimeDisabled    = 1 << 31
	SequenceLockTimeIsTime      = 1 << 22
	SequenceLockTimeMask        = 0x0000ffff
	SequenceLockTimeGranularity = 9 // time-based locks count units of 512 s
)
