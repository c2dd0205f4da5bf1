package mining

import (
	"encoding/binary"
	"errors"
	"math"
	"math/bits"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/merkle"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/pow"
	"github.com/ballast-chain/ballast/internal/wire"
)

// ExtranonceSize is the extranonce room in coinbases built here (Stratum's
// extranonce1 + extranonce2 = 4 + 4 bytes).
const ExtranonceSize = 8

// BlockVersion is the version templates carry: BIP9's top bits, leaving bits
// 13-28 for miners to roll (BIP320).
const BlockVersion = 0x20000000

// TemplateTx is a transaction chosen for a block and the fee it pays.
type TemplateTx struct {
	Tx  *wire.Tx
	Fee int64
}

// Template is a block ready to be solved.
type Template struct {
	Block  *wire.Block
	Height int32
	Fees   int64
	Target [32]byte // little-endian, as pow.TargetBytes returns
}

// TemplateConfig is what a template needs besides its transactions.
type TemplateConfig struct {
	Params *params.Params
	Parent consensus.HeaderInfo
	Payout wire.Lock // where the coinbase pays
	Now    int64     // Unix seconds; the timestamp is max(Now, MTP+1)
	// CoinbaseTag is miner data after the extranonce (at most
	// wire.MaxCoinbaseDataSize - 4 - ExtranonceSize bytes).
	CoinbaseTag []byte
	// Shares, when set, splits the coinbase value among several locks in
	// proportion to their weights (a pool paying PPLNS shares); Payout is
	// then ignored.
	Shares []PayoutShare
}

// PayoutShare is one coinbase output's claim on the block reward.
type PayoutShare struct {
	Lock   wire.Lock
	Weight uint64
}

// splitValue pays value out by weight; integer division leaves a remainder
// of at most len(shares)-1 base units, paid to the first share so nothing is
// lost. Outputs that would be zero are dropped.
func splitValue(value int64, shares []PayoutShare) ([]wire.TxOut, error) {
	var total uint64
	for _, s := range shares {
		if s.Lock.Kind != wire.LockKey && s.Lock.Kind != wire.LockPolicy {
			return nil, errors.New("mining: payout must be a key or policy lock")
		}
		if total+s.Weight < total {
			return nil, errors.New("mining: share weights overflow")
		}
		total += s.Weight
	}
	if total == 0 {
		return nil, errors.New("mining: payout shares have no weight")
	}
	outs := make([]wire.TxOut, len(shares))
	var paid int64
	for i, s := range shares {
		hi, lo := bits.Mul64(uint64(value), s.Weight)
		q, _ := bits.Div64(hi, lo, total) // q <= value since Weight <= total
		outs[i] = wire.TxOut{Asset: wire.NativeAsset, Value: int64(q), Lock: s.Lock}
		paid += int64(q)
	}
	outs[0].Value += value - paid
	kept := outs[:0]
	for _, o := range outs {
		if o.Value > 0 {
			kept = append(kept, o)
		}
	}
	if len(kept) == 0 {
		return outs[:1], nil
	}
	return kept, nil
}

// NewTemplate builds an unsolved block extending cfg.Parent with txs (already
// in a valid order, parents first), paying subsidy plus fees to cfg.Payout.
func NewTemplate(cfg TemplateConfig, txs []TemplateTx) (*Template, error) {
	p := cfg.Params
	if max := wire.MaxCoinbaseDataSize - wire.CoinbaseHeightSize - ExtranonceSize; len(cfg.CoinbaseTag) > max {
		return nil, errors.New("mining: coinbase tag too long")
	}
	if len(cfg.Shares) == 0 && cfg.Payout.Kind != wire.LockKey && cfg.Payout.Kind != wire.LockPolicy {
		return nil, errors.New("mining: payout must be a key or policy lock")
	}
	height := cfg.Parent.Height + 1
	var fees int64
	others := make([]*wire.Tx, len(txs))
	for i, t := range txs {
		if t.Fee < 0 || fees > math.MaxInt64-t.Fee {
			return nil, errors.New("mining: bad fee")
		}
		fees += t.Fee
		others[i] = t.Tx
	}
	value := pow.BlockSubsidy(height, p.InitialSubsidy, p.SubsidyHalvingInterval) + fees
	outs := []wire.TxOut{{Asset: wire.NativeAsset, Value: value, Lock: cfg.Payout}}
	if len(cfg.Shares) > 0 {
		var err error
		if outs, err = splitValue(value, cfg.Shares); err != nil {
			return nil, err
		}
	}
	cb := &wire.Tx{
		Version: 1,
		TxIn: []wire.TxIn{{
			PrevOut:      wire.NullOutPoint,
			CoinbaseData: wire.NewCoinbaseData(uint32(height), make([]byte, ExtranonceSize), cfg.CoinbaseTag),
			Sequence:     math.MaxUint32,
			Witness:      [][]byte{make([]byte, 32)},
		}},
		TxOut: outs,
	}
	wtxids := make([]chainhash.Hash, len(others)+1)
	for i, tx := range others {
		wtxids[i+1] = tx.WitnessHash()
	}
	wroot, _ := merkle.Root(wtxids)
	cb.TxOut = append(cb.TxOut, wire.WitnessCommitmentOutput(wire.WitnessCommitment(wroot, cb.TxIn[0].Witness[0])))

	bits := consensus.NextRequiredBits(p, &cfg.Parent)
	target, err := pow.TargetBytes(bits)
	if err != nil {
		return nil, err
	}
	ts := max(cfg.Now, int64(cfg.Parent.MedianTime)+1)
	t := &Template{
		Block: &wire.Block{
			Header: wire.BlockHeader{Version: BlockVersion, PrevBlock: cfg.Parent.Hash,
				Timestamp: uint32(ts), Bits: bits},
			Transactions: append([]*wire.Tx{cb}, others...),
		},
		Height: height, Fees: fees, Target: target,
	}
	t.SetExtranonce(0)
	return t, nil
}

// SetExtranonce writes n into the coinbase's extranonce and updates the
// merkle root.
func (t *Template) SetExtranonce(n uint64) {
	cb := t.Block.Transactions[0]
	binary.LittleEndian.PutUint64(cb.TxIn[0].CoinbaseData[wire.CoinbaseHeightSize:], n)
	root, _ := merkle.Root(t.Block.TxHashes())
	t.Block.Header.MerkleRoot = root
}
