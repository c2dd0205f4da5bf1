package message

import (
	"crypto/sha256"
	"encoding/binary"
	"math/bits"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// SipHash24 is SipHash-2-4 (Aumasson and Bernstein) of msg under the key
// (k0, k1), the key's two little-endian halves. Compact blocks use it for
// short transaction ids.
func SipHash24(k0, k1 uint64, msg []byte) uint64 {
	v0 := k0 ^ 0x736f6d6570736575
	v1 := k1 ^ 0x646f72616e646f6d
	v2 := k0 ^ 0x6c7967656e657261
	v3 := k1 ^ 0x7465646279746573
	round := func() {
		v0 += v1
		v1 = bits.RotateLeft64(v1, 13)
		v1 ^= v0
		v0 = bits.RotateLeft64(v0, 32)
		v2 += v3
		v3 = bits.RotateLeft64(v3, 16)
		v3 ^= v2
		v0 += v3
		v3 = bits.RotateLeft64(v3, 21)
		v3 ^= v0
		v2 += v1
		v1 = bits.RotateLeft64(v1, 17)
		v1 ^= v2
		v2 = bits.RotateLeft64(v2, 32)
	}
	n := len(msg)
	for len(msg) >= 8 {
		m := binary.LittleEndian.Uint64(msg)
		v3 ^= m
		round()
		round()
		v0 ^= m
		msg = msg[8:]
	}
	last := uint64(n&0xff) << 56
	for i, c := range msg {
		last |= uint64(c) << (8 * i)
	}
	v3 ^= last
	round()
	round()
	v0 ^= last
	v2 ^= 0xff
	round()
	round()
	round()
	round()
	return v0 ^ v1 ^ v2 ^ v3
}

// ShortIDKeys derives a compact block's SipHash key as BIP152 does: the first
// two little-endian 64-bit words of SHA-256(header ‖ nonce LE64).
func ShortIDKeys(h *wire.BlockHeader, nonce uint64) (k0, k1 uint64) {
	b := h.AppendTo(make([]byte, 0, wire.HeaderSize+8))
	b = binary.LittleEndian.AppendUint64(b, nonce)
	sum := sha256.Sum256(b)
	return binary.LittleEndian.Uint64(sum[:8]), binary.LittleEndian.Uint64(sum[8:16])
}

// ShortID is a transaction's 6-byte short id: SipHash-2-4 of its wtxid, the
// low 48 bits.
func ShortID(k0, k1 uint64, wtxid chainhash.Hash) uint64 {
	return SipHash24(k0, k1, wtxid[:]) & (1<<48 - 1)
}
