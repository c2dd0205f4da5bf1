package chaingen

import (
	"runtime"

	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/pow"
	"github.com/ballast-chain/ballast/internal/wire"
)

// MemUtxos is an in-memory UTXO set.
type MemUtxos map[wire.OutPoint]consensus.UtxoEntry

// FetchUtxo implements consensus.UtxoSource.
func (m MemUtxos) FetchUtxo(op wire.OutPoint) (*consensus.UtxoEntry, error) {
	e, ok := m[op]
	if !ok {
		return nil, nil
	}
	return &e, nil
}

// Apply commits a view's changes.
func (m MemUtxos) Apply(v *consensus.UtxoView) {
	for _, c := range v.Changes() {
		if c.Entry == nil {
			delete(m, c.OutPoint)
		} else {
			m[c.OutPoint] = *c.Entry
		}
	}
}

// MemAssets is an in-memory asset registry (what consensus needs of it).
type MemAssets map[wire.AssetID]*consensus.AssetState

// FetchAsset implements consensus.AssetSource.
func (m MemAssets) FetchAsset(id wire.AssetID) (*consensus.AssetState, error) { return m[id], nil }

// Apply commits a view's asset changes.
func (m MemAssets) Apply(v *consensus.UtxoView) {
	for id, s := range v.AssetChanges() {
		m[id] = s
	}
}

// Chain is a linear chain that runs every consensus stage on each block it is
// given, in order, and extends its tip with those that pass. It is the
// reference harness for the full-block tests; the node adds storage, forks
// and reorganisations on top of the same stages.
type Chain struct {
	Params *params.Params
	Utxos  MemUtxos
	Assets MemAssets
	Tip    consensus.HeaderInfo
	times  []uint32
	// Now is the adjusted network time, in Unix seconds, used for the
	// future-timestamp rule. Zero means "the tip's time plus two hours".
	Now int64
	// Opts tune connection (signature verification workers).
	Opts consensus.Options
	// Undo holds each connected block's undo data, by height.
	Undo []*consensus.BlockUndo
}

// NewChain returns a chain holding only p's genesis block. Like Bitcoin's,
// the genesis coinbase is not spendable.
func NewChain(p *params.Params) *Chain {
	return &Chain{
		Params: p,
		Utxos:  MemUtxos{},
		Tip:    consensus.GenesisInfo(p),
		times:  []uint32{p.GenesisBlock.Header.Timestamp},
		Opts:   consensus.Options{Workers: runtime.GOMAXPROCS(0)},
		Undo:   []*consensus.BlockUndo{nil},
	}
}

// MedianTime returns the median time past of the block at height.
func (c *Chain) MedianTime(height int32) uint32 {
	lo := max(int(height)-pow.MedianTimeBlocks+1, 0)
	return pow.MedianTime(c.times[lo : height+1])
}

func (c *Chain) now() int64 {
	if c.Now != 0 {
		return c.Now
	}
	return int64(c.Tip.Timestamp) + pow.MaxFutureBlockTime
}

// ProcessBlock runs sanity, positional and contextual checks on b as the
// child of the tip. On success the tip moves to b and its changes are
// committed; on failure nothing changes and the rule error is returned.
func (c *Chain) ProcessBlock(m *wire.Block) error {
	b := consensus.NewBlock(m)
	if err := consensus.CheckBlockSanity(b, c.Params); err != nil {
		return err
	}
	if err := consensus.CheckHeaderPositional(&m.Header, &c.Tip, c.Params, c.now()); err != nil {
		return err
	}
	if err := consensus.CheckBlockPositional(b, &c.Tip); err != nil {
		return err
	}
	view := consensus.NewUtxoView(c.Utxos)
	if c.Assets == nil {
		c.Assets = MemAssets{}
	}
	view.SetAssetSource(c.Assets)
	undo, err := consensus.ConnectBlock(b, &c.Tip, view, c.Params, c.MedianTime, c.Opts)
	if err != nil {
		return err
	}
	c.Utxos.Apply(view)
	c.Assets.Apply(view)
	height := c.Tip.Height + 1
	c.times = append(c.times, m.Header.Timestamp)
	c.Undo = append(c.Undo, undo)
	c.Tip = consensus.HeaderInfo{Hash: b.Hash, Height: height, Timestamp: m.Header.Timestamp, Bits: m.Header.Bits}
	c.Tip.MedianTime = c.MedianTime(height)
	return nil
}
