package params

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"testing"

	"github.com/ballast-chain/ballast/internal/chainhash"
)

func TestCompactToTarget(t *testing.T) {
	tests := []struct {
		bits uint32
		want string // hex target, "" for rejected
	}{
		{0x1d00ffff, "ffff0000000000000000000000000000000000000000000000000000"},
		{0x1e00ffff, "ffff000000000000000000000000000000000000000000000000000000"},
		{0x207fffff, "7fffff0000000000000000000000000000000000000000000000000000000000"},
		{0x03123456, "123456"},
		{0x02123456, "1234"},
		{0x01123456, "12"},
		{0x04123456, "12345600"},
		{0x00000000, ""},
		{0x03000000, ""},
		{0x01003456, ""}, // mantissa shifted out: zero
		{0x04923456, ""}, // sign bit
		{0x22000100, ""}, // 2^256
		{0x21010000, ""}, // 2^256
		{0x2100ffff, "ffff" + fmt.Sprintf("%060x", 0)}, // 2^256 - 2^240, the largest
		{0xff123456, ""},
	}
	for _, tt := range tests {
		got, why := compactToTarget(tt.bits)
		if tt.want == "" {
			if why == "" {
				t.Errorf("%08x: accepted as %x", tt.bits, got)
			}
			continue
		}
		if why != "" || fmt.Sprintf("%x", got) != tt.want {
			t.Errorf("%08x: %x (%s), want %s", tt.bits, got, why, tt.want)
		}
	}
}

func TestTargetToCompact(t *testing.T) {
	for _, bits := range []uint32{0x1d00ffff, 0x1e00ffff, 0x1f00ffff, 0x207fffff, 0x03123456, 0x02123400, 0x01120000, 0x05009234, 0x2100ffff} {
		tgt, why := compactToTarget(bits)
		if why != "" {
			t.Fatalf("%08x: %s", bits, why)
		}
		if got := targetToCompact(tgt); got != bits {
			t.Errorf("%08x -> %x -> %08x", bits, tgt, got)
		}
	}
	// Non-normal encodings of the same value.
	for bits, norm := range map[uint32]uint32{0x04000001: 0x02010000, 0x1d0000ff: 0x1c00ff00, 0x01120000: 0x01120000} {
		tgt, _ := compactToTarget(bits)
		if got := targetToCompact(tgt); got != norm {
			t.Errorf("%08x normalizes to %08x, want %08x", bits, got, norm)
		}
	}
}

func TestHashMeetsTarget(t *testing.T) {
	target := big.NewInt(0x1234)
	tb := targetBytes(target)
	for _, v := range []int64{0, 1, 0x1233, 0x1234, 0x1235, 0x10000} {
		var h chainhash.Hash
		binary.LittleEndian.PutUint64(h[:], uint64(v))
		if got, want := hashMeetsTarget(&h, &tb), v <= 0x1234; got != want {
			t.Errorf("%#x: %v, want %v", v, got, want)
		}
	}
	var top chainhash.Hash
	top[31] = 1 // 2^248, far above
	if hashMeetsTarget(&top, &tb) {
		t.Error("high byte ignored")
	}
}

// sequentialMine is the obvious search that MineGenesis must agree with.
func sequentialMine(g GenesisSpec, space uint64) (uint32, bool) {
	target, _ := compactToTarget(g.Bits)
	g.Nonce = 0
	hdr := NewGenesisBlock(g).Header.Serialize()
	for n := uint64(0); n < space; n++ {
		binary.LittleEndian.PutUint32(hdr[76:], uint32(n))
		first := sha256.Sum256(hdr[:])
		h := chainhash.Hash(sha256.Sum256(first[:]))
		if hashValue(h).Cmp(target) <= 0 {
			return uint32(n), true
		}
	}
	return 0, false
}

func TestMineMatchesSequential(t *testing.T) {
	for i := range 4 {
		g := GenesisSpec{Version: 1, Timestamp: 1767225600 + uint32(i), Bits: 0x1f00ffff, Message: "deterministic"}
		want, ok := sequentialMine(g, 1<<19)
		nonce, hash, err := mine(context.Background(), g, 1<<19, 1<<16, nil)
		if !ok {
			if !errors.Is(err, ErrNonceExhausted) {
				t.Errorf("case %d: %v, want ErrNonceExhausted", i, err)
			}
			continue
		}
		g.Nonce = want
		if err != nil || nonce != want || hash != NewGenesisBlock(g).BlockHash() {
			t.Errorf("case %d: mine = %d, %s, %v; sequential %d", i, nonce, hash, err, want)
		}
	}
}

func TestMineExhausted(t *testing.T) {
	// Target 1: no nonce among the first 2^18 will do.
	g := GenesisSpec{Version: 1, Timestamp: 1, Bits: 0x03000001}
	_, _, err := mine(context.Background(), g, 1<<18, 1<<16, nil)
	if !errors.Is(err, ErrNonceExhausted) {
		t.Fatalf("got %v, want ErrNonceExhausted", err)
	}
}

func TestMineProgressAndCancel(t *testing.T) {
	g := GenesisSpec{Version: 1, Timestamp: 1, Bits: 0x03000001}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls []uint64
	_, _, err := mine(ctx, g, 1<<32, 1<<17, func(n uint64) {
		calls = append(calls, n)
		if len(calls) == 3 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	for i, n := range calls[:3] {
		if n != uint64(i+1)<<17 {
			t.Fatalf("progress calls %v", calls)
		}
	}
}

func TestMineBadBits(t *testing.T) {
	for _, bits := range []uint32{0, 0x04923456, 0x22000100} {
		if _, _, err := MineGenesis(GenesisSpec{Bits: bits}); !errors.Is(err, ErrInvalidField) {
			t.Errorf("%08x: %v, want ErrInvalidField", bits, err)
		}
	}
}

func TestGenesisMessageLimit(t *testing.T) {
	// The longest message fills the coinbase data exactly.
	msg := make([]byte, MaxGenesisMessageLen)
	for i := range msg {
		msg[i] = 'a'
	}
	blk := NewGenesisBlock(GenesisSpec{Version: 1, Bits: 0x207fffff, Message: string(msg)})
	if n := len(blk.Transactions[0].TxIn[0].CoinbaseData); n != 100 {
		t.Fatalf("coinbase data %d bytes", n)
	}
}

func BenchmarkMineGenesis(b *testing.B) {
	g := GenesisSpec{Version: 1, Timestamp: 1, Bits: 0x03000001}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := mine(context.Background(), g, 1<<18, 1<<16, nil); !errors.Is(err, ErrNonceExhausted) {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(1<<18)*float64(b.N)/b.Elapsed().Seconds(), "hashes/s")
}
