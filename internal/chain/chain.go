package chain

import (
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/store"
	"github.com/ballast-chain/ballast/internal/wire"
)

// MaxReorgDepth is the deepest reorganisation the node performs on its own:
// a better chain that forks more than this many blocks below the tip is
// stored but not switched to (an operator can still move to it with
// invalidateblock). It bounds the work and memory of one reorganisation.
const MaxReorgDepth = 10_000

// MaxOrphans bounds the blocks kept while their parent is unknown.
const MaxOrphans = 100

// Config configures the chain.
type Config struct {
	// DB is the open database (required).
	DB *store.DB
	// Params is the network (required).
	Params *params.Params
	// Logger receives chain events; nil discards them.
	Logger *slog.Logger
	// UtxoCacheBytes bounds the in-memory UTXO cache. Zero means 256 MiB.
	UtxoCacheBytes int64
	// TxIndex maintains txid -> block for every transaction.
	TxIndex bool
	// AddrIndex maintains lock -> transactions for every key or policy lock.
	AddrIndex bool
	// SigWorkers is the number of goroutines verifying signatures. Zero
	// means GOMAXPROCS.
	SigWorkers int
	// Verify carries the signature verifier and cache blocks are connected
	// with (its Workers field is taken from SigWorkers). The zero value is
	// the pure-Go verifier without a cache.
	Verify consensus.Options
	// Now is the clock for the future-timestamp rule. Nil means time.Now.
	Now func() time.Time
}

// Validate checks the configuration and fills defaults.
func (c *Config) Validate() error {
	if c.DB == nil || c.Params == nil {
		return errors.New("chain: config needs a database and network parameters")
	}
	if c.UtxoCacheBytes < 0 || c.SigWorkers < 0 {
		return errors.New("chain: negative cache size or worker count")
	}
	if c.UtxoCacheBytes == 0 {
		c.UtxoCacheBytes = 256 << 20
	}
	if c.SigWorkers == 0 {
		c.SigWorkers = runtime.GOMAXPROCS(0)
	}
	c.Verify.Workers = c.SigWorkers
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Notification tells subscribers that the active chain changed.
type Notification struct {
	Connected bool // true: block connected at Height; false: disconnected from Height
	Block     *wire.Block
	Hash      chainhash.Hash
	Height    int32
}

// Chain is the node's chain state. Its methods are safe for concurrent use.
type Chain struct {
	cfg   Config
	p     *params.Params
	db    *store.DB
	utxos *utxoSet
	log   *slog.Logger

	mu         sync.RWMutex
	index      map[chainhash.Hash]*blockNode
	active     []*blockNode // the best chain, by height
	candidates map[*blockNode]struct{}
	orphans    map[chainhash.Hash]*wire.Block // by block hash
	orphanList []chainhash.Hash               // insertion order, for eviction
	// lastFailure holds the rule error of blocks that failed while being
	// connected, until the submitter collects it.
	lastFailure map[*blockNode]error
	// fresh is the block acceptBlock just stored, while it moves the
	// active chain (nil otherwise).
	fresh *consensus.Block
	// freshPre is fresh's preverification, if it had one.
	freshPre *preBlock
	// lazy: the block being processed came through ProcessBlockLazy.
	lazy bool
	// unsynced: a batch was committed without waiting for the disk.
	unsynced atomic.Bool

	pre preverifier

	subMu   sync.Mutex
	subs    []func(Notification)
	pending []Notification // queued under mu, delivered after it is released
}

// Open loads the chain state from the database, initialising it with the
// genesis block if empty, and finishes any reorganisation a crash
// interrupted.
func Open(cfg Config) (*Chain, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Chain{
		cfg: cfg, p: cfg.Params, db: cfg.DB, log: cfg.Logger,
		utxos:       newUtxoSet(cfg.DB, cfg.UtxoCacheBytes),
		index:       make(map[chainhash.Hash]*blockNode),
		candidates:  make(map[*blockNode]struct{}),
		orphans:     make(map[chainhash.Hash]*wire.Block),
		lastFailure: make(map[*blockNode]error),
	}
	c.pre = preverifier{c: c, byHash: make(map[chainhash.Hash]*preBlock)}
	if err := c.load(); err != nil {
		return nil, err
	}
	if err := c.syncIndexes(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	err := c.activateBestChain()
	c.mu.Unlock()
	c.deliver()
	if err != nil {
		return nil, err
	}
	tip := c.Tip()
	c.log.Info("chain loaded", "network", c.p.Name, "height", tip.Height, "tip", tip.Hash.String(),
		"blocks_indexed", len(c.index))
	return c, nil
}

// Subscribe registers fn to be called, in order, for every block connected to
// or disconnected from the active chain. fn runs without chain locks held, so
// it may call back into the chain.
func (c *Chain) Subscribe(fn func(Notification)) {
	c.subMu.Lock()
	c.subs = append(c.subs, fn)
	c.subMu.Unlock()
}

func (c *Chain) notify(n Notification) { c.pending = append(c.pending, n) }

// deliver hands queued notifications to subscribers. Called after mu is
// released; subMu serialises deliveries so subscribers see chain order.
func (c *Chain) deliver() {
	c.subMu.Lock()
	defer c.subMu.Unlock()
	c.mu.Lock()
	ns := c.pending
	c.pending = nil
	c.mu.Unlock()
	for _, n := range ns {
		for _, fn := range c.subs {
			fn(n)
		}
	}
}

// Params returns the chain's network parameters.
func (c *Chain) Params() *params.Params { return c.p }

// Tip returns the best block.
func (c *Chain) Tip() consensus.HeaderInfo {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.active[len(c.active)-1].info()
}

// MedianTimePast returns the median time past of the active chain's block at
// height (the tip's for heights above it).
func (c *Chain) MedianTimePast(height int32) uint32 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if height < 0 {
		height = 0
	}
	if int(height) >= len(c.active) {
		height = int32(len(c.active) - 1)
	}
	return c.active[height].medianTime
}

// FetchUtxo returns the confirmed, unspent output at op, or nil.
func (c *Chain) FetchUtxo(op wire.OutPoint) (*consensus.UtxoEntry, error) {
	return c.utxos.FetchUtxo(op)
}

// UtxoCacheStats reports the UTXO cache's size and hit rate.
func (c *Chain) UtxoCacheStats() CacheStats { return c.utxos.stats() }

// BlockInfo describes a block in the index.
type BlockInfo struct {
	Hash       chainhash.Hash
	Header     wire.BlockHeader
	Height     int32
	ChainWork  []byte // big-endian cumulative work
	MedianTime uint32
	NumTx      uint32
	InActive   bool // on the best chain
	Next       chainhash.Hash
	HaveData   bool
	Invalid    bool
	Validated  bool
}

// BlockInfo returns index information about a block.
func (c *Chain) BlockInfo(hash chainhash.Hash) (BlockInfo, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n, ok := c.index[hash]
	if !ok {
		return BlockInfo{}, chainErr(ErrUnknownBlock, "block %s not found", hash)
	}
	bi := BlockInfo{Hash: n.hash, Header: n.header, Height: n.height, ChainWork: n.work.Bytes(),
		MedianTime: n.medianTime, NumTx: n.nTx, HaveData: n.status&statusDataStored != 0,
		Invalid: n.status.invalid(), Validated: n.status&statusValid != 0}
	if c.inActive(n) {
		bi.InActive = true
		if int(n.height)+1 < len(c.active) {
			bi.Next = c.active[n.height+1].hash
		}
	}
	return bi, nil
}

func (c *Chain) inActive(n *blockNode) bool {
	return int(n.height) < len(c.active) && c.active[n.height] == n
}

// BlockHash returns the hash of the active chain's block at height.
func (c *Chain) BlockHash(height int32) (chainhash.Hash, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if height < 0 || int(height) >= len(c.active) {
		return chainhash.Hash{}, chainErr(ErrUnknownBlock, "height %d out of range 0..%d", height, len(c.active)-1)
	}
	return c.active[height].hash, nil
}

// Block returns a stored block.
func (c *Chain) Block(hash chainhash.Hash) (*wire.Block, error) {
	raw, err := c.RawBlock(hash)
	if err != nil {
		return nil, err
	}
	b, err := wire.DecodeBlock(raw)
	if err != nil {
		return nil, chainErr(ErrCorrupt, "stored block %s: %v", hash, err)
	}
	return b, nil
}

// RawBlock returns a stored block's serialization.
func (c *Chain) RawBlock(hash chainhash.Hash) ([]byte, error) {
	raw, err := c.db.Get(hashKey(prefixBlock, hash))
	if errors.Is(err, store.ErrNotFound) {
		return nil, chainErr(ErrUnknownBlock, "block %s not stored", hash)
	}
	return raw, err
}

// HaveBlock reports whether the block is known (stored, invalid or orphan).
func (c *Chain) HaveBlock(hash chainhash.Hash) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	_, ok := c.index[hash]
	_, orphan := c.orphans[hash]
	return ok || orphan
}

// load builds the in-memory index from the database.
func (c *Chain) load() error {
	v, err := c.db.Get(keyVersion)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return c.initGenesis()
	case err != nil:
		return err
	case len(v) != 1 || v[0] != dbVersion:
		return chainErr(ErrCorrupt, "database format %x, this build reads %d", v, dbVersion)
	}
	var entries []struct {
		hash chainhash.Hash
		e    indexEntry
	}
	err = c.db.Iterate([]byte{prefixIndex}, func(k, v []byte) (bool, error) {
		if len(k) != 33 {
			return false, chainErr(ErrCorrupt, "index key of %d bytes", len(k))
		}
		e, err := decodeIndexEntry(v)
		if err != nil {
			return false, err
		}
		entries = append(entries, struct {
			hash chainhash.Hash
			e    indexEntry
		}{chainhash.Hash(k[1:]), e})
		return true, nil
	})
	if err != nil {
		return err
	}
	// Parents before children.
	byHeight := make(map[int32][]int)
	maxH := int32(0)
	for i := range entries {
		h := entries[i].e.height
		byHeight[h] = append(byHeight[h], i)
		maxH = max(maxH, h)
	}
	for h := int32(0); h <= maxH; h++ {
		for _, i := range byHeight[h] {
			en := entries[i]
			var parent *blockNode
			if h > 0 {
				parent = c.index[en.e.header.PrevBlock]
				if parent == nil {
					return chainErr(ErrCorrupt, "block %s at height %d has no parent in the index", en.hash, h)
				}
			} else if en.hash != c.p.GenesisHash {
				return chainErr(ErrCorrupt, "height-0 block %s is not this network's genesis", en.hash)
			}
			n := newNode(&en.e.header, en.hash, parent)
			n.status, n.nTx = en.e.status, en.e.nTx
			c.addNode(n)
		}
	}
	tipHash, err := c.db.Get(keyTip)
	if err != nil {
		return fmt.Errorf("chain: reading tip: %w", err)
	}
	tip := c.index[chainhash.Hash(tipHash)]
	if tip == nil {
		return chainErr(ErrCorrupt, "tip %x is not in the index", tipHash)
	}
	c.active = make([]*blockNode, tip.height+1)
	for n := tip; n != nil; n = n.parent {
		c.active[n.height] = n
	}
	c.rebuildCandidates()
	return nil
}

func (c *Chain) addNode(n *blockNode) {
	c.index[n.hash] = n
	if n.parent != nil {
		n.parent.children = append(n.parent.children, n)
	}
}

// initGenesis writes the genesis block as the whole chain. Its coinbase is
// not added to the UTXO set (as in Bitcoin).
func (c *Chain) initGenesis() error {
	g := c.p.GenesisBlock
	hash := g.BlockHash()
	if hash != c.p.GenesisHash {
		return chainErr(ErrCorrupt, "genesis block hashes to %s, parameters say %s", hash, c.p.GenesisHash)
	}
	n := newNode(&g.Header, hash, nil)
	n.status = statusDataStored | statusValid
	n.nTx = uint32(len(g.Transactions))
	b := c.db.NewBatch()
	b.Set(keyVersion, []byte{dbVersion})
	b.Set(hashKey(prefixBlock, hash), g.Bytes())
	b.Set(hashKey(prefixIndex, hash), n.encode())
	b.Set(heightKey(0), hash[:])
	b.Set(keyTip, hash[:])
	if err := b.Commit(); err != nil {
		return err
	}
	c.addNode(n)
	c.active = []*blockNode{n}
	c.rebuildCandidates()
	return nil
}

// rebuildCandidates recomputes the set of blocks that could be the best tip:
// stored, not invalid, with every ancestor stored, and no such child.
func (c *Chain) rebuildCandidates() {
	clear(c.candidates)
	for _, n := range c.index {
		if c.isCandidate(n) {
			c.candidates[n] = struct{}{}
		}
	}
}

func (c *Chain) isCandidate(n *blockNode) bool {
	if n.status&statusDataStored == 0 || n.status.invalid() {
		return false
	}
	for _, ch := range n.children {
		if ch.status&statusDataStored != 0 && !ch.status.invalid() {
			return false
		}
	}
	return true
}
