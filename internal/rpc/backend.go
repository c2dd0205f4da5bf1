package rpc

import (
	"context"
	"math/big"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Backends are the node's services as the handlers need them. Any may be
// nil: the methods that need a missing backend are not registered (a client
// calling one gets "Method not found").
type Backends struct {
	Chain   ChainBackend
	Mempool MempoolBackend
	Fees    FeeEstimator
	Network NetworkBackend
	Mining  MiningBackend
}

// BlockInfo is what the block index knows about one block.
type BlockInfo struct {
	Hash   chainhash.Hash
	Header wire.BlockHeader
	Height int32
	// MedianTime is the median time past of this block and its ten
	// ancestors.
	MedianTime uint32
	// ChainWork is the total work of the chain up to and including this
	// block (the sum of pow.CalcWork over it).
	ChainWork *big.Int
	// NumTx is the number of transactions, 0 when only the header is known.
	NumTx int
	// InMainChain reports whether the block is on the best chain.
	InMainChain bool
	// Next is the hash of the best-chain block at Height+1, zero when this
	// block is the tip or not on the best chain.
	Next chainhash.Hash
}

// ChainState is the best chain and the node's sync status, read together.
type ChainState struct {
	Tip BlockInfo
	// Headers is the height of the best known header chain.
	Headers              int32
	InitialBlockDownload bool
	// VerificationProgress estimates the fraction of the chain verified,
	// 0 to 1.
	VerificationProgress float64
	SizeOnDisk           int64 // bytes of block and undo data
	Pruned               bool
	PruneHeight          int32 // lowest height with block data, when pruned
	Warnings             []string
}

// ChainTip is one entry of getchaintips, in Core's shape.
type ChainTip struct {
	Height    int32          `json:"height"`
	Hash      chainhash.Hash `json:"hash"`
	BranchLen int32          `json:"branchlen"` // 0 for the active tip
	// Status is "active", "valid-fork", "valid-headers", "headers-only"
	// or "invalid", as in Core.
	Status string `json:"status"`
}

// UtxoSetInfo is the UTXO set's summary for gettxoutsetinfo.
type UtxoSetInfo struct {
	Height       int32
	BestBlock    chainhash.Hash
	Transactions int64 // transactions with unspent outputs
	TxOuts       int64 // unspent outputs
	BogoSize     int64 // Core's database-independent size metric
	// Hash commits to the whole set (Ballast's hash_serialized_3: double
	// SHA-256 of the set's serialization in outpoint order); only filled
	// when asked for.
	Hash        chainhash.Hash
	TotalAmount int64 // native coin, base units
	DiskSize    int64
}

// ChainBackend is the block chain as the Blockchain methods read and
// change it. Every method may block on I/O and must honour ctx.
type ChainBackend interface {
	// ChainState returns the best chain's tip and the sync status.
	ChainState(ctx context.Context) (ChainState, error)
	// BlockHash returns the hash of the best-chain block at height;
	// ErrNotFound when height is above the tip.
	BlockHash(ctx context.Context, height int32) (chainhash.Hash, error)
	// BlockInfo returns what the index knows of a block, on the best chain
	// or not; ErrNotFound for an unknown hash.
	BlockInfo(ctx context.Context, hash chainhash.Hash) (BlockInfo, error)
	// Block returns a block's full data; ErrNotFound for an unknown hash,
	// ErrBlockUnavailable when only its header is known (or it is pruned).
	Block(ctx context.Context, hash chainhash.Hash) (*wire.Block, error)
	// BlockUndo returns the outputs a connected block spent, in block
	// order (for fees), or nil, nil when the node has no undo data for it.
	BlockUndo(ctx context.Context, hash chainhash.Hash) (*consensus.BlockUndo, error)
	// ChainTips returns the tips of every known branch, the active one
	// included.
	ChainTips(ctx context.Context) ([]ChainTip, error)
	// FetchUtxo returns an unspent output of the best chain, or nil, nil.
	FetchUtxo(ctx context.Context, op wire.OutPoint) (*consensus.UtxoEntry, error)
	// UtxoSetInfo summarises the UTXO set at the tip, computing its hash
	// only when withHash is set (it reads the whole set).
	UtxoSetInfo(ctx context.Context, withHash bool) (UtxoSetInfo, error)
	// TxBlock returns the hash of the best-chain block holding txid from
	// the transaction index; ErrNotFound if it is not there, ErrNoTxIndex
	// when the index is disabled.
	TxBlock(ctx context.Context, txid chainhash.Hash) (chainhash.Hash, error)
	// InvalidateBlock marks a block and its descendants invalid and
	// reorganises away from them; ErrNotFound for an unknown hash.
	InvalidateBlock(ctx context.Context, hash chainhash.Hash) error
	// ReconsiderBlock clears the invalid marks of a block, its ancestors
	// and descendants and re-runs best-chain selection; ErrNotFound for an
	// unknown hash.
	ReconsiderBlock(ctx context.Context, hash chainhash.Hash) error
	// DumpBlocks writes the best chain's blocks from height start to end
	// (inclusive; end < 0: the tip) to a new block file at path, relative
	// paths being in the data directory, in Bitcoin Core's blk*.dat layout
	// (network magic, 4-byte little-endian size, block) that -loadblock
	// imports. It never overwrites a file. ErrNotFound for heights outside
	// the chain.
	DumpBlocks(ctx context.Context, path string, start, end int32) (DumpResult, error)
}

// DumpResult is what DumpBlocks wrote.
type DumpResult struct {
	Path       string // absolute
	Start, End int32
	Blocks     int
	Bytes      int64
}

// AcceptResult is the mempool's verdict on one transaction.
type AcceptResult struct {
	TxID, WTxID chainhash.Hash
	Allowed     bool
	// RejectReason is Core's reject string when not allowed: the
	// consensus rule's (consensus.ErrorKind.RejectReason, such as
	// "bad-txns-inputs-missingorspent") or the mempool policy's ("min
	// relay fee not met", "txn-mempool-conflict", "txn-already-in-mempool").
	RejectReason string
	// MissingInputs marks a rejection because an input is missing or
	// spent (sendrawtransaction answers it with CodeVerify, as Core).
	MissingInputs bool
	// PackageError is set when a package as a whole was refused.
	PackageError string
	// Skipped marks a package member left unchecked after an earlier
	// member failed (Core then omits "allowed").
	Skipped bool
	VSize   int64 // virtual size, when allowed
	Fee     int64 // base units of the native coin, when allowed
}

// MempoolInfo is getmempoolinfo's content. Fee rates are base units per
// 1000 virtual bytes.
type MempoolInfo struct {
	Loaded              bool
	Size                int64 // transactions
	Bytes               int64 // sum of virtual sizes
	Usage               int64 // memory use
	TotalFee            int64
	MaxMempool          int64 // bytes
	MempoolMinFee       int64
	MinRelayTxFee       int64
	IncrementalRelayFee int64
	UnbroadcastCount    int64
	FullRBF             bool
}

// MempoolEntry is one mempool transaction's statistics. Fees are base
// units; sizes virtual bytes.
type MempoolEntry struct {
	TxID, WTxID     chainhash.Hash
	VSize, Weight   int64
	Time            int64 // when it entered, Unix seconds
	Height          int32 // the tip's height when it entered
	DescendantCount int64 // itself included
	DescendantSize  int64
	AncestorCount   int64 // itself included
	AncestorSize    int64
	Fee             int64
	ModifiedFee     int64 // with prioritisetransaction deltas
	AncestorFees    int64 // modified fees of it and its ancestors
	DescendantFees  int64
	Depends         []chainhash.Hash // unconfirmed parents
	SpentBy         []chainhash.Hash // unconfirmed children
	// BIP125Replaceable reports opt-in replace-by-fee signalling by the
	// transaction or an unconfirmed ancestor, as Core reports it (under
	// full RBF every transaction can be replaced regardless).
	BIP125Replaceable bool
	Unbroadcast       bool
}

// MempoolBackend is the transaction memory pool.
type MempoolBackend interface {
	// TestAccept runs every acceptance check without changing the pool:
	// one result per transaction; several transactions are a package,
	// parents first.
	TestAccept(ctx context.Context, txs []*wire.Tx) ([]AcceptResult, error)
	// Submit adds tx to the pool and relays it. A rejection is a result,
	// not an error; an error means the pool failed.
	Submit(ctx context.Context, tx *wire.Tx) (AcceptResult, error)
	// Info returns the pool's summary.
	Info(ctx context.Context) (MempoolInfo, error)
	// Entries returns every entry and the pool's sequence number (which
	// increases with every addition and removal).
	Entries(ctx context.Context) ([]MempoolEntry, uint64, error)
	// Entry returns one entry; ErrNotFound if txid is not in the pool.
	Entry(ctx context.Context, txid chainhash.Hash) (MempoolEntry, error)
	// Tx returns a pool transaction; ErrNotFound if absent.
	Tx(ctx context.Context, txid chainhash.Hash) (*wire.Tx, error)
	// IsSpent reports whether a pool transaction spends op.
	IsSpent(ctx context.Context, op wire.OutPoint) (bool, error)
}

// FeeEstimate is a fee estimator's answer.
type FeeEstimate struct {
	// FeeRate is base units per 1000 virtual bytes; 0 means no estimate.
	FeeRate int64
	// Blocks is the target the estimate is for (it may differ from the
	// one asked).
	Blocks int
}

// FeeEstimator estimates fee rates from confirmed blocks.
type FeeEstimator interface {
	// EstimateSmartFee estimates the fee rate for confirmation within
	// target blocks (1 to 1008); conservative asks for Core's
	// "conservative" mode.
	EstimateSmartFee(ctx context.Context, target int, conservative bool) (FeeEstimate, error)
}

// NetworkInfo is getnetworkinfo's result, in Core's shape; the node fills
// it.
type NetworkInfo struct {
	Version            int            `json:"version"`
	Subversion         string         `json:"subversion"`
	ProtocolVersion    int            `json:"protocolversion"`
	LocalServices      string         `json:"localservices"` // 16 hex digits
	LocalServicesNames []string       `json:"localservicesnames"`
	LocalRelay         bool           `json:"localrelay"`
	TimeOffset         int64          `json:"timeoffset"`
	NetworkActive      bool           `json:"networkactive"`
	Connections        int            `json:"connections"`
	ConnectionsIn      int            `json:"connections_in"`
	ConnectionsOut     int            `json:"connections_out"`
	Networks           []NetworkReach `json:"networks"`
	RelayFee           Amount         `json:"relayfee"`       // per 1000 virtual bytes
	IncrementalFee     Amount         `json:"incrementalfee"` // per 1000 virtual bytes
	LocalAddresses     []LocalAddress `json:"localaddresses"`
	Warnings           []string       `json:"warnings"`
}

// NetworkReach is one entry of getnetworkinfo's "networks".
type NetworkReach struct {
	Name                      string `json:"name"` // "ipv4", "ipv6", "onion", "i2p", "cjdns"
	Limited                   bool   `json:"limited"`
	Reachable                 bool   `json:"reachable"`
	Proxy                     string `json:"proxy"`
	ProxyRandomizeCredentials bool   `json:"proxy_randomize_credentials"`
}

// LocalAddress is one entry of getnetworkinfo's "localaddresses".
type LocalAddress struct {
	Address string `json:"address"`
	Port    uint16 `json:"port"`
	Score   int    `json:"score"`
}

// NetworkBackend is the peer-to-peer layer.
type NetworkBackend interface {
	NetworkInfo(ctx context.Context) (NetworkInfo, error)
}

// MiningBackend mines blocks on request (regtest and test networks).
type MiningBackend interface {
	// GenerateToLock mines n blocks paying their coinbase to lock,
	// trying at most maxTries nonces in all, and returns the hashes of
	// the blocks it connected (fewer than n when it ran out of tries).
	GenerateToLock(ctx context.Context, n int, lock wire.Lock, maxTries uint64) ([]chainhash.Hash, error)
	// GenerateBlock mines one block on the tip holding exactly txs (in
	// order) after a coinbase paying to lock, and submits it when submit
	// is set. A block that fails validation is an error.
	GenerateBlock(ctx context.Context, lock wire.Lock, txs []*wire.Tx, submit bool) (*wire.Block, error)
}
