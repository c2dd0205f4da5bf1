package rpc

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"

	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/pow"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Difficulty is Core's GetDifficulty with the network's proof-of-work
// limit as difficulty 1: limit target / block target, computed as Core
// computes it (mantissa ratio scaled by powers of 256, in float64). Core
// uses Bitcoin's 0x1d00ffff whatever the network, so its regtest shows
// 4.66e-10; Ballast's every network starts at difficulty 1, and mainnet's
// difficulty is 256 times the Bitcoin-relative figure.
func Difficulty(bits, powLimitBits uint32) float64 {
	mant := float64(bits & 0x00ffffff)
	if mant == 0 {
		return 0
	}
	d := float64(powLimitBits&0x00ffffff) / mant
	for shift := int(powLimitBits>>24) - int(bits>>24); shift != 0; {
		if shift > 0 {
			d *= 256
			shift--
		} else {
			d /= 256
			shift++
		}
	}
	return d
}

// appendFloat writes a float as Core's UniValue does (16 significant
// digits, shortest form).
func appendFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	return strconv.AppendFloat(dst, f, 'g', 16, 64)
}

func confirmations(info *BlockInfo, tipHeight int32) int64 {
	if !info.InMainChain {
		return -1
	}
	return int64(tipHeight) - int64(info.Height) + 1
}

// AppendHeaderJSON appends getblockheader's verbose object, Core's fields in
// Core's order: hash, confirmations (-1 off the best chain), height,
// version, versionHex, merkleroot, time, mediantime, nonce, bits, target,
// difficulty, chainwork, nTx, previousblockhash (not for genesis),
// nextblockhash (when there is one).
func AppendHeaderJSON(dst []byte, info *BlockInfo, tipHeight int32, powLimitBits uint32) []byte {
	dst = append(dst, '{')
	dst = appendHeaderFields(dst, info, tipHeight, powLimitBits, info.NumTx)
	return append(dst, '}')
}

func appendHeaderFields(dst []byte, info *BlockInfo, tipHeight int32, powLimitBits uint32, nTx int) []byte {
	h := &info.Header
	dst = append(dst, `"hash":"`...)
	dst = appendHashHex(dst, info.Hash)
	dst = append(dst, '"')
	dst = appendIntField(dst, "confirmations", confirmations(info, tipHeight))
	dst = appendIntField(dst, "height", int64(info.Height))
	dst = appendIntField(dst, "version", int64(h.Version))
	dst = append(dst, `,"versionHex":"`...)
	dst = fmt.Appendf(dst, "%08x", uint32(h.Version))
	dst = append(dst, `","merkleroot":"`...)
	dst = appendHashHex(dst, h.MerkleRoot)
	dst = append(dst, '"')
	dst = appendIntField(dst, "time", int64(h.Timestamp))
	dst = appendIntField(dst, "mediantime", int64(info.MedianTime))
	dst = appendIntField(dst, "nonce", int64(h.Nonce))
	dst = append(dst, `,"bits":"`...)
	dst = fmt.Appendf(dst, "%08x", h.Bits)
	dst = append(dst, `","target":"`...)
	dst = appendTarget(dst, h.Bits)
	dst = append(dst, `","difficulty":`...)
	dst = appendFloat(dst, Difficulty(h.Bits, powLimitBits))
	dst = append(dst, `,"chainwork":"`...)
	dst = appendWork(dst, info)
	dst = append(dst, '"')
	dst = appendIntField(dst, "nTx", int64(nTx))
	if !h.PrevBlock.IsZero() {
		dst = append(dst, `,"previousblockhash":"`...)
		dst = appendHashHex(dst, h.PrevBlock)
		dst = append(dst, '"')
	}
	if !info.Next.IsZero() {
		dst = append(dst, `,"nextblockhash":"`...)
		dst = appendHashHex(dst, info.Next)
		dst = append(dst, '"')
	}
	return dst
}

// appendTarget writes the target bits encode as 64 hex digits (0 for an
// invalid encoding).
func appendTarget(dst []byte, bits uint32) []byte {
	t, neg, over := pow.CompactToBig(bits)
	if neg || over {
		return fmt.Appendf(dst, "%064x", 0)
	}
	return fmt.Appendf(dst, "%064x", t)
}

func appendWork(dst []byte, info *BlockInfo) []byte {
	if info.ChainWork == nil {
		return fmt.Appendf(dst, "%064x", 0)
	}
	return fmt.Appendf(dst, "%064x", info.ChainWork)
}

// BlockOptions are what a block's JSON needs beyond the block.
type BlockOptions struct {
	HRP          string // address prefix
	PowLimitBits uint32 // difficulty 1
	TipHeight    int32  // for confirmations
	// Verbosity is 1 (txids) or 2 (transaction objects).
	Verbosity int
	// Undo, when it matches the block, gives each transaction's fee at
	// verbosity 2.
	Undo *consensus.BlockUndo
}

// AppendBlockJSON appends getblock's object at verbosity 1 or 2: the header
// fields (see AppendHeaderJSON), then strippedsize, size, weight and tx —
// txids at verbosity 1; at verbosity 2 transaction objects (AppendTxJSON
// with hex, and fee when undo data is given).
func AppendBlockJSON(dst []byte, blk *wire.Block, info *BlockInfo, o *BlockOptions) []byte {
	dst = append(dst, '{')
	dst = appendHeaderFields(dst, info, o.TipHeight, o.PowLimitBits, len(blk.Transactions))
	base, total := blk.BaseSize(), blk.SerializeSize()
	dst = appendIntField(dst, "strippedsize", int64(base))
	dst = appendIntField(dst, "size", int64(total))
	dst = appendIntField(dst, "weight", int64(3*base+total))
	dst = append(dst, `,"tx":[`...)
	var fees []int64
	if o.Verbosity >= 2 {
		fees = blockFees(blk, o.Undo)
	}
	txo := TxOptions{HRP: o.HRP, Hex: true}
	for i, tx := range blk.Transactions {
		if i > 0 {
			dst = append(dst, ',')
		}
		if o.Verbosity < 2 {
			dst = append(dst, '"')
			dst = appendHashHex(dst, tx.TxHash())
			dst = append(dst, '"')
			continue
		}
		txo.HasFee = fees != nil && i > 0
		if txo.HasFee {
			txo.Fee = fees[i]
		}
		dst = AppendTxJSON(dst, tx, &txo)
	}
	return append(dst, "]}"...)
}

// blockFees returns each transaction's native fee from the block's undo
// data (the outputs its inputs spent, in block order), or nil when the
// undo data does not match the block.
func blockFees(blk *wire.Block, undo *consensus.BlockUndo) []int64 {
	if undo == nil || len(blk.Transactions) == 0 {
		return nil
	}
	fees := make([]int64, len(blk.Transactions))
	k := 0
	for i, tx := range blk.Transactions[1:] {
		if k+len(tx.TxIn) > len(undo.Spent) {
			return nil
		}
		var fee int64
		for j := range tx.TxIn {
			s := &undo.Spent[k+j]
			if s.OutPoint != tx.TxIn[j].PrevOut {
				return nil
			}
			if s.Entry.Out.Asset.IsNative() {
				fee += s.Entry.Out.Value
			}
		}
		k += len(tx.TxIn)
		for j := range tx.TxOut {
			if tx.TxOut[j].Asset.IsNative() {
				fee -= tx.TxOut[j].Value
			}
		}
		fees[i+1] = fee
	}
	if k != len(undo.Spent) {
		return nil
	}
	return fees
}

// HeaderHex is getblockheader's non-verbose result: the 80-byte header in
// hex.
func HeaderHex(h *wire.BlockHeader) string {
	b := h.Serialize()
	return hex.EncodeToString(b[:])
}
