package sighash

import (
	"testing"

	"github.com/ballast-chain/ballast/internal/wire"
)

// BenchmarkHash1In2Out: one input of a plain payment, computing the
// per-transaction hashes for the call (cache nil), as a single-input
// signer does.
func BenchmarkHash1In2Out(b *testing.B) {
	tx := &wire.Tx{
		Version:  2,
		TxIn:     []wire.TxIn{{PrevOut: wire.OutPoint{Hash: h32("funding")}, Sequence: 0xffffffff}},
		TxOut:    []wire.TxOut{{Value: 1000, Lock: wire.KeyLock(h32("pay"))}, {Value: 8_999_000, Lock: wire.KeyLock(h32("change"))}},
		LockTime: 0,
	}
	prev := []wire.TxOut{{Value: 9_000_000, Lock: wire.KeyLock(h32("funding key"))}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Hash(tx, 0, prev, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHashAllInputs100: NewCache plus Hash of every input of a
// 100-input, 2-output transaction, as block validation does.
func BenchmarkHashAllInputs100(b *testing.B) {
	tx := &wire.Tx{Version: 2}
	var prev []wire.TxOut
	for i := range 100 {
		tx.TxIn = append(tx.TxIn, wire.TxIn{PrevOut: wire.OutPoint{Hash: h32("funding"), Index: uint32(i)}, Sequence: 0xfffffffe})
		prev = append(prev, wire.TxOut{Value: int64(1000 + i), Lock: wire.KeyLock(h32("key"))})
	}
	tx.TxOut = []wire.TxOut{{Value: 100_000, Lock: wire.KeyLock(h32("pay"))}, {Value: 5_000, Lock: wire.KeyLock(h32("change"))}}
	b.ReportAllocs()
	for b.Loop() {
		c := NewCache(tx, prev)
		for i := range tx.TxIn {
			if _, err := Hash(tx, i, prev, c); err != nil {
				b.Fatal(err)
			}
		}
	}
}
