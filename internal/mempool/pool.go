package mempool

import (
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/wire"
)

// ChainView is what the pool needs of the chain; the node's chain implements
// it. Its methods must be safe for concurrent use, and the pool calls them
// while holding its own lock, so the chain must not hold a lock they need
// while it calls into the pool (BlockConnected, BlockDisconnected).
type ChainView interface {
	// Tip returns the best block.
	Tip() consensus.HeaderInfo
	// FetchUtxo returns a confirmed, unspent output, or nil, nil.
	FetchUtxo(op wire.OutPoint) (*consensus.UtxoEntry, error)
	// MedianTimePast returns the median time past of the best-chain block
	// at height.
	MedianTimePast(height int32) uint32
}

// MempoolHeight is the height FetchUtxo reports for outputs of pool
// transactions (Core's MEMPOOL_HEIGHT).
const MempoolHeight = math.MaxInt32

// Pool holds valid unconfirmed transactions waiting for a block. It is safe
// for concurrent use. Signatures are verified outside the pool's lock, so
// several Accept calls verify in parallel.
type Pool struct {
	cfg    Config
	chain  ChainView
	params *params.Params
	log    *slog.Logger
	fees   *FeeEstimator

	mu       sync.RWMutex
	txs      map[chainhash.Hash]*txEntry
	wtxids   map[chainhash.Hash]*txEntry
	spent    map[wire.OutPoint]*txEntry // outpoint -> the pool transaction spending it
	evict    evictHeap
	usage    int64
	bytes    int64 // sum of vsizes
	totalFee int64
	seq      uint64
	epoch    uint64 // graph traversal marks
	gen      uint64 // bumped by every change, to detect races around verification
	loading  bool

	// The rolling minimum fee rate (per kvB), raised by evictions and
	// decaying once a block has arrived since, exactly as Core's
	// rollingMinimumFeeRate (a float there too: it is policy, not money).
	rollingMinFee     float64
	lastRollingUpdate time.Time
	blockSinceBump    bool
	lastExpiry        time.Time
}

// New returns an empty pool over chain for the network p.
func New(cfg Config, chain ChainView, p *params.Params) (*Pool, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if chain == nil || p == nil {
		return nil, ruleError(ErrInvalidConfig, "nil chain view or params")
	}
	cfg = cfg.withDefaults()
	pool := &Pool{
		cfg:    cfg,
		chain:  chain,
		params: p,
		log:    cfg.Logger,
		fees:   NewFeeEstimator(),
	}
	pool.reset()
	return pool, nil
}

func (p *Pool) reset() {
	p.txs = make(map[chainhash.Hash]*txEntry)
	p.wtxids = make(map[chainhash.Hash]*txEntry)
	p.spent = make(map[wire.OutPoint]*txEntry)
	p.evict = nil
	p.usage, p.bytes, p.totalFee = 0, 0, 0
	p.gen++
}

// FeeEstimator returns the pool's fee estimator (to save and load it).
func (p *Pool) FeeEstimator() *FeeEstimator { return p.fees }

// Has reports whether a transaction with this txid is in the pool.
func (p *Pool) Has(txid chainhash.Hash) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	_, ok := p.txs[txid]
	return ok
}

// Get returns the pool's copy of a transaction, or nil. It must not be
// modified.
func (p *Pool) Get(txid chainhash.Hash) *wire.Tx {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if e := p.txs[txid]; e != nil {
		return e.tx
	}
	return nil
}

// Entry returns what getmempoolentry reports, and false if the transaction is
// not in the pool.
func (p *Pool) Entry(txid chainhash.Hash) (EntryInfo, bool) {
	p.mu.Lock() // the replaceability walk uses traversal marks
	defer p.mu.Unlock()
	e := p.txs[txid]
	if e == nil {
		return EntryInfo{}, false
	}
	info := EntryInfo{
		TxID: e.txid, WTxID: e.wtxid, VSize: e.vsize, Weight: e.weight, SigChecks: e.sigChecks,
		Time: e.time, Height: e.height,
		Fees:          EntryFees{Base: e.fee, Modified: e.fee, Ancestor: e.ancFee, Descendant: e.descFee},
		AncestorCount: e.ancCount, AncestorSize: e.ancSize,
		DescendantCount: e.descCount, DescendantSize: e.descSize,
	}
	for _, q := range e.parents {
		info.Depends = append(info.Depends, q.txid)
	}
	for _, c := range e.children {
		info.SpentBy = append(info.SpentBy, c.txid)
	}
	sortHashes(info.Depends)
	sortHashes(info.SpentBy)
	info.BIP125Replaceable = signalsRBF(e.tx)
	for _, a := range p.ancestors(e, nil) {
		info.BIP125Replaceable = info.BIP125Replaceable || signalsRBF(a.tx)
	}
	return info, true
}

func sortHashes(hs []chainhash.Hash) {
	slices.SortFunc(hs, compareHash)
}

func compareHash(a, b chainhash.Hash) int {
	for i := len(a) - 1; i >= 0; i-- { // display order: most significant byte last
		if a[i] != b[i] {
			return int(a[i]) - int(b[i])
		}
	}
	return 0
}

// TxIDs returns the txids of every pool transaction, in no particular order.
func (p *Pool) TxIDs() []chainhash.Hash {
	p.mu.RLock()
	defer p.mu.RUnlock()
	ids := make([]chainhash.Hash, 0, len(p.txs))
	for id := range p.txs {
		ids = append(ids, id)
	}
	return ids
}

// Count returns the number of pool transactions.
func (p *Pool) Count() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.txs)
}

// Spender returns the pool transaction spending op, if any.
func (p *Pool) Spender(op wire.OutPoint) (chainhash.Hash, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if e := p.spent[op]; e != nil {
		return e.txid, true
	}
	return chainhash.Hash{}, false
}

// FetchUtxo looks an output up in the chain and the pool together, as
// gettxout with include_mempool does: an output a pool transaction spends is
// gone, and an output of a pool transaction is there, at MempoolHeight. It
// implements consensus.UtxoSource for wallets building chained spends.
func (p *Pool) FetchUtxo(op wire.OutPoint) (*consensus.UtxoEntry, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.spent[op] != nil {
		return nil, nil
	}
	if e := p.txs[op.Hash]; e != nil {
		return poolOutput(e, op.Index, MempoolHeight), nil
	}
	return p.chain.FetchUtxo(op)
}

// poolOutput returns output i of a pool transaction as a UTXO entry at
// height, or nil if it does not exist or is a burn.
func poolOutput(e *txEntry, i uint32, height int32) *consensus.UtxoEntry {
	if int64(i) >= int64(len(e.tx.TxOut)) || e.tx.TxOut[i].Lock.Kind == wire.LockBurn {
		return nil
	}
	return &consensus.UtxoEntry{Out: e.tx.TxOut[i], Height: height}
}

// poolView is the UTXO source transactions are checked against: the chain's
// outputs and every pool transaction's, the latter counted as confirmed in
// the next block (so BIP68 treats an unconfirmed parent as Core does). It
// does not hide outputs pool transactions spend: conflicts are found
// separately and may be replaced.
type poolView struct {
	p      *Pool
	height int32
}

func (v poolView) FetchUtxo(op wire.OutPoint) (*consensus.UtxoEntry, error) {
	if e := v.p.txs[op.Hash]; e != nil {
		return poolOutput(e, op.Index, v.height), nil
	}
	e, err := v.p.chain.FetchUtxo(op)
	if err != nil {
		return nil, fmt.Errorf("mempool: chain utxo %s:%d: %w", op.Hash, op.Index, err)
	}
	return e, nil
}

// FetchAsset implements consensus.AssetSource: the chain's asset registry
// (assets issued or attested by transactions still in the pool are not
// seen until they confirm).
func (v poolView) FetchAsset(id wire.AssetID) (*consensus.AssetState, error) {
	if src, ok := v.p.chain.(consensus.AssetSource); ok {
		return src.FetchAsset(id)
	}
	return nil, nil
}

// Info is what getmempoolinfo reports.
type Info struct {
	Loaded              bool // false while Load runs
	Size                int  // transactions
	Bytes               int64
	Usage               int64 // estimated memory use
	TotalFee            int64
	MaxMempool          int64
	MempoolMinFee       FeeRate // the higher of the rolling minimum and the relay minimum
	MinRelayTxFee       FeeRate
	IncrementalRelayFee FeeRate
	FullRBF             bool
}

// Info returns the pool's statistics.
func (p *Pool) Info() Info {
	p.mu.Lock() // the rolling minimum fee decays when read
	defer p.mu.Unlock()
	return Info{
		Loaded: !p.loading, Size: len(p.txs), Bytes: p.bytes, Usage: p.usage, TotalFee: p.totalFee,
		MaxMempool:          p.cfg.MaxUsage,
		MempoolMinFee:       max(p.minFeeRate(p.cfg.Now()), p.cfg.MinRelayFeeRate),
		MinRelayTxFee:       p.cfg.MinRelayFeeRate,
		IncrementalRelayFee: p.cfg.IncrementalRelayFeeRate,
		FullRBF:             !p.cfg.OptInRBF,
	}
}
