package consensus_test

import (
	"errors"
	"math/big"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/pow"
	"github.com/ballast-chain/ballast/internal/sighash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// padTx grows tx with zero-value outputs and one burn output until its
// weight is within 4 of target (weight moves in steps of 4 once the witness
// is fixed). tx must already carry its final-length witness.
func padTx(tx *wire.Tx, target int) {
	lock := tx.TxOut[0].Lock
	keyOut := wire.TxOut{Lock: lock}
	per := 4 * keyOut.EncodedLen()
	for tx.Weight()+per <= target {
		tx.TxOut = append(tx.TxOut, keyOut)
	}
	for {
		for l := wire.MaxBurnDataSize; l >= 0; l-- {
			tx.TxOut = append(tx.TxOut, wire.TxOut{Lock: wire.BurnLock(make([]byte, l))})
			if w := tx.Weight(); w <= target && w > target-4 {
				return
			}
			tx.TxOut = tx.TxOut[:len(tx.TxOut)-1]
		}
		if len(tx.TxOut) == 1 {
			panic("padTx: target too small")
		}
		tx.TxOut = tx.TxOut[:len(tx.TxOut)-1]
	}
}

// sizedSpend spends a fresh coinbase in a transaction of weight in
// (target-4, target].
func (h *harness) sizedSpend(target int) (*wire.Tx, []wire.TxOut) {
	cb := h.nextCoinbase()
	prev := []wire.TxOut{cb.Out}
	tx := h.g.SpendTx([]*chaingen.SpendableOut{cb}, 1, 0)
	padTx(tx, target)
	h.resign(tx, prev)
	return tx, prev
}

// fillBlock returns spends that make the next block's weight fall in
// (target-4, target].
func (h *harness) fillBlock(target int) []*wire.Tx {
	cbWeight := h.g.Coinbase(h.g.Tip.Height+1, 0, nil).Weight()
	remaining := target - cbWeight - 4*(wire.HeaderSize+1) // fewer than 253 txs
	var txs []*wire.Tx
	const minTx = 2000
	for remaining >= minTx {
		w := min(remaining, consensus.MaxTxWeight)
		if left := remaining - w; left > 0 && left < minTx {
			w -= minTx // leave room for a last transaction of sensible size
		}
		tx, _ := h.sizedSpend(w)
		txs = append(txs, tx)
		remaining -= tx.Weight()
	}
	return txs
}

// policySpends pays to a 2-of-3 policy lock and spends it with two of the
// keys; wrong signatures and a wrong policy reveal are rejected.
func (h *harness) policySpends(t *testing.T) {
	keys := []*chaingenKey{newKey("cosigner-a"), newKey("cosigner-b"), newKey("cosigner-c")}
	pol := policy.NewThresh(2, policy.NewKey(keys[0].x), policy.NewKey(keys[1].x), policy.NewKey(keys[2].x))
	lock := wire.PolicyLock(pol.Hash())

	cb := h.nextCoinbase()
	fund := h.g.SpendTx([]*chaingen.SpendableOut{cb}, 1, 0)
	fund.TxOut[0].Lock = lock
	h.resign(fund, []wire.TxOut{cb.Out})
	h.accept(h.block([]*wire.Tx{fund}, chaingen.BlockOpts{}))
	out := chaingen.Outputs(fund, h.c.Tip.Height)

	spend := func(ring *policy.KeyRing, reveal *policy.Node) *wire.Tx {
		tx := &wire.Tx{Version: 2,
			TxIn:  []wire.TxIn{{PrevOut: out[0].OutPoint, Sequence: 0xffffffff}},
			TxOut: []wire.TxOut{{Value: out[0].Out.Value, Lock: chaingen.KeyLock(h.g.Key)}}}
		prev := []wire.TxOut{out[0].Out}
		hash, err := sighash.Hash(tx, 0, prev, sighash.NewCache(tx, prev))
		if err != nil {
			t.Fatal(err)
		}
		env := policy.SpendEnv{SigHash: hash, TxVersion: tx.Version, LockTime: tx.LockTime, Sequence: tx.TxIn[0].Sequence}
		sat, err := policy.Satisfy(reveal, ring, &env)
		if err != nil {
			t.Fatal(err)
		}
		tx.TxIn[0].Witness = [][]byte{reveal.Encode(), sat}
		return tx
	}
	// A signature by a key outside the policy.
	bad := spend(policy.NewKeyRing(keys[0].priv, keys[2].priv), pol)
	bad.TxIn[0].Witness[1][len(bad.TxIn[0].Witness[1])-1] ^= 1
	if err := h.c.ProcessBlock(h.block([]*wire.Tx{bad}, chaingen.BlockOpts{})); !errors.Is(err, consensus.ErrBadSpend) || !errors.Is(err, policy.ErrBadSignature) {
		t.Fatalf("corrupted signature: %v", err)
	}
	h.g.Rewind(h.c.Tip)
	// Revealing a different policy (1-of-1 of key a) does not match the lock.
	other := policy.NewThresh(1, policy.NewKey(keys[0].x))
	wrong := spend(policy.NewKeyRing(keys[0].priv), other)
	if err := h.c.ProcessBlock(h.block([]*wire.Tx{wrong}, chaingen.BlockOpts{})); !errors.Is(err, policy.ErrPolicyHashMismatch) {
		t.Fatalf("wrong policy: %v", err)
	}
	h.g.Rewind(h.c.Tip)
	// Keys a and c together satisfy it.
	h.accept(h.block([]*wire.Tx{spend(policy.NewKeyRing(keys[0].priv, keys[2].priv), pol)}, chaingen.BlockOpts{}))
}

type chaingenKey struct {
	priv *btcec.PrivateKey
	x    [32]byte
}

func newKey(seed string) *chaingenKey {
	k := chaingen.KeyFromSeed(seed)
	return &chaingenKey{priv: k, x: chaingen.XOnly(k)}
}

// TestSigCheckLimit exercises the block signature-check budget at the
// sanity stage, where it is enforced before any signature is verified: a
// block needing exactly MaxBlockSigChecks passes sanity, one more fails.
func TestSigCheckLimit(t *testing.T) {
	p := params.Regtest()
	g := chaingen.NewGenerator(p, "sigchecks")
	const n = 100
	ring := policy.NewKeyRing()
	var children []*policy.Node
	for i := range n {
		children = append(children, policy.NewKey(ring.AddKey(chaingen.KeyFromSeed(string(rune('A'+i))))))
	}
	pol := policy.NewThresh(n, children...).Encode()
	sat := make([]byte, (n+7)/8+64*n)
	for i := range n {
		sat[i/8] |= 1 << (i % 8)
	}
	var txs []*wire.Tx
	fake := 0
	addTx := func(inputs int, witness [][]byte) {
		tx := &wire.Tx{Version: 2, TxOut: []wire.TxOut{{Lock: chaingen.KeyLock(g.Key)}}}
		for range inputs {
			fake++
			tx.TxIn = append(tx.TxIn, wire.TxIn{PrevOut: wire.OutPoint{Hash: [32]byte{byte(fake), byte(fake >> 8)}}, Witness: witness})
		}
		txs = append(txs, tx)
	}
	for range consensus.MaxBlockSigChecks / n / 40 {
		addTx(40, [][]byte{pol, sat})
	}
	if got := policy.CountSigChecks([][]byte{pol, sat}); got != n {
		t.Fatalf("CountSigChecks = %d, want %d", got, n)
	}
	tip := g.Tip
	b := g.NextBlock(txs, chaingen.BlockOpts{})
	if err := consensus.CheckBlockSanity(consensus.NewBlock(b), p); err != nil {
		t.Fatalf("block at the limit: %v", err)
	}
	g.Rewind(tip)
	addTx(1, [][]byte{make([]byte, 64)})
	b = g.NextBlock(txs, chaingen.BlockOpts{})
	if err := consensus.CheckBlockSanity(consensus.NewBlock(b), p); !errors.Is(err, consensus.ErrTooManySigChecks) {
		t.Fatalf("block over the limit: %v", err)
	}
}

// TestAssetConservation checks per-asset value conservation against a UTXO
// view holding an issued asset (issuance itself arrives with the asset rules).
func TestAssetConservation(t *testing.T) {
	p := params.Regtest()
	asset := wire.AssetID{0xab}
	lock := wire.KeyLock([32]byte{1})
	utxos := chaingen.MemUtxos{
		{Hash: [32]byte{1}}: {Out: wire.TxOut{Asset: asset, Value: 6, Lock: lock}, Height: 1},
		{Hash: [32]byte{2}}: {Out: wire.TxOut{Value: 1000, Lock: lock}, Height: 1},
	}
	ins := []wire.TxIn{{PrevOut: wire.OutPoint{Hash: [32]byte{1}}}, {PrevOut: wire.OutPoint{Hash: [32]byte{2}}}}
	cases := []struct {
		name string
		outs []wire.TxOut
		want error
		fee  int64
	}{
		{"outputs below inputs", []wire.TxOut{{Asset: asset, Value: 5, Lock: lock}, {Value: 1000, Lock: lock}}, consensus.ErrAssetNotConserved, 0},
		{"outputs above inputs", []wire.TxOut{{Asset: asset, Value: 7, Lock: lock}, {Value: 1000, Lock: lock}}, consensus.ErrAssetNotConserved, 0},
		{"asset from nowhere", []wire.TxOut{{Asset: asset, Value: 6, Lock: lock}, {Asset: wire.AssetID{0xcd}, Value: 1, Lock: lock}, {Value: 1000, Lock: lock}}, consensus.ErrAssetNotConserved, 0},
		{"asset dropped", []wire.TxOut{{Value: 1000, Lock: lock}}, consensus.ErrAssetNotConserved, 0},
		{"asset fee is not allowed", []wire.TxOut{{Asset: asset, Value: 5, Lock: lock}, {Value: 1001, Lock: lock}}, consensus.ErrAssetNotConserved, 0},
		{"burn balances", []wire.TxOut{{Asset: asset, Value: 5, Lock: lock}, {Asset: asset, Value: 1, Lock: wire.BurnLock([]byte("redeem"))}, {Value: 990, Lock: lock}}, nil, 10},
		{"exact", []wire.TxOut{{Asset: asset, Value: 6, Lock: lock}, {Value: 1000, Lock: lock}}, nil, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tx := &wire.Tx{Version: 2, TxIn: ins, TxOut: c.outs}
			view := consensus.NewUtxoView(utxos)
			res, err := consensus.CheckTxInputs(tx, 10, 0, view, p, func(int32) uint32 { return 0 })
			if !errors.Is(err, c.want) || (c.want == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if err == nil && res.Fee != c.fee {
				t.Fatalf("fee %d, want %d", res.Fee, c.fee)
			}
		})
	}
}

// TestASERTPositional checks the difficulty rule on a retargeting network:
// a parent on schedule keeps the genesis target, one a half-life ahead of
// schedule halves it, and a header with any other bits is rejected.
func TestASERTPositional(t *testing.T) {
	p := params.Testnet()
	g := p.GenesisBlock.Header
	onSchedule := consensus.HeaderInfo{Height: 10, Timestamp: g.Timestamp + 10*uint32(p.TargetSpacing), Bits: g.Bits}
	if got := consensus.NextRequiredBits(p, &onSchedule); got != g.Bits {
		t.Fatalf("on schedule: bits %08x, want genesis %08x", got, g.Bits)
	}
	behind := onSchedule // "behind" the clock: blocks came too fast
	behind.Timestamp -= uint32(p.ASERTHalfLife)
	bits := consensus.NextRequiredBits(p, &behind)
	want, _, _ := pow.CompactToBig(g.Bits)
	want.Div(want, big.NewInt(2))
	got, _, _ := pow.CompactToBig(bits)
	if pow.BigToCompact(want) != bits {
		t.Fatalf("a half-life ahead: target %x, want %x", got, want)
	}
	hdr := wire.BlockHeader{Version: 1, PrevBlock: behind.Hash, Timestamp: behind.Timestamp + 1, Bits: bits}
	if err := consensus.CheckHeaderPositional(&hdr, &behind, p, int64(hdr.Timestamp)); err != nil {
		t.Fatalf("required bits rejected: %v", err)
	}
	hdr.Bits = g.Bits
	if err := consensus.CheckHeaderPositional(&hdr, &behind, p, int64(hdr.Timestamp)); !errors.Is(err, consensus.ErrUnexpectedDifficulty) {
		t.Fatalf("stale bits: %v", err)
	}
}
