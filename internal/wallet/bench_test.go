package wallet

import (
	"errors"
	"testing"

	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/wire"
)

// fakeChain serves synthetic blocks (not valid blocks: the wallet does not
// validate) for benchmarks.
type fakeChain struct {
	blocks []*wire.Block
	hashes []chainhash.Hash
}

func (c *fakeChain) add(txs ...*wire.Tx) {
	var prev chainhash.Hash
	if n := len(c.hashes); n > 0 {
		prev = c.hashes[n-1]
	}
	b := &wire.Block{Header: wire.BlockHeader{PrevBlock: prev, Timestamp: uint32(1_700_000_000 + len(c.blocks))}, Transactions: txs}
	c.blocks = append(c.blocks, b)
	c.hashes = append(c.hashes, b.BlockHash())
}

func (c *fakeChain) Tip() (int32, chainhash.Hash) {
	return int32(len(c.blocks) - 1), c.hashes[len(c.hashes)-1]
}

func (c *fakeChain) BlockHash(h int32) (chainhash.Hash, error) {
	if h < 0 || int(h) >= len(c.hashes) {
		return chainhash.Hash{}, errors.New("no block")
	}
	return c.hashes[h], nil
}

func (c *fakeChain) Block(h chainhash.Hash) (*wire.Block, error) {
	for i := len(c.hashes) - 1; i >= 0; i-- {
		if c.hashes[i] == h {
			return c.blocks[i], nil
		}
	}
	return nil, errors.New("no block")
}

type fakePool struct{}

func (fakePool) Accept(*wire.Tx) error              { return nil }
func (fakePool) Has(chainhash.Hash) bool            { return false }
func (fakePool) EstimateFeeRate(int) (int64, error) { return 0, errors.New("no data") }

func coinbase(i int, lock wire.Lock) *wire.Tx {
	return &wire.Tx{Version: 2, TxIn: []wire.TxIn{{PrevOut: wire.NullOutPoint, CoinbaseData: []byte{byte(i), byte(i >> 8), 0, 0}}},
		TxOut: []wire.TxOut{{Value: 50 * params.Coin, Lock: lock}}}
}

func benchManager(b *testing.B, c *fakeChain) *Manager {
	m, err := NewManager(Config{Dir: b.TempDir(), Params: params.Regtest(), Chain: c, Mempool: fakePool{}, FallbackFee: 20_000})
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkSync10000Blocks measures a wallet catching up over 10,000
// blocks of 5 transactions each, one block in 100 paying it.
func BenchmarkSync10000Blocks(b *testing.B) {
	probe := &fakeChain{}
	probe.add(coinbase(0, wire.KeyLock([32]byte{1})))
	m := benchManager(b, probe)
	w, mn, err := m.Create("w", CreateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	var addrs []wire.Lock
	for range 100 {
		a, _ := w.NewAddress("")
		l, _ := address.Decode(a, m.cfg.Params.Bech32HRP)
		addrs = append(addrs, l)
	}
	c := &fakeChain{}
	other := wire.KeyLock([32]byte{2})
	for h := range 10_000 {
		txs := []*wire.Tx{coinbase(h, other)}
		for j := range 4 {
			lock := other
			if h%100 == 0 && j == 0 {
				lock = addrs[h/100]
			}
			txs = append(txs, &wire.Tx{Version: 2, TxIn: []wire.TxIn{{PrevOut: wire.OutPoint{Hash: chainhash.Hash{byte(h), byte(h >> 8), byte(j)}}}},
				TxOut: []wire.TxOut{{Value: 1000, Lock: lock}, {Value: 2000, Lock: other}}})
		}
		c.add(txs...)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		m2 := benchManager(b, c)
		w2, _, err := m2.Create("r", CreateOptions{Mnemonic: mn})
		if err != nil {
			b.Fatal(err)
		}
		if got := w2.Balance(wire.NativeAsset, 1); got != 100*1000 {
			b.Fatalf("iteration %d: balance %d", i, got)
		}
	}
}

// BenchmarkBuildSign100Inputs funds, signs and finalizes a payment that
// needs all of 100 coins: "warm" with the unlocked wallet's derived keys
// cached (every payment after the first), "cold" with the cache emptied
// before each payment (the first payment after walletpassphrase).
func BenchmarkBuildSign100Inputs(b *testing.B) {
	c := &fakeChain{}
	c.add(coinbase(0, wire.KeyLock([32]byte{1})))
	m := benchManager(b, c)
	w, _, err := m.Create("w", CreateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	fund := &wire.Tx{Version: 2, TxIn: []wire.TxIn{{PrevOut: wire.OutPoint{Hash: chainhash.Hash{9}}}}}
	for range 100 {
		a, _ := w.NewAddress("")
		l, _ := address.Decode(a, m.cfg.Params.Bech32HRP)
		fund.TxOut = append(fund.TxOut, wire.TxOut{Value: params.Coin, Lock: l})
	}
	c.add(fund)
	m.OnBlock(true, c.blocks[1], 1)
	dest, _ := address.Encode(m.cfg.Params.Bech32HRP, wire.KeyLock([32]byte{3}))
	pay := []Payment{{Address: dest, Value: 99 * params.Coin}}
	for _, cold := range []bool{false, true} {
		name := "warm"
		if cold {
			name = "cold"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				w.mu.Lock()
				if cold {
					w.lockKeys() // an unencrypted wallet reopens its secret at the next signature
				}
				f, err := w.fund(pay, SendOptions{})
				if err != nil {
					w.mu.Unlock()
					b.Fatal(err)
				}
				if len(f.Packet.Inputs) != 100 {
					b.Fatalf("%d inputs", len(f.Packet.Inputs))
				}
				if _, err := w.signPacket(f.Packet, true); err != nil {
					b.Fatal(err)
				}
				w.mu.Unlock()
				if done, err := f.Packet.Finalize(); !done || err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
