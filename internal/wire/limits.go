package wire

// Limits that bound every decoder. They are consensus: a structure that
// exceeds one cannot be part of a valid block.
const (
	// MaxBlockWeight is the maximum block weight (3*base size + total size).
	MaxBlockWeight = 4_000_000
	// MaxBlockSize bounds the serialized size of a block (with witnesses).
	MaxBlockSize = MaxBlockWeight
	// MaxTxSize bounds the serialized size of one transaction.
	MaxTxSize = 1_000_000
	// MaxWitnessItems bounds the items in one witness stack.
	MaxWitnessItems = 64
	// MaxWitnessItemSize bounds one witness item (a policy or a satisfaction).
	MaxWitnessItemSize = 16_384
	// MaxCoinbaseDataSize bounds the coinbase input data (height, extranonce,
	// miner tag). MinCoinbaseDataSize is the 4-byte height.
	MaxCoinbaseDataSize = 100
	MinCoinbaseDataSize = 4
	// MaxBurnDataSize bounds the data carried by a burn lock (a redemption
	// reference, the witness commitment, or other data).
	MaxBurnDataSize = 80
	// MaxRecordPayloadSize bounds the payload of one transaction record.
	MaxRecordPayloadSize = 65_536
	// MaxRecordsPerTx bounds the records in one transaction.
	MaxRecordsPerTx = 256
)

// Minimum encoded sizes, used to bound counts by the bytes that remain before
// allocating.
const (
	minTxInSize   = 32 + 4 + 4    // outpoint, sequence
	minTxOutSize  = 1 + 8 + 1 + 1 // native tag, amount, burn kind, empty data length
	minRecordSize = 1 + 1         // type, empty payload length
	minTxSize     = 4 + 1 + 1 + 1 + 1 + 4
)
