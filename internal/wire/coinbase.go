package wire

import (
	"bytes"
	"encoding/binary"

	"github.com/ballast-chain/ballast/internal/chainhash"
)

// The coinbase input's data is laid out for Stratum pools:
//
//	height u32 LE | extranonce (any length) | miner data
//
// It sits inside the first input, before the outputs, so the serialized
// coinbase splits into coinb1 (everything up to and including the height) ‖
// extranonce1 ‖ extranonce2 ‖ coinb2 (the rest), and changing the extranonce
// changes the txid and therefore the merkle root.

// CoinbaseHeightSize is the size of the height at the start of coinbase data.
const CoinbaseHeightSize = 4

// NewCoinbaseData returns height ‖ extranonce ‖ extra.
func NewCoinbaseData(height uint32, extranonce, extra []byte) []byte {
	b := make([]byte, 0, CoinbaseHeightSize+len(extranonce)+len(extra))
	b = binary.LittleEndian.AppendUint32(b, height)
	b = append(b, extranonce...)
	return append(b, extra...)
}

// CoinbaseHeight returns the height a coinbase commits to, and false if tx is
// not a coinbase or its data is too short.
func CoinbaseHeight(tx *Tx) (uint32, bool) {
	if !tx.IsCoinBase() || len(tx.TxIn[0].CoinbaseData) < CoinbaseHeightSize {
		return 0, false
	}
	return binary.LittleEndian.Uint32(tx.TxIn[0].CoinbaseData), true
}

// CoinbaseDataOffset returns the byte offset of the coinbase data within the
// serialized transaction (with witness flag as serialized for the txid, since
// Stratum miners hash that form): version, flags, input count, outpoint, data
// length. The extranonce starts CoinbaseHeightSize bytes later.
func CoinbaseDataOffset(tx *Tx) int {
	return 4 + 1 + CompactSizeLen(uint64(len(tx.TxIn))) + 36 +
		CompactSizeLen(uint64(len(tx.TxIn[0].CoinbaseData)))
}

// WitnessCommitmentHeader starts the data of the burn output that carries the
// witness commitment in every coinbase (the same four bytes Bitcoin uses).
var WitnessCommitmentHeader = [4]byte{0xaa, 0x21, 0xa9, 0xed}

// WitnessCommitment returns double SHA-256(witnessRoot ‖ reserved), where
// witnessRoot is the merkle root of the block's wtxids (the coinbase's taken
// as zero) and reserved is the coinbase's single 32-byte witness item.
func WitnessCommitment(witnessRoot chainhash.Hash, reserved []byte) chainhash.Hash {
	var buf [64]byte
	copy(buf[:32], witnessRoot[:])
	copy(buf[32:], reserved)
	return chainhash.DoubleSHA256(buf[:])
}

// WitnessCommitmentOutput returns the zero-value burn output that carries c.
func WitnessCommitmentOutput(c chainhash.Hash) TxOut {
	data := make([]byte, 0, 36)
	data = append(data, WitnessCommitmentHeader[:]...)
	data = append(data, c[:]...)
	return TxOut{Asset: NativeAsset, Value: 0, Lock: BurnLock(data)}
}

// FindWitnessCommitment returns the index of the coinbase output carrying the
// witness commitment (a native burn output whose data is exactly the header and
// 32 bytes), or -1. When several match, the last one counts, as in Bitcoin.
func FindWitnessCommitment(tx *Tx) int {
	idx := -1
	for i := range tx.TxOut {
		o := &tx.TxOut[i]
		if o.Lock.Kind == LockBurn && o.Asset.IsNative() && len(o.Lock.Data) == 36 &&
			bytes.Equal(o.Lock.Data[:4], WitnessCommitmentHeader[:]) {
			idx = i
		}
	}
	return idx
}
