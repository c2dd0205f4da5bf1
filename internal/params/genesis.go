package params

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/merkle"
	"github.com/ballast-chain/ballast/internal/wire"
)

// MaxGenesisMessageLen is the longest genesis message: the coinbase data
// holds at most wire.MaxCoinbaseDataSize bytes, of which the height takes 4.
const MaxGenesisMessageLen = wire.MaxCoinbaseDataSize - wire.CoinbaseHeightSize

// GenesisSpec is everything that varies between genesis blocks; the rest of
// the block is fixed (see NewGenesisBlock).
type GenesisSpec struct {
	// Version is the header version. The built-in networks use 1.
	Version int32
	// Timestamp is the header time, seconds since the Unix epoch.
	Timestamp uint32
	// Bits is the header's compact target; a network's genesis uses its
	// PowLimitBits.
	Bits uint32
	// Nonce is the header nonce that makes the hash meet the target: the
	// lowest such nonce, as MineGenesis finds it, so anyone can reproduce it.
	Nonce uint32
	// Message follows the height in the coinbase data, at most
	// MaxGenesisMessageLen bytes of UTF-8 text. Quoting a newspaper headline
	// of the launch day, as Bitcoin did, shows nothing was mined before.
	Message string
}

// genesisTx returns the coinbase of a genesis block carrying message:
// version 1, one input spending the null outpoint with coinbase data
// height 0 ‖ message, sequence 0xffffffff and the 32-byte zero witness
// reserved value, and one output, the zero-value native burn carrying the
// witness commitment. It pays no subsidy: the genesis coinbase is not
// spendable in Bitcoin either, and a single commitment output keeps the
// block minimal.
func genesisTx(message string) *wire.Tx {
	// The witness root of a coinbase-only block is the root of the single
	// leaf standing for the coinbase's wtxid, which is taken as zero.
	witnessRoot, _ := merkle.Root([]chainhash.Hash{{}})
	var reserved [32]byte // the witness reserved value: all zero
	commitment := wire.WitnessCommitment(witnessRoot, reserved[:])
	return &wire.Tx{
		Version: 1,
		TxIn: []wire.TxIn{{
			PrevOut:      wire.NullOutPoint,
			CoinbaseData: wire.NewCoinbaseData(0, nil, []byte(message)),
			Sequence:     0xffffffff,
			Witness:      [][]byte{reserved[:]},
		}},
		TxOut: []wire.TxOut{wire.WitnessCommitmentOutput(commitment)},
	}
}

// NewGenesisBlock builds the genesis block g describes: the coinbase of
// genesisTx(g.Message) alone, under a header with g's version,
// timestamp, bits and nonce, a zero previous hash and the merkle root of
// the coinbase txid. It does not check g (Validate does); a message longer
// than MaxGenesisMessageLen gives a block no node accepts.
func NewGenesisBlock(g GenesisSpec) *wire.Block {
	tx := genesisTx(g.Message)
	root, _ := merkle.Root([]chainhash.Hash{tx.TxHash()})
	return &wire.Block{
		Header: wire.BlockHeader{
			Version:    g.Version,
			MerkleRoot: root,
			Timestamp:  g.Timestamp,
			Bits:       g.Bits,
			Nonce:      g.Nonce,
		},
		Transactions: []*wire.Tx{tx},
	}
}

// checkGenesisPoW reports whether the block g describes (with its nonce)
// has a hash at or below the target of g.Bits, and returns that hash.
func checkGenesisPoW(g GenesisSpec) (chainhash.Hash, error) {
	hash := NewGenesisBlock(g).BlockHash()
	target, why := compactToTarget(g.Bits)
	if why != "" {
		return hash, ruleErr(ErrInvalidField, "genesis bits %08x %s", g.Bits, why)
	}
	tb := targetBytes(target)
	if !hashMeetsTarget(&hash, &tb) {
		return hash, ruleErr(ErrGenesisPoW, "genesis hash %s is above the target of bits %08x (nonce %d)", hash, g.Bits, g.Nonce)
	}
	return hash, nil
}

// MineGenesis returns the lowest nonce that gives the block g describes
// (g.Nonce is ignored) a hash at or below the target of g.Bits, and that
// hash. The answer depends on g alone, so anyone can re-derive it. When no
// nonce works it returns ErrNonceExhausted: change the timestamp and mine
// again.
func MineGenesis(g GenesisSpec) (nonce uint32, hash chainhash.Hash, err error) {
	return MineGenesisContext(context.Background(), g, nil)
}

// Mining splits the nonce space into chunks handed out in increasing order.
const (
	mineChunk = 1 << 16
	// ProgressInterval is how many nonces MineGenesisContext searches
	// between progress calls.
	ProgressInterval = 1 << 24
)

// MineGenesisContext is MineGenesis on every CPU, stopping with ctx's error
// when ctx is done. When progress is not nil it is called, never
// concurrently, each time another ProgressInterval nonces have been searched.
//
// The search is parallel but its answer is the sequential one: chunks are
// taken in increasing order, a worker stops at its chunk's first hit, no
// chunk below the best hit is abandoned, and the lowest hit wins.
func MineGenesisContext(ctx context.Context, g GenesisSpec, progress func(searched uint64)) (uint32, chainhash.Hash, error) {
	return mine(ctx, g, 1<<32, ProgressInterval, progress)
}

// mine searches nonces below space (a multiple of mineChunk, at most 2^32)
// and calls progress every `every` nonces (a multiple of mineChunk); tests
// shrink both.
func mine(ctx context.Context, g GenesisSpec, space, every uint64, progress func(uint64)) (uint32, chainhash.Hash, error) {
	target, why := compactToTarget(g.Bits)
	if why != "" {
		return 0, chainhash.Hash{}, ruleErr(ErrInvalidField, "genesis bits %08x %s", g.Bits, why)
	}
	tb := targetBytes(target)
	g.Nonce = 0
	header := NewGenesisBlock(g).Header.Serialize()

	chunks := int64(space / mineChunk)
	var (
		next     atomic.Int64 // next chunk to hand out
		best     atomic.Int64 // lowest winning nonce so far; 1<<32 for none
		mu       sync.Mutex   // serializes progress
		searched uint64
		wg       sync.WaitGroup
	)
	best.Store(1 << 32)
	worker := func() {
		defer wg.Done()
		buf := header
		for ctx.Err() == nil {
			c := next.Add(1) - 1
			first := c * mineChunk
			if c >= chunks || first > best.Load() {
				return
			}
			for n := first; n < first+mineChunk; n++ {
				binary.LittleEndian.PutUint32(buf[76:], uint32(n))
				h := chainhash.Hash(sha256.Sum256(buf[:]))
				h = sha256.Sum256(h[:])
				if hashMeetsTarget(&h, &tb) {
					for {
						cur := best.Load()
						if n >= cur || best.CompareAndSwap(cur, n) {
							break
						}
					}
					break
				}
			}
			if progress != nil {
				mu.Lock()
				searched += mineChunk
				if searched%every == 0 {
					progress(searched)
				}
				mu.Unlock()
			}
		}
	}
	workers := runtime.GOMAXPROCS(0)
	wg.Add(workers)
	for range workers {
		go worker()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return 0, chainhash.Hash{}, err
	}
	n := best.Load()
	if n == 1<<32 {
		return 0, chainhash.Hash{}, ruleErr(ErrNonceExhausted,
			"none of %d nonces gives a hash at or below the target of bits %08x at timestamp %d; change the timestamp and mine again",
			space, g.Bits, g.Timestamp)
	}
	g.Nonce = uint32(n)
	return g.Nonce, NewGenesisBlock(g).BlockHash(), nil
}
