package miner

import (
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/pow"
	"github.com/ballast-chain/ballast/internal/stratum"
)

// testScanners is every kernel this CPU runs plus the Go reference.
func testScanners() []*scanner {
	return append(scanners(), &scanner{name: "go-reference", lanes: 1, fill: goFill})
}

// reference returns word 7 of the double SHA-256 state of hdr with nonces
// start.. (count of them), by crypto/sha256 over the whole header.
func reference(hdr [80]byte, start uint32, count int) []uint32 {
	ws := make([]uint32, count)
	for i := range ws {
		h := naive(&hdr, start+uint32(i))
		ws[i] = binary.BigEndian.Uint32(h[28:])
	}
	return ws
}

// Every kernel's word for every nonce equals crypto/sha256's, over random
// headers and across the 2^32 wrap.
func TestScannersMatchSHA256(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const perHeader = 1 << 14
	headers := 64
	if testing.Short() {
		headers = 4
	}
	for h := range headers {
		var hdr [80]byte
		for i := range hdr {
			hdr[i] = byte(r.Uint32())
		}
		start := r.Uint32()
		if h == 0 {
			start = 1<<32 - perHeader/2 // wraps
		}
		want := reference(hdr, start, perHeader)
		for _, s := range testScanners() {
			js := newJobState(&hdr)
			got := make([]uint32, perHeader)
			s.fill(js, start, got)
			if i := firstDiff(got, want); i >= 0 {
				t.Fatalf("%s: header %d nonce %d: word 7 %08x, crypto/sha256 %08x", s.name, h, start+uint32(i), got[i], want[i])
			}
		}
	}
}

func firstDiff(a, b []uint32) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// scanAll collects every nonce Scan reports in [start, start+count).
func scanAll(k *Kernel, start, count uint32, target *[32]byte) (found []uint32, hashes uint64) {
	done := uint32(0)
	for done < count {
		n, ok, h := k.Scan(start+done, count-done, target)
		hashes += h
		if !ok {
			break
		}
		found = append(found, n)
		done = n - start + 1
	}
	return found, hashes
}

// At an easy target, Scan with every kernel finds exactly the nonces
// crypto/sha256 says meet it (none missed, none extra), over a million
// nonces, including targets whose top word ties a hash's.
func TestScanFindsEveryNonce(t *testing.T) {
	var hdr [80]byte
	for i := range hdr {
		hdr[i] = byte(i * 7)
	}
	count := uint32(1 << 22)
	if testing.Short() || raceEnabled {
		count = 1 << 18
	}
	start := uint32(12345)
	hashes := make([][32]byte, count)
	for i := range hashes {
		hashes[i] = naive(&hdr, start+uint32(i))
	}
	// Targets: 1 in 2^10 and 1 in 2^16 hashes; the lowest hash exactly
	// (it meets the target) and one below it (top word tied, not met).
	easy := stratum.TargetForDifficulty(1.0 / (1 << 22))
	hard := stratum.TargetForDifficulty(1.0 / (1 << 16))
	exact := hashes[0]
	for i := range hashes {
		if pow.HashMeetsTarget((*chainhash.Hash)(&hashes[i]), &exact) {
			exact = hashes[i]
		}
	}
	below := exact
	for i := range below { // exact - 1, little-endian
		below[i]--
		if below[i] != 0xff {
			break
		}
	}
	targets := map[string][32]byte{"easy": easy, "hard": hard, "exact": exact, "below": below}
	for name, target := range targets {
		var want []uint32
		for i := range hashes {
			if pow.HashMeetsTarget((*chainhash.Hash)(&hashes[i]), &target) {
				want = append(want, start+uint32(i))
			}
		}
		for _, s := range append(testScanners(), nil) {
			k := newKernel(&hdr, s)
			count, want := count, want
			if s == nil || s.name == "go-reference" { // slow: a prefix
				count = 1 << 16
				want = slices.DeleteFunc(slices.Clone(want), func(n uint32) bool { return n-start >= count })
			}
			got, n := scanAll(k, start, count, &target)
			if !slices.Equal(got, want) {
				t.Errorf("%s target, kernel %v: found %d nonces, crypto/sha256 %d (first %v vs %v)", name, s, len(got), len(want), head(got), head(want))
			}
			if len(want) == 0 && n != uint64(count) {
				t.Errorf("%s target: %d hashes, want %d", name, n, count)
			}
		}
	}
}

func head(s []uint32) []uint32 { return s[:min(len(s), 3)] }

func (s *scanner) String() string {
	if s == nil {
		return "crypto/sha256"
	}
	return s.name
}

// Known answers: Bitcoin's genesis block and block 125552 at their real
// difficulty, scanned from a little before their nonces.
func TestScanKnownBlocks(t *testing.T) {
	tests := []struct {
		name, header, hash string
	}{
		{
			"genesis",
			"0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c",
			"000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
		},
		{
			"125552",
			"0100000081cd02ab7e569e8bcd9317e2fe99f2de44d49ab2b8851ba4a308000000000000e320b6c2fffc8d750423db8b1eb942ae710e951ed797f7affc8892b0f1fc122bc7f5d74df2b9441a42a14695",
			"00000000000000001e8d6829a8a21adc5d38d0a473b144b6765798e61f98bd1d",
		},
	}
	for _, tt := range tests {
		raw, _ := hex.DecodeString(tt.header)
		hdr := [80]byte(raw)
		nonce := binary.LittleEndian.Uint32(hdr[76:])
		// The difficulty-1 target: every real block meets it.
		target := stratum.TargetForDifficulty(1)
		for _, s := range append(testScanners(), nil) {
			k := newKernel(&hdr, s)
			n, ok, hashes := k.Scan(nonce-5000, 10000, &target)
			if !ok || n != nonce || hashes != 5001 {
				t.Fatalf("%s, kernel %v: scan found %d %v after %d hashes, want %d", tt.name, s, n, ok, hashes, nonce)
			}
			h := k.Hash(n)
			if got := h.String(); got != tt.hash {
				t.Fatalf("%s: hash %s, want %s", tt.name, got, tt.hash)
			}
		}
	}
}
