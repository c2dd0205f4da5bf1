package consensus

import (
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/pow"
	"github.com/ballast-chain/ballast/internal/wire"
)

// HeaderInfo is what positional checks need to know about a block's parent.
type HeaderInfo struct {
	Hash      chainhash.Hash
	Height    int32
	Timestamp uint32
	Bits      uint32
	// MedianTime is the median timestamp of this block and its ten
	// ancestors (fewer near genesis): the median time past a child is
	// checked against.
	MedianTime uint32
}

// GenesisInfo returns the HeaderInfo of the network's genesis block.
func GenesisInfo(p *params.Params) HeaderInfo {
	h := &p.GenesisBlock.Header
	return HeaderInfo{Hash: p.GenesisHash, Height: 0, Timestamp: h.Timestamp, Bits: h.Bits, MedianTime: h.Timestamp}
}

// NextRequiredBits returns the target bits the child of prev must carry:
// regtest's fixed minimum difficulty, or ASERT (aserti3-2d) anchored at the
// genesis block.
func NextRequiredBits(p *params.Params, prev *HeaderInfo) uint32 {
	if p.PowNoRetargeting {
		return p.PowLimitBits
	}
	g := &p.GenesisBlock.Header
	return pow.CalcASERTBits(p.PowLimit, p.TargetSpacing, p.ASERTHalfLife, g.Bits,
		int64(prev.Height), int64(prev.Timestamp)-int64(g.Timestamp))
}

// CheckHeaderPositional checks a header against its parent: it links to it,
// carries the required difficulty, is later than the median time past and no
// more than two hours ahead of now (the caller's adjusted clock, in Unix
// seconds).
func CheckHeaderPositional(h *wire.BlockHeader, prev *HeaderInfo, p *params.Params, now int64) error {
	if h.PrevBlock != prev.Hash {
		return ruleError(ErrPrevBlockMismatch, "header links to %s, parent is %s", h.PrevBlock, prev.Hash)
	}
	if want := NextRequiredBits(p, prev); h.Bits != want {
		return ruleError(ErrUnexpectedDifficulty, "bits %08x, required %08x", h.Bits, want)
	}
	if h.Timestamp <= prev.MedianTime {
		return ruleError(ErrTimeTooOld, "timestamp %d is not after median time past %d", h.Timestamp, prev.MedianTime)
	}
	if int64(h.Timestamp) > now+pow.MaxFutureBlockTime {
		return ruleError(ErrTimeTooNew, "timestamp %d is more than %d s after now %d", h.Timestamp, pow.MaxFutureBlockTime, now)
	}
	return nil
}

// CheckBlockPositional checks the rules that need the block's height and its
// parent's median time: the coinbase commits to the height, and every
// transaction is final (lock times judged against the median time past, as
// BIP113 does).
func CheckBlockPositional(b *Block, prev *HeaderInfo) error {
	height := prev.Height + 1
	cb := b.Msg.Transactions[0]
	if h, ok := wire.CoinbaseHeight(cb); !ok || int64(h) != int64(height) {
		return ruleError(ErrBadCoinbaseHeight, "coinbase commits to height %d, block is at %d", h, height)
	}
	for i, tx := range b.Msg.Transactions {
		if !IsFinalTx(tx, height, prev.MedianTime) {
			return ruleError(ErrUnfinalizedTx, "tx %d (%s) lock time %d is not final at height %d, time %d",
				i, b.TxIDs[i], tx.LockTime, height, prev.MedianTime)
		}
	}
	return nil
}

// IsFinalTx reports whether tx may be included in a block at height whose
// lock-time cutoff is blockTime, by Bitcoin's rules: lock time zero, or below
// the height (or time) it names, or every input's sequence final.
func IsFinalTx(tx *wire.Tx, height int32, blockTime uint32) bool {
	lt := int64(tx.LockTime)
	if lt == 0 {
		return true
	}
	cutoff := int64(blockTime)
	if lt < LockTimeThreshold {
		cutoff = int64(height)
	}
	if lt < cutoff {
		return true
	}
	for i := range tx.TxIn {
		if tx.TxIn[i].Sequence != SequenceFinal {
			return false
		}
	}
	return true
}
