package consensus_test

import (
	"errors"
	"math"
	"testing"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/merkle"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/pow"
	"github.com/ballast-chain/ballast/internal/wire"
)

// harness drives a generator and a chain in step: every block the generator
// makes is offered to the chain, and a rejected block rewinds the generator.
type harness struct {
	t    *testing.T
	p    *params.Params
	g    *chaingen.Generator
	c    *chaingen.Chain
	next int            // next coinbase height nextCoinbase considers
	used map[int32]bool // coinbase heights already spent or reserved
}

func newHarness(t *testing.T) *harness {
	p := params.Regtest()
	h := &harness{t: t, p: p, g: chaingen.NewGenerator(p, "fullblock"), c: chaingen.NewChain(p), next: 1, used: map[int32]bool{}}
	// Mature enough coinbases to spend in every case.
	for range p.CoinbaseMaturity + 100 {
		h.accept(h.g.NextBlock(nil, chaingen.BlockOpts{}))
	}
	return h
}

// nextCoinbase returns a mature, unspent coinbase output.
func (h *harness) nextCoinbase() *chaingen.SpendableOut {
	for h.used[int32(h.next)] {
		h.next++
	}
	if int32(h.next) > h.c.Tip.Height+1-h.p.CoinbaseMaturity {
		h.t.Fatal("harness ran out of mature coinbases")
	}
	h.used[int32(h.next)] = true
	return h.g.Coinbases[h.next]
}

// lastCoinbase is the output nextCoinbase returned last.
func (h *harness) lastCoinbase() *chaingen.SpendableOut { return h.g.Coinbases[h.next] }

func (h *harness) accept(b *wire.Block) {
	h.t.Helper()
	if err := h.c.ProcessBlock(b); err != nil {
		h.t.Fatalf("block at height %d rejected: %v", h.g.Tip.Height, err)
	}
	if h.c.Tip.Hash != b.BlockHash() {
		h.t.Fatal("tip did not move to the accepted block")
	}
}

func (h *harness) reject(b *wire.Block, kind consensus.ErrorKind) {
	h.t.Helper()
	before := h.c.Tip
	nUtxos := len(h.c.Utxos)
	err := h.c.ProcessBlock(b)
	if !errors.Is(err, kind) {
		h.t.Fatalf("got %v, want %s", err, kind)
	}
	if h.c.Tip != before || len(h.c.Utxos) != nUtxos {
		h.t.Fatal("a rejected block changed the chain")
	}
	h.g.Rewind(before)
}

// block builds the next block with txs and options.
func (h *harness) block(txs []*wire.Tx, o chaingen.BlockOpts) *wire.Block {
	return h.g.NextBlock(txs, o)
}

// spend returns a signed one-input spend of a fresh coinbase with fee.
func (h *harness) spend(fee int64) *wire.Tx {
	return h.g.SpendTx([]*chaingen.SpendableOut{h.nextCoinbase()}, 1, fee)
}

// resign re-signs every key-lock input of tx after an edit.
func (h *harness) resign(tx *wire.Tx, prev []wire.TxOut) {
	chaingen.SignKeySpends(tx, prev, h.g.Key)
}

func TestFullBlocks(t *testing.T) {
	h := newHarness(t)
	p := h.p
	coinbaseMunge := func(f func(cb *wire.Tx)) chaingen.BlockOpts {
		return chaingen.BlockOpts{Munge: func(b *wire.Block) {
			f(b.Transactions[0])
			chaingen.SetWitnessCommitment(b.Transactions[0], b.Transactions[1:])
		}}
	}

	t.Run("accept simple spend with fee", func(t *testing.T) {
		h.accept(h.block([]*wire.Tx{h.spend(1000)}, chaingen.BlockOpts{Fees: 1000}))
	})

	// --- transaction sanity ---
	t.Run("ErrNoTxInputs", func(t *testing.T) {
		tx := &wire.Tx{Version: 2, TxOut: []wire.TxOut{{Value: 1, Lock: chaingen.KeyLock(h.g.Key)}}}
		h.reject(h.block([]*wire.Tx{tx}, chaingen.BlockOpts{}), consensus.ErrNoTxInputs)
	})
	t.Run("ErrNoTxOutputs", func(t *testing.T) {
		cb := h.nextCoinbase()
		tx := &wire.Tx{Version: 2, TxIn: []wire.TxIn{{PrevOut: cb.OutPoint, Sequence: math.MaxUint32}}}
		h.resign(tx, []wire.TxOut{cb.Out})
		h.reject(h.block([]*wire.Tx{tx}, chaingen.BlockOpts{Fees: cb.Out.Value}), consensus.ErrNoTxOutputs)
	})
	t.Run("ErrTxTooBig", func(t *testing.T) {
		tx, prev := h.sizedSpend(consensus.MaxTxWeight + 4)
		if tx.Weight() <= consensus.MaxTxWeight {
			t.Fatalf("weight %d not above the limit", tx.Weight())
		}
		h.reject(h.block([]*wire.Tx{tx}, chaingen.BlockOpts{}), consensus.ErrTxTooBig)
		// Boundary: the heaviest transaction the limit allows.
		tx, _ = h.sizedSpend(consensus.MaxTxWeight)
		if w := tx.Weight(); w > consensus.MaxTxWeight || w <= consensus.MaxTxWeight-4 {
			t.Fatalf("boundary weight %d", w)
		}
		_ = prev
		h.accept(h.block([]*wire.Tx{tx}, chaingen.BlockOpts{}))
	})
	t.Run("ErrNegativeAmount", func(t *testing.T) {
		cb := h.nextCoinbase()
		tx := h.g.SpendTx([]*chaingen.SpendableOut{cb}, 1, 0)
		tx.TxOut = append(tx.TxOut, wire.TxOut{Value: -1, Lock: chaingen.KeyLock(h.g.Key)})
		tx.TxOut[0].Value++
		h.resign(tx, []wire.TxOut{cb.Out})
		h.reject(h.block([]*wire.Tx{tx}, chaingen.BlockOpts{}), consensus.ErrNegativeAmount)
	})
	t.Run("ErrAmountTooLarge", func(t *testing.T) {
		over := h.spend(0)
		over.TxOut[0].Value = p.MaxMoney + 1
		h.reject(h.block([]*wire.Tx{over}, chaingen.BlockOpts{}), consensus.ErrAmountTooLarge)
		sum := h.spend(0)
		sum.TxOut = []wire.TxOut{{Value: p.MaxMoney/2 + 1, Lock: sum.TxOut[0].Lock}, {Value: p.MaxMoney/2 + 1, Lock: sum.TxOut[0].Lock}}
		h.reject(h.block([]*wire.Tx{sum}, chaingen.BlockOpts{}), consensus.ErrAmountTooLarge)
		// Boundary: exactly MaxMoney passes sanity (it fails later only for
		// lack of inputs, which no one has).
		sum.TxOut = []wire.TxOut{{Value: p.MaxMoney, Lock: sum.TxOut[0].Lock}}
		if err := consensus.CheckTransactionSanity(sum, p); err != nil {
			t.Fatalf("MaxMoney output rejected: %v", err)
		}
	})
	t.Run("ErrDuplicateTxInputs", func(t *testing.T) {
		cb := h.nextCoinbase()
		tx := h.g.SpendTx([]*chaingen.SpendableOut{cb, cb}, 1, 0)
		h.reject(h.block([]*wire.Tx{tx}, chaingen.BlockOpts{}), consensus.ErrDuplicateTxInputs)
		// Boundary: two distinct inputs.
		tx = h.g.SpendTx([]*chaingen.SpendableOut{cb, h.nextCoinbase()}, 2, 0)
		h.accept(h.block([]*wire.Tx{tx}, chaingen.BlockOpts{}))
	})
	t.Run("ErrNullPrevOut", func(t *testing.T) {
		cb := h.nextCoinbase()
		tx := h.g.SpendTx([]*chaingen.SpendableOut{cb}, 1, 0)
		tx.TxIn = append(tx.TxIn, wire.TxIn{PrevOut: wire.NullOutPoint, CoinbaseData: []byte{0, 0, 0, 0}, Sequence: math.MaxUint32})
		h.reject(h.block([]*wire.Tx{tx}, chaingen.BlockOpts{}), consensus.ErrNullPrevOut)
	})
	t.Run("ErrBadCoinbaseData", func(t *testing.T) {
		h.reject(h.block(nil, coinbaseMunge(func(cb *wire.Tx) { cb.TxIn[0].CoinbaseData = cb.TxIn[0].CoinbaseData[:3] })), consensus.ErrBadCoinbaseData)
		h.reject(h.block(nil, coinbaseMunge(func(cb *wire.Tx) {
			cb.TxIn[0].CoinbaseData = append(cb.TxIn[0].CoinbaseData[:4:4], make([]byte, 97)...)
		})), consensus.ErrBadCoinbaseData)
		// Boundaries: the bare 4-byte height, and the full 100 bytes.
		h.accept(h.block(nil, coinbaseMunge(func(cb *wire.Tx) { cb.TxIn[0].CoinbaseData = cb.TxIn[0].CoinbaseData[:4] })))
		h.accept(h.block(nil, coinbaseMunge(func(cb *wire.Tx) {
			cb.TxIn[0].CoinbaseData = append(cb.TxIn[0].CoinbaseData[:4:4], make([]byte, 96)...)
		})))
	})
	t.Run("ErrCoinbaseAsset", func(t *testing.T) {
		h.reject(h.block(nil, coinbaseMunge(func(cb *wire.Tx) {
			cb.TxOut = append(cb.TxOut, wire.TxOut{Asset: wire.AssetID{1}, Value: 0, Lock: chaingen.KeyLock(h.g.Key)})
		})), consensus.ErrCoinbaseAsset)
	})
	t.Run("ErrUnsupportedRecord", func(t *testing.T) {
		tx := h.spend(0)
		tx.Records = []wire.Record{{Type: wire.RecordAttestation + 1, Payload: []byte{1}}}
		h.reject(h.block([]*wire.Tx{tx}, chaingen.BlockOpts{}), consensus.ErrUnsupportedRecord)
	})
	t.Run("ErrBadCoinbaseWitness", func(t *testing.T) {
		h.reject(h.block(nil, coinbaseMunge(func(cb *wire.Tx) { cb.TxIn[0].Witness = [][]byte{make([]byte, 31)} })), consensus.ErrBadCoinbaseWitness)
		h.reject(h.block(nil, coinbaseMunge(func(cb *wire.Tx) { cb.TxIn[0].Witness = nil })), consensus.ErrBadCoinbaseWitness)
		// Any 32-byte reserved value is fine.
		reserved := chainhash.DoubleSHA256(nil)
		h.accept(h.block(nil, coinbaseMunge(func(cb *wire.Tx) { cb.TxIn[0].Witness = [][]byte{reserved[:]} })))
	})

	// --- block sanity ---
	t.Run("ErrHighHash", func(t *testing.T) {
		b := h.block(nil, chaingen.BlockOpts{})
		target, _ := pow.TargetBytes(b.Header.Bits)
		for {
			b.Header.Nonce++
			hash := b.Header.BlockHash()
			if !pow.HashMeetsTarget(&hash, &target) {
				break
			}
		}
		h.reject(b, consensus.ErrHighHash)
	})
	t.Run("ErrBadTarget", func(t *testing.T) {
		h.reject(h.block(nil, chaingen.BlockOpts{Munge: func(b *wire.Block) { b.Header.Bits = 0x217fffff }}), consensus.ErrBadTarget)
	})
	t.Run("ErrBadVersion", func(t *testing.T) {
		h.reject(h.block(nil, chaingen.BlockOpts{Munge: func(b *wire.Block) { b.Header.Version = 0 }}), consensus.ErrBadVersion)
		h.accept(h.block(nil, chaingen.BlockOpts{Munge: func(b *wire.Block) { b.Header.Version = 1 }}))
		// BIP320: miners roll bits 13-28 freely.
		h.accept(h.block(nil, chaingen.BlockOpts{Munge: func(b *wire.Block) { b.Header.Version = 0x20000000 | 0x1fffe000 }}))
	})
	t.Run("ErrNoTransactions", func(t *testing.T) {
		h.reject(h.block(nil, chaingen.BlockOpts{Munge: func(b *wire.Block) { b.Transactions = nil }}), consensus.ErrNoTransactions)
	})
	t.Run("ErrFirstTxNotCoinbase", func(t *testing.T) {
		h.reject(h.block([]*wire.Tx{h.spend(0)}, chaingen.BlockOpts{Munge: func(b *wire.Block) {
			b.Transactions[0], b.Transactions[1] = b.Transactions[1], b.Transactions[0]
		}}), consensus.ErrFirstTxNotCoinbase)
	})
	t.Run("ErrMultipleCoinbases", func(t *testing.T) {
		h.reject(h.block(nil, chaingen.BlockOpts{Munge: func(b *wire.Block) {
			second := h.g.Coinbase(h.g.Tip.Height+1, 0, nil)
			b.Transactions = append(b.Transactions, second)
			chaingen.SetWitnessCommitment(b.Transactions[0], b.Transactions[1:])
		}}), consensus.ErrMultipleCoinbases)
	})
	t.Run("ErrBlockWeightTooHigh", func(t *testing.T) {
		txs := h.fillBlock(consensus.MaxBlockWeight + 4)
		h.reject(h.block(txs, chaingen.BlockOpts{}), consensus.ErrBlockWeightTooHigh)
		txs = h.fillBlock(consensus.MaxBlockWeight)
		b := h.block(txs, chaingen.BlockOpts{})
		if w := b.Weight(); w > consensus.MaxBlockWeight || w <= consensus.MaxBlockWeight-4 {
			t.Fatalf("boundary block weight %d", w)
		}
		h.accept(b)
	})
	t.Run("ErrBadMerkleRoot", func(t *testing.T) {
		b := h.block([]*wire.Tx{h.spend(0)}, chaingen.BlockOpts{NoReseal: true})
		b.Header.MerkleRoot = chainhash.Hash{1}
		chaingen.Solve(&b.Header)
		h.reject(b, consensus.ErrBadMerkleRoot)
	})
	t.Run("ErrDuplicateTx", func(t *testing.T) {
		a, b := h.spend(0), h.spend(0)
		// CVE-2012-2459: [cb a b b] has the root of the valid [cb a b].
		mutated := h.block([]*wire.Tx{a, b, b}, chaingen.BlockOpts{})
		valid := []*wire.Tx{mutated.Transactions[0], a, b}
		root, _ := merkleRoot(valid)
		if root != mutated.Header.MerkleRoot {
			t.Fatal("test setup: roots differ")
		}
		h.reject(mutated, consensus.ErrDuplicateTx)
		h.reject(h.block([]*wire.Tx{a, b, a}, chaingen.BlockOpts{}), consensus.ErrDuplicateTx)
		h.accept(h.block([]*wire.Tx{a, b}, chaingen.BlockOpts{}))
	})
	t.Run("ErrMissingWitnessCommitment", func(t *testing.T) {
		h.reject(h.block(nil, chaingen.BlockOpts{Munge: func(b *wire.Block) {
			b.Transactions[0].TxOut = b.Transactions[0].TxOut[:1]
		}}), consensus.ErrMissingWitnessCommitment)
	})
	t.Run("ErrBadWitnessCommitment", func(t *testing.T) {
		tx := h.spend(0)
		h.reject(h.block([]*wire.Tx{tx}, chaingen.BlockOpts{Munge: func(b *wire.Block) {
			tx.TxIn[0].Witness = [][]byte{append([]byte(nil), tx.TxIn[0].Witness[0]...)}
			tx.TxIn[0].Witness[0][0] ^= 1 // wtxid changes, txid does not
		}}), consensus.ErrBadWitnessCommitment)
	})

	// --- header and block position ---
	t.Run("ErrPrevBlockMismatch", func(t *testing.T) {
		h.reject(h.block(nil, chaingen.BlockOpts{Munge: func(b *wire.Block) { b.Header.PrevBlock = chainhash.Hash{7} }}), consensus.ErrPrevBlockMismatch)
	})
	t.Run("ErrUnexpectedDifficulty", func(t *testing.T) {
		h.reject(h.block(nil, chaingen.BlockOpts{Munge: func(b *wire.Block) { b.Header.Bits = 0x207ffffe }}), consensus.ErrUnexpectedDifficulty)
	})
	t.Run("ErrTimeTooOld", func(t *testing.T) {
		mtp := h.c.Tip.MedianTime
		h.reject(h.block(nil, chaingen.BlockOpts{Timestamp: mtp}), consensus.ErrTimeTooOld)
		// Boundary: one second after the median time past, though earlier
		// than the parent.
		h.accept(h.block(nil, chaingen.BlockOpts{Timestamp: mtp + 1}))
	})
	t.Run("ErrTimeTooNew", func(t *testing.T) {
		h.c.Now = int64(h.c.Tip.Timestamp) + 1000
		defer func() { h.c.Now = 0 }()
		h.reject(h.block(nil, chaingen.BlockOpts{Timestamp: uint32(h.c.Now + pow.MaxFutureBlockTime + 1)}), consensus.ErrTimeTooNew)
		h.accept(h.block(nil, chaingen.BlockOpts{Timestamp: uint32(h.c.Now + pow.MaxFutureBlockTime)}))
	})
	t.Run("ErrBadCoinbaseHeight", func(t *testing.T) {
		h.reject(h.block(nil, coinbaseMunge(func(cb *wire.Tx) { cb.TxIn[0].CoinbaseData[0]++ })), consensus.ErrBadCoinbaseHeight)
	})
	t.Run("ErrUnfinalizedTx", func(t *testing.T) {
		height := h.c.Tip.Height + 1
		lockTx := func(lt uint32) *wire.Tx {
			cb := h.nextCoinbase()
			tx := h.g.SpendTx([]*chaingen.SpendableOut{cb}, 1, 0)
			tx.LockTime = lt
			tx.TxIn[0].Sequence = 0
			h.resign(tx, []wire.TxOut{cb.Out})
			return tx
		}
		h.reject(h.block([]*wire.Tx{lockTx(uint32(height))}, chaingen.BlockOpts{}), consensus.ErrUnfinalizedTx)
		h.accept(h.block([]*wire.Tx{lockTx(uint32(height - 1))}, chaingen.BlockOpts{}))
		// Time locks are judged against the median time past (BIP113).
		mtp := h.c.Tip.MedianTime
		h.reject(h.block([]*wire.Tx{lockTx(mtp)}, chaingen.BlockOpts{}), consensus.ErrUnfinalizedTx)
		h.accept(h.block([]*wire.Tx{lockTx(mtp - 1)}, chaingen.BlockOpts{}))
		// A final sequence on every input disables the lock time.
		tx := lockTx(math.MaxUint32 - 1)
		tx.TxIn[0].Sequence = math.MaxUint32
		h.resign(tx, []wire.TxOut{h.lastCoinbase().Out})
		h.accept(h.block([]*wire.Tx{tx}, chaingen.BlockOpts{}))
	})

	// --- contextual ---
	t.Run("ErrMissingTxOut", func(t *testing.T) {
		ghost := &chaingen.SpendableOut{OutPoint: wire.OutPoint{Hash: chainhash.Hash{9}}, Out: wire.TxOut{Value: 100, Lock: chaingen.KeyLock(h.g.Key)}}
		h.reject(h.block([]*wire.Tx{h.g.SpendTx([]*chaingen.SpendableOut{ghost}, 1, 0)}, chaingen.BlockOpts{}), consensus.ErrMissingTxOut)
		// Double spend across two transactions of one block.
		cb := h.nextCoinbase()
		a := h.g.SpendTx([]*chaingen.SpendableOut{cb}, 1, 0)
		b := h.g.SpendTx([]*chaingen.SpendableOut{cb}, 2, 0)
		h.reject(h.block([]*wire.Tx{a, b}, chaingen.BlockOpts{}), consensus.ErrMissingTxOut)
		// Spending an output created earlier in the same block is fine.
		child := h.g.SpendTx(chaingen.Outputs(a, h.c.Tip.Height+1), 1, 0)
		h.accept(h.block([]*wire.Tx{a, child}, chaingen.BlockOpts{}))
		// A spent output cannot be spent again in a later block.
		h.reject(h.block([]*wire.Tx{b}, chaingen.BlockOpts{}), consensus.ErrMissingTxOut)
		// Burn outputs never enter the UTXO set.
		cb = h.nextCoinbase()
		burn := h.g.SpendTx([]*chaingen.SpendableOut{cb}, 1, 0)
		burn.TxOut = append(burn.TxOut, wire.TxOut{Value: 10, Lock: wire.BurnLock([]byte("gone"))})
		burn.TxOut[0].Value -= 10
		h.resign(burn, []wire.TxOut{cb.Out})
		h.accept(h.block([]*wire.Tx{burn}, chaingen.BlockOpts{}))
		burnt := chaingen.Outputs(burn, h.c.Tip.Height)[1]
		h.reject(h.block([]*wire.Tx{h.g.SpendTx([]*chaingen.SpendableOut{burnt}, 1, 0)}, chaingen.BlockOpts{}), consensus.ErrMissingTxOut)
	})
	t.Run("ErrImmatureSpend", func(t *testing.T) {
		// The coinbase maturity-1 blocks below the next block is immature.
		next := h.c.Tip.Height + 1
		young := h.g.Coinbases[next-p.CoinbaseMaturity+1]
		h.used[young.Height], h.used[young.Height-1] = true, true
		h.reject(h.block([]*wire.Tx{h.g.SpendTx([]*chaingen.SpendableOut{young}, 1, 0)}, chaingen.BlockOpts{}), consensus.ErrImmatureSpend)
		ripe := h.g.Coinbases[next-p.CoinbaseMaturity]
		h.accept(h.block([]*wire.Tx{h.g.SpendTx([]*chaingen.SpendableOut{ripe}, 1, 0)}, chaingen.BlockOpts{}))
	})
	t.Run("ErrSpendTooHigh", func(t *testing.T) {
		tx := h.spend(0)
		tx.TxOut[0].Value++
		h.resign(tx, []wire.TxOut{h.lastCoinbase().Out})
		h.reject(h.block([]*wire.Tx{tx}, chaingen.BlockOpts{}), consensus.ErrSpendTooHigh)
	})
	t.Run("ErrSequenceLockNotMet", func(t *testing.T) {
		relTx := func(out []*chaingen.SpendableOut, seq uint32) *wire.Tx {
			tx := h.g.SpendTx(out, 1, 0)
			tx.TxIn[0].Sequence = seq
			h.resign(tx, []wire.TxOut{out[0].Out})
			return tx
		}
		confirm := func() []*chaingen.SpendableOut {
			parent := h.spend(0)
			h.accept(h.block([]*wire.Tx{parent}, chaingen.BlockOpts{}))
			return chaingen.Outputs(parent, h.c.Tip.Height)
		}
		// Height lock: an output confirmed at height c with sequence 3 can
		// be spent from height c+3.
		out := confirm()
		h.accept(h.block(nil, chaingen.BlockOpts{}))                                                        // c+1
		h.reject(h.block([]*wire.Tx{relTx(out, 3)}, chaingen.BlockOpts{}), consensus.ErrSequenceLockNotMet) // at c+2
		h.accept(h.block(nil, chaingen.BlockOpts{}))                                                        // c+2
		h.accept(h.block([]*wire.Tx{relTx(out, 3)}, chaingen.BlockOpts{}))                                  // at c+3
		// The disable flag turns the lock off; so does tx version 1.
		out = confirm()
		h.accept(h.block([]*wire.Tx{relTx(out, 3|consensus.SequenceLockTimeDisabled)}, chaingen.BlockOpts{}))
		out = confirm()
		v1 := h.g.SpendTx(out, 1, 0)
		v1.Version, v1.TxIn[0].Sequence = 1, 3
		h.resign(v1, []wire.TxOut{out[0].Out})
		h.accept(h.block([]*wire.Tx{v1}, chaingen.BlockOpts{}))
		// Time lock: 2 units of 512 s, measured from the median time past of
		// the block before the output's block. Every block before the
		// parent's median time reaches base+1024 rejects the spend; the first
		// one after accepts it.
		out = confirm()
		base := h.c.MedianTime(h.c.Tip.Height - 1)
		seq := uint32(consensus.SequenceLockTimeIsTime | 2)
		rejected := 0
		for h.c.Tip.MedianTime < base+1024 {
			h.reject(h.block([]*wire.Tx{relTx(out, seq)}, chaingen.BlockOpts{}), consensus.ErrSequenceLockNotMet)
			rejected++
			h.accept(h.block(nil, chaingen.BlockOpts{Timestamp: h.c.Tip.Timestamp + 60}))
		}
		if rejected == 0 {
			t.Fatal("the time lock was never tested unmet")
		}
		h.accept(h.block([]*wire.Tx{relTx(out, seq)}, chaingen.BlockOpts{}))
	})
	t.Run("ErrBadSpend", func(t *testing.T) {
		tx := h.spend(0)
		tx.TxIn[0].Witness[0][5] ^= 1
		h.reject(h.block([]*wire.Tx{tx}, chaingen.BlockOpts{}), consensus.ErrBadSpend)
		cb := h.nextCoinbase()
		tx = h.g.SpendTx([]*chaingen.SpendableOut{cb}, 1, 0)
		chaingen.SignKeySpends(tx, []wire.TxOut{cb.Out}, chaingen.KeyFromSeed("someone else"))
		h.reject(h.block([]*wire.Tx{tx}, chaingen.BlockOpts{}), consensus.ErrBadSpend)
		// A signature over a different amount (the sighash commits to it).
		tx = h.g.SpendTx([]*chaingen.SpendableOut{cb}, 1, 0)
		lie := cb.Out
		lie.Value--
		chaingen.SignKeySpends(tx, []wire.TxOut{lie}, h.g.Key)
		h.reject(h.block([]*wire.Tx{tx}, chaingen.BlockOpts{}), consensus.ErrBadSpend)
	})
	t.Run("policy lock 2-of-3", func(t *testing.T) {
		h.policySpends(t)
	})
	t.Run("ErrBadCoinbaseValue", func(t *testing.T) {
		h.reject(h.block([]*wire.Tx{h.spend(500)}, chaingen.BlockOpts{Fees: 501}), consensus.ErrBadCoinbaseValue)
		h.reject(h.block([]*wire.Tx{h.spend(500)}, chaingen.BlockOpts{Fees: 499}), consensus.ErrBadCoinbaseValue)
		h.accept(h.block([]*wire.Tx{h.spend(500)}, chaingen.BlockOpts{Fees: 500}))
	})
	t.Run("subsidy halves", func(t *testing.T) {
		interval := p.SubsidyHalvingInterval
		halving := (h.c.Tip.Height/interval + 1) * interval
		for h.c.Tip.Height+1 < halving {
			h.accept(h.block(nil, chaingen.BlockOpts{}))
		}
		before := pow.BlockSubsidy(halving-1, p.InitialSubsidy, interval)
		after := pow.BlockSubsidy(halving, p.InitialSubsidy, interval)
		if after*2 != before {
			t.Fatalf("subsidy %d -> %d is not a halving", before, after)
		}
		// At the halving height the old subsidy is too much.
		h.reject(h.block(nil, chaingen.BlockOpts{Fees: before - after}), consensus.ErrBadCoinbaseValue)
		b := h.block(nil, chaingen.BlockOpts{})
		if v := b.Transactions[0].TxOut[0].Value; v != after {
			t.Fatalf("coinbase pays %d, want %d", v, after)
		}
		h.accept(b)
	})
}

func merkleRoot(txs []*wire.Tx) (chainhash.Hash, bool) {
	b := &wire.Block{Transactions: txs}
	return merkle.RootOf(b.TxHashes())
}
