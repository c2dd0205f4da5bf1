package pow

import (
	"math/big"
	"testing"

	"github.com/ballast-chain/ballast/internal/chainhash"
)

// Sinks keep the compiler from discarding benchmarked calls.
var (
	sinkBig  *big.Int
	sinkBits uint32
	sinkBool bool
	sinkErr  error
)

func BenchmarkCompactToBig(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkBig, _, _ = CompactToBig(0x1b00a5a6)
	}
}

func BenchmarkBigToCompact(b *testing.B) {
	n, _, _ := CompactToBig(0x1b00a5a6)
	b.ReportAllocs()
	for b.Loop() {
		sinkBits = BigToCompact(n)
	}
}

func BenchmarkTargetBytes(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		t, _ := TargetBytes(0x1b00a5a6)
		sinkBool = t[0] == 0
	}
}

func BenchmarkCalcWork(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkBig = CalcWork(0x1b00a5a6)
	}
}

func BenchmarkCheckProofOfWork(b *testing.B) {
	powLimit := mustHex(b, bitcoinPowLimit)
	genesis, _ := chainhash.NewHashFromStr("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f")
	b.ReportAllocs()
	for b.Loop() {
		sinkErr = CheckProofOfWork(genesis, 0x1d00ffff, powLimit)
	}
}

// BenchmarkHashMeetsTarget is the miner's case: a different hash each time,
// nearly always decided by the most significant limb.
func BenchmarkHashMeetsTarget(b *testing.B) {
	target, _ := TargetBytes(0x1b00a5a6)
	var hashes [256]chainhash.Hash
	for i := range hashes {
		hashes[i] = chainhash.DoubleSHA256([]byte{byte(i)})
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		sinkBool = HashMeetsTarget(&hashes[i&255], &target)
		i++
	}
}

// BenchmarkHashMeetsTargetWorst compares all four limbs.
func BenchmarkHashMeetsTargetWorst(b *testing.B) {
	target, _ := TargetBytes(0x1b00a5a6)
	h := chainhash.Hash(target)
	b.ReportAllocs()
	for b.Loop() {
		sinkBool = HashMeetsTarget(&h, &target)
	}
}

func BenchmarkCalcASERTBits(b *testing.B) {
	powLimit := mustHex(b, bitcoinPowLimit)
	b.ReportAllocs()
	for b.Loop() {
		sinkBits = CalcASERTBits(powLimit, 300, 43200, 0x1b00a5a6, 288, 86342)
	}
}

func BenchmarkMedianTime(b *testing.B) {
	ts := []uint32{11, 3, 9, 1, 7, 5, 10, 2, 8, 4, 6}
	b.ReportAllocs()
	for b.Loop() {
		sinkBits = MedianTime(ts)
	}
}
