package params

import (
	"bytes"
	"errors"
	"math/big"
	"testing"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/merkle"
	"github.com/ballast-chain/ballast/internal/wire"
)

// builtinGenesis is what the built-in genesis blocks must be, written out
// independently of networks.go.
var builtinGenesis = []struct {
	name  string
	bits  uint32
	nonce uint32
	hash  string
}{
	{"mainnet", 0x1e00ffff, 4451343, "0000006565938c6cb10a34fa00a0366e2ac541b48a6a9f81ab5fb31c66005c12"},
	{"testnet", 0x1f00ffff, 46222, "0000d508109d917cc5c891be084eac07900c3ca8384b270e5c97025478edb03c"},
	{"regtest", 0x207fffff, 0, "4e2eb180092ac06175d5bc41a0cb015409ea6ea0fec5cf4bf8e0c5da0b7d8c65"},
}

// hashValue reads a block hash as Bitcoin does: a little-endian number.
func hashValue(h chainhash.Hash) *big.Int {
	var be [32]byte
	for i := range h {
		be[i] = h[31-i]
	}
	return new(big.Int).SetBytes(be[:])
}

func TestBuiltinGenesis(t *testing.T) {
	for _, want := range builtinGenesis {
		t.Run(want.name, func(t *testing.T) {
			p, err := ByName(want.name)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			// Re-derive the block from the spec alone.
			blk := NewGenesisBlock(GenesisSpec{
				Version:   1,
				Timestamp: 1767225600,
				Bits:      want.bits,
				Nonce:     want.nonce,
				Message:   "Ballast " + want.name + " genesis: goods-backed money, verifiable reserves",
			})
			hash := blk.BlockHash()
			if hash.String() != want.hash || p.GenesisHash != hash {
				t.Fatalf("genesis hash %s, params say %s, want %s", hash, p.GenesisHash, want.hash)
			}
			if !bytes.Equal(blk.Bytes(), p.GenesisBlock.Bytes()) {
				t.Fatal("params' genesis block differs from the re-derived one")
			}
			// Proof of work, computed here with math/big only.
			if hashValue(hash).Cmp(p.PowLimit) > 0 {
				t.Fatalf("hash %s above the limit %x", hash, p.PowLimit)
			}
			if blk.Header.Bits != p.PowLimitBits || blk.Header.Version != 1 || !blk.Header.PrevBlock.IsZero() {
				t.Fatalf("header %+v", blk.Header)
			}
			checkGenesisShape(t, blk)
		})
	}
}

// checkGenesisShape checks the block against the rules a node applies to
// any block: it decodes to itself, its merkle root and witness commitment
// are right, and its coinbase commits to height 0.
func checkGenesisShape(t *testing.T, blk *wire.Block) {
	t.Helper()
	enc := blk.Bytes()
	dec, err := wire.DecodeBlock(enc)
	if err != nil {
		t.Fatalf("DecodeBlock: %v", err)
	}
	if !bytes.Equal(dec.Bytes(), enc) {
		t.Fatal("decode/encode changes the block")
	}
	if len(blk.Transactions) != 1 {
		t.Fatalf("%d transactions", len(blk.Transactions))
	}
	cb := blk.Transactions[0]
	if !cb.IsCoinBase() || cb.Version != 1 || cb.TxIn[0].Sequence != 0xffffffff || cb.LockTime != 0 {
		t.Fatalf("coinbase %+v", cb)
	}
	if h, ok := wire.CoinbaseHeight(cb); !ok || h != 0 {
		t.Fatalf("coinbase height %d, %v", h, ok)
	}
	root, mutated := merkle.Root([]chainhash.Hash{cb.TxHash()})
	if mutated || root != blk.Header.MerkleRoot {
		t.Fatalf("merkle root %s, header has %s", root, blk.Header.MerkleRoot)
	}
	if len(cb.TxOut) != 1 || wire.FindWitnessCommitment(cb) != 0 || cb.TxOut[0].Value != 0 {
		t.Fatalf("outputs %+v", cb.TxOut)
	}
	w := cb.TxIn[0].Witness
	if len(w) != 1 || !bytes.Equal(w[0], make([]byte, 32)) {
		t.Fatalf("witness %x", w)
	}
	// The commitment is double SHA-256 of the zero witness root and the
	// zero reserved value: 64 zero bytes.
	c := chainhash.DoubleSHA256(make([]byte, 64))
	if !bytes.Equal(cb.TxOut[0].Lock.Data[4:], c[:]) {
		t.Fatalf("commitment %x, want %x", cb.TxOut[0].Lock.Data[4:], c)
	}
}

// TestGenesisLowestNonce re-mines the genesis blocks: the hard-coded nonce
// must be the lowest that works, which is what makes them reproducible.
// Mainnet takes about 4.5 million hashes; -short and -race skip it.
func TestGenesisLowestNonce(t *testing.T) {
	for _, want := range builtinGenesis {
		if want.name == "mainnet" && (testing.Short() || raceEnabled) {
			t.Logf("mainnet skipped (-short or -race); plain go test re-mines it")
			continue
		}
		p, _ := ByName(want.name)
		nonce, hash, err := MineGenesis(p.Genesis)
		if err != nil || nonce != want.nonce || hash.String() != want.hash {
			t.Errorf("%s: MineGenesis = %d, %s, %v; want %d, %s", want.name, nonce, hash, err, want.nonce, want.hash)
		}
	}
}

func TestByName(t *testing.T) {
	for _, n := range []string{"mainnet", "testnet", "regtest"} {
		p, err := ByName(n)
		if err != nil || p.Name != n {
			t.Errorf("ByName(%q) = %v, %v", n, p, err)
		}
	}
	for _, n := range []string{"", "main", "Mainnet", "signet"} {
		if _, err := ByName(n); !errors.Is(err, ErrUnknownNetwork) {
			t.Errorf("ByName(%q) = %v, want ErrUnknownNetwork", n, err)
		}
	}
}

func TestFreshCopies(t *testing.T) {
	a, b := Mainnet(), Mainnet()
	a.PowLimit.SetInt64(1)
	a.GenesisBlock.Header.Nonce++
	a.SeedAddrs = append(a.SeedAddrs, "x:1")
	if b.PowLimit.Cmp(big.NewInt(1)) == 0 || b.GenesisBlock.BlockHash() != b.GenesisHash || len(b.SeedAddrs) != 0 {
		t.Fatal("changing one Mainnet() changed another")
	}
	if err := Mainnet().Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestBuiltinConstants pins the table in docs/protocol.md §8.1.
func TestBuiltinConstants(t *testing.T) {
	type row struct {
		magic             [4]byte
		hrp               string
		port, rpc         uint16
		bits              uint32
		noRetarget        bool
		spacing, halfLife int64
		subsidy, maxMoney int64
		halving, maturity int32
	}
	want := map[string]row{
		"mainnet": {[4]byte{0xf8, 0xb4, 0xa1, 0xd5}, "bal", 7633, 7632, 0x1e00ffff, false, 600, 172800, 5e9, 21e14, 210000, 100},
		"testnet": {[4]byte{0xfb, 0xc4, 0xe5, 0xa3}, "tbal", 17633, 17632, 0x1f00ffff, false, 600, 3600, 5e9, 21e14, 210000, 100},
		"regtest": {[4]byte{0xfe, 0xb7, 0xd2, 0xc9}, "rbal", 17733, 17732, 0x207fffff, true, 600, 3600, 5e9, 21e14, 150, 100},
	}
	for name, w := range want {
		p, _ := ByName(name)
		got := row{p.Magic, p.Bech32HRP, p.DefaultPort, p.RPCPort, p.PowLimitBits, p.PowNoRetargeting,
			p.TargetSpacing, p.ASERTHalfLife, p.InitialSubsidy, p.MaxMoney, p.SubsidyHalvingInterval, p.CoinbaseMaturity}
		if got != w {
			t.Errorf("%s: %+v, want %+v", name, got, w)
		}
	}
}

func TestMaxIssuance(t *testing.T) {
	// Bitcoin's schedule: 20,999,999.9769 BTC.
	if got := MaxIssuance(50*Coin, 210000); got.Int64() != 2_099_999_997_690_000 {
		t.Errorf("MaxIssuance = %s", got)
	}
	if got := MaxIssuance(1, 1); got.Int64() != 1 {
		t.Errorf("MaxIssuance(1, 1) = %s", got)
	}
	// Does not overflow: (2^63-1) * (2^31-1) * ~2.
	if got := MaxIssuance(1<<62, 1<<30); got.BitLen() < 93 {
		t.Errorf("MaxIssuance(2^62, 2^30) = %s", got)
	}
}
