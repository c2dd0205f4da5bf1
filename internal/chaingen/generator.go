package chaingen

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/merkle"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/pow"
	"github.com/ballast-chain/ballast/internal/sighash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// SpendableOut is an output the generator can spend.
type SpendableOut struct {
	OutPoint wire.OutPoint
	Out      wire.TxOut
	Height   int32
	Coinbase bool
}

// Generator produces blocks extending its own tip. It does not validate; feed
// its blocks to a Chain (or a node) to find out what they are worth.
type Generator struct {
	Params *params.Params
	// Key receives coinbase outputs and change; it signs key-lock spends.
	Key *btcec.PrivateKey
	// Tip is the header info of the block the next block extends.
	Tip   consensus.HeaderInfo
	times []uint32 // timestamps by height, for median time past
	// Coinbases are the coinbase outputs of the generated chain, by height.
	Coinbases []*SpendableOut
	extra     uint32 // makes otherwise identical coinbases distinct
}

// NewGenerator returns a generator starting at p's genesis block, with a
// deterministic key derived from seed.
func NewGenerator(p *params.Params, seed string) *Generator {
	return &Generator{
		Params:    p,
		Key:       KeyFromSeed(seed),
		Tip:       consensus.GenesisInfo(p),
		times:     []uint32{p.GenesisBlock.Header.Timestamp},
		Coinbases: []*SpendableOut{nil},
	}
}

// KeyFromSeed derives a private key deterministically from a string, for
// reproducible tests.
func KeyFromSeed(seed string) *btcec.PrivateKey {
	h := chainhash.TaggedHash("Ballast/test-key", []byte(seed))
	k, _ := btcec.PrivKeyFromBytes(h[:])
	return k
}

// XOnly returns a key's BIP340 x-only public key.
func XOnly(k *btcec.PrivateKey) [32]byte {
	var x [32]byte
	copy(x[:], schnorr.SerializePubKey(k.PubKey()))
	return x
}

// KeyLock returns the lock paying to k.
func KeyLock(k *btcec.PrivateKey) wire.Lock { return wire.KeyLock(XOnly(k)) }

// MedianTime returns the median time past of the block at height.
func (g *Generator) MedianTime(height int32) uint32 {
	lo := max(int(height)-pow.MedianTimeBlocks+1, 0)
	return pow.MedianTime(g.times[lo : height+1])
}

// Coinbase builds a coinbase for height paying value to the generator's key,
// with the witness commitment for the given other transactions.
func (g *Generator) Coinbase(height int32, value int64, others []*wire.Tx) *wire.Tx {
	g.extra++
	var extranonce [8]byte
	binary.LittleEndian.PutUint32(extranonce[:], g.extra)
	cb := &wire.Tx{
		Version: 1,
		TxIn: []wire.TxIn{{
			PrevOut:      wire.NullOutPoint,
			CoinbaseData: wire.NewCoinbaseData(uint32(height), extranonce[:], []byte("/chaingen/")),
			Sequence:     math.MaxUint32,
			Witness:      [][]byte{make([]byte, 32)},
		}},
		TxOut: []wire.TxOut{{Asset: wire.NativeAsset, Value: value, Lock: KeyLock(g.Key)}},
	}
	SetWitnessCommitment(cb, others)
	return cb
}

// SetWitnessCommitment (re)writes cb's witness commitment output for a block
// whose other transactions are others.
func SetWitnessCommitment(cb *wire.Tx, others []*wire.Tx) {
	wtxids := make([]chainhash.Hash, len(others)+1)
	for i, tx := range others {
		wtxids[i+1] = tx.WitnessHash()
	}
	root, _ := merkle.Root(wtxids)
	reserved := make([]byte, 32)
	if w := cb.TxIn[0].Witness; len(w) == 1 {
		reserved = w[0] // tests may set a malformed one on purpose
	}
	out := wire.WitnessCommitmentOutput(wire.WitnessCommitment(root, reserved))
	if idx := wire.FindWitnessCommitment(cb); idx >= 0 {
		cb.TxOut[idx] = out
		return
	}
	cb.TxOut = append(cb.TxOut, out)
}

// BlockOpts adjusts a generated block before it is sealed.
type BlockOpts struct {
	// Fees are added to the coinbase value (the generator does not look
	// up inputs, so the caller says what the transactions pay).
	Fees int64
	// Timestamp overrides the default (parent + target spacing).
	Timestamp uint32
	// Munge edits the block after the coinbase and commitment are built but
	// before the merkle root is set and the proof of work solved.
	Munge func(b *wire.Block)
	// NoReseal skips recomputing the merkle root and solving after Munge
	// (to test a bad merkle root or a bad proof of work).
	NoReseal bool
}

// NextBlock builds a block extending the tip with txs, pays subsidy + fees to
// the generator's key, seals it, and makes it the new tip.
func (g *Generator) NextBlock(txs []*wire.Tx, o BlockOpts) *wire.Block {
	height := g.Tip.Height + 1
	value := pow.BlockSubsidy(height, g.Params.InitialSubsidy, g.Params.SubsidyHalvingInterval) + o.Fees
	cb := g.Coinbase(height, value, txs)
	ts := o.Timestamp
	if ts == 0 {
		ts = g.Tip.Timestamp + uint32(g.Params.TargetSpacing)
	}
	b := &wire.Block{
		Header: wire.BlockHeader{
			Version:   0x20000000,
			PrevBlock: g.Tip.Hash,
			Timestamp: ts,
			Bits:      consensus.NextRequiredBits(g.Params, &g.Tip),
		},
		Transactions: append([]*wire.Tx{cb}, txs...),
	}
	if o.Munge != nil {
		o.Munge(b)
	}
	if !o.NoReseal {
		Seal(b)
	}
	g.Accept(b)
	return b
}

// Seal sets b's merkle root and solves its proof of work.
func Seal(b *wire.Block) {
	root, _ := merkle.Root(b.TxHashes())
	b.Header.MerkleRoot = root
	Solve(&b.Header)
}

// Solve searches nonces (and then timestamps) until the header meets its
// target. Regtest needs about two tries.
func Solve(h *wire.BlockHeader) {
	target, err := pow.TargetBytes(h.Bits)
	if err != nil {
		return // invalid bits: leave unsolved for the test that wants that
	}
	for {
		for n := uint32(0); n < math.MaxUint32; n++ {
			h.Nonce = n
			hash := h.BlockHash()
			if pow.HashMeetsTarget(&hash, &target) {
				return
			}
		}
		h.Timestamp++
	}
}

// Accept makes b the generator's tip and records its coinbase as spendable.
func (g *Generator) Accept(b *wire.Block) {
	height := g.Tip.Height + 1
	g.times = append(g.times[:height], b.Header.Timestamp)
	g.Tip = consensus.HeaderInfo{
		Hash: b.BlockHash(), Height: height, Timestamp: b.Header.Timestamp,
		Bits: b.Header.Bits,
	}
	g.Tip.MedianTime = g.MedianTime(height)
	var out *SpendableOut
	if len(b.Transactions) > 0 && len(b.Transactions[0].TxOut) > 0 { // malformed blocks may lack one
		cb := b.Transactions[0]
		out = &SpendableOut{OutPoint: wire.OutPoint{Hash: cb.TxHash(), Index: 0}, Out: cb.TxOut[0], Height: height, Coinbase: true}
	}
	g.Coinbases = append(g.Coinbases[:height], out)
}

// Rewind makes the block at height the tip again (to build a sibling).
func (g *Generator) Rewind(info consensus.HeaderInfo) {
	g.Tip = info
	g.times = g.times[:info.Height+1]
	g.Coinbases = g.Coinbases[:info.Height+1]
}

// SpendTx builds a transaction spending outs to n equal key-lock outputs for
// the generator's key, paying fee, signed. It panics on impossible amounts:
// it is for tests.
func (g *Generator) SpendTx(outs []*SpendableOut, n int, fee int64) *wire.Tx {
	var total int64
	tx := &wire.Tx{Version: 2}
	prev := make([]wire.TxOut, len(outs))
	for i, o := range outs {
		tx.TxIn = append(tx.TxIn, wire.TxIn{PrevOut: o.OutPoint, Sequence: math.MaxUint32})
		prev[i] = o.Out
		total += o.Out.Value
	}
	amount := (total - fee) / int64(n)
	if amount < 0 {
		panic(fmt.Sprintf("chaingen: fee %d exceeds inputs %d", fee, total))
	}
	for i := range n {
		v := amount
		if i == 0 {
			v += total - fee - amount*int64(n) // remainder
		}
		tx.TxOut = append(tx.TxOut, wire.TxOut{Asset: wire.NativeAsset, Value: v, Lock: KeyLock(g.Key)})
	}
	SignKeySpends(tx, prev, g.Key)
	return tx
}

// SignKeySpends signs every input of tx with key (for key-lock inputs).
func SignKeySpends(tx *wire.Tx, prevOuts []wire.TxOut, key *btcec.PrivateKey) {
	cache := sighash.NewCache(tx, prevOuts)
	for i := range tx.TxIn {
		tx.TxIn[i].Witness = [][]byte{SignInput(tx, i, prevOuts, cache, key)}
	}
}

// SignInput returns key's BIP340 signature of input i's signature hash.
func SignInput(tx *wire.Tx, i int, prevOuts []wire.TxOut, cache *sighash.Cache, key *btcec.PrivateKey) []byte {
	h, err := sighash.Hash(tx, i, prevOuts, cache)
	if err != nil {
		panic(err)
	}
	sig, err := schnorr.Sign(key, h[:])
	if err != nil {
		panic(err)
	}
	return sig.Serialize()
}

// Outputs returns tx's outputs as spendable outputs at height.
func Outputs(tx *wire.Tx, height int32) []*SpendableOut {
	id := tx.TxHash()
	outs := make([]*SpendableOut, len(tx.TxOut))
	for i := range tx.TxOut {
		outs[i] = &SpendableOut{OutPoint: wire.OutPoint{Hash: id, Index: uint32(i)}, Out: tx.TxOut[i], Height: height}
	}
	return outs
}
