package pow

// BlockSubsidy returns the new coins the coinbase of the block at height may
// claim, in base units: Bitcoin's GetBlockSubsidy with the network's initial
// subsidy and halving interval. The subsidy halves (shifting right, so
// rounding down) every halvingInterval blocks and is 0 from the 64th halving
// on, and for a negative height. halvingInterval must be positive;
// BlockSubsidy panics otherwise, a parameters error.
func BlockSubsidy(height int32, initialSubsidy int64, halvingInterval int32) int64 {
	if halvingInterval <= 0 {
		panic("pow: BlockSubsidy: halving interval must be positive")
	}
	if height < 0 {
		return 0
	}
	halvings := height / halvingInterval
	if halvings >= 64 {
		return 0
	}
	return initialSubsidy >> halvings
}
