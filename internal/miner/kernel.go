// Package miner is the CPU miner: a midstate hashing kernel (the first 64
// header bytes are fixed per job, so each nonce costs the second chunk's
// compression plus the second SHA-256) and a Stratum client loop on all
// cores.
//
// Scan runs a multi-nonce kernel chosen at start-up by CPU features (on
// amd64: hand-written assembly, see kernel_amd64.go and docs/mining.md),
// which reports only the final state's top word per nonce; candidates
// whose top 32 bits meet the target are confirmed with Hash, the
// crypto/sha256 midstate path, which is also the fallback everywhere else.
package miner

import (
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"hash"
	"math/bits"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/pow"
)

// Kernel hashes one header's nonces. It is not safe for concurrent use:
// each goroutine makes its own.
type Kernel struct {
	mid  []byte // marshaled SHA-256 state after header bytes 0..63
	tail [16]byte
	h    hash.Hash
	um   encoding.BinaryUnmarshaler
	sum  [32]byte

	scan *scanner // nil: Hash every nonce
	js   *jobState
	out  [256]uint32
}

// scanner is a multi-nonce kernel: fill sets out[i] to word 7 of the final
// SHA-256 state (hash bytes 28..31, big-endian) for nonce+i, nonces
// wrapping at 2^32; len(out) is a multiple of lanes.
type scanner struct {
	name  string
	lanes int
	fill  func(js *jobState, nonce uint32, out []uint32)
}

// best is this CPU's fastest kernel, nil when there is none.
var best = func() *scanner {
	if s := scanners(); len(s) > 0 {
		return s[0]
	}
	return nil
}()

// KernelName names the kernel Scan uses on this machine.
func KernelName() string {
	if best == nil {
		return "crypto/sha256-midstate"
	}
	return best.name
}

// NewKernel prepares header (80 bytes; its nonce is ignored).
func NewKernel(header *[80]byte) *Kernel { return newKernel(header, best) }

func newKernel(header *[80]byte, s *scanner) *Kernel {
	first := sha256.New()
	first.Write(header[:64])
	mid, _ := first.(encoding.BinaryMarshaler).MarshalBinary() // cannot fail
	h := sha256.New()
	k := &Kernel{mid: mid, h: h, um: h.(encoding.BinaryUnmarshaler)}
	copy(k.tail[:], header[64:80])
	if s != nil {
		k.scan, k.js = s, newJobState(header)
	}
	return k
}

// Hash returns the block hash with the given nonce.
func (k *Kernel) Hash(nonce uint32) chainhash.Hash {
	binary.LittleEndian.PutUint32(k.tail[12:], nonce)
	_ = k.um.UnmarshalBinary(k.mid) // our own state: cannot fail
	k.h.Write(k.tail[:])
	first := k.h.Sum(k.sum[:0])
	return sha256.Sum256(first)
}

// Scan tries count nonces from start (wrapping at 2^32) and returns the
// first whose hash meets target, with the number of hashes done.
func (k *Kernel) Scan(start uint32, count uint32, target *[32]byte) (nonce uint32, found bool, hashes uint64) {
	done := uint32(0)
	if s := k.scan; s != nil {
		// A hash meeting target has its top 32 bits (bytes 28..31 read
		// little-endian: word 7 byte-swapped) at most target's, so that
		// test never drops a valid nonce; the rest is checked in full.
		top := binary.LittleEndian.Uint32(target[28:])
		lanes := uint32(s.lanes)
		for count-done >= lanes {
			m := min(uint32(len(k.out)), (count-done)/lanes*lanes)
			base := start + done
			s.fill(k.js, base, k.out[:m])
			for i, w := range k.out[:m] {
				if bits.ReverseBytes32(w) <= top {
					n := base + uint32(i)
					if h := k.Hash(n); pow.HashMeetsTarget(&h, target) {
						return n, true, uint64(done) + uint64(i) + 1
					}
				}
			}
			done += m
		}
	}
	for ; done < count; done++ {
		n := start + done
		h := k.Hash(n)
		if pow.HashMeetsTarget(&h, target) {
			return n, true, uint64(done) + 1
		}
	}
	return 0, false, uint64(count)
}
