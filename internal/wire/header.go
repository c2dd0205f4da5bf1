package wire

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/ballast-chain/ballast/internal/chainhash"
)

// HeaderSize is the exact size of a serialized block header: Bitcoin's 80 bytes.
const HeaderSize = 80

// BlockHeader is Bitcoin's block header, byte for byte, so every SHA-256
// miner and pool can work on it.
type BlockHeader struct {
	Version    int32          // bits 13-28 are free for miners to roll (BIP320)
	PrevBlock  chainhash.Hash // hash of the previous block's header
	MerkleRoot chainhash.Hash // merkle root of the block's txids
	Timestamp  uint32         // seconds since the Unix epoch
	Bits       uint32         // compact target
	Nonce      uint32
}

// Serialize returns the 80-byte encoding.
func (h *BlockHeader) Serialize() [HeaderSize]byte {
	var b [HeaderSize]byte
	binary.LittleEndian.PutUint32(b[0:], uint32(h.Version))
	copy(b[4:36], h.PrevBlock[:])
	copy(b[36:68], h.MerkleRoot[:])
	binary.LittleEndian.PutUint32(b[68:], h.Timestamp)
	binary.LittleEndian.PutUint32(b[72:], h.Bits)
	binary.LittleEndian.PutUint32(b[76:], h.Nonce)
	return b
}

// AppendTo appends the 80-byte encoding to b.
func (h *BlockHeader) AppendTo(b []byte) []byte {
	s := h.Serialize()
	return append(b, s[:]...)
}

// BlockHash returns the double SHA-256 of the header: the block's id and its
// proof of work.
func (h *BlockHeader) BlockHash() chainhash.Hash {
	s := h.Serialize()
	first := sha256.Sum256(s[:])
	return sha256.Sum256(first[:])
}

// DecodeHeader decodes exactly 80 bytes.
func DecodeHeader(b []byte) (BlockHeader, error) {
	var h BlockHeader
	if len(b) != HeaderSize {
		if len(b) < HeaderSize {
			return h, msgErr(ErrTruncated, "header: %d bytes, want %d", len(b), HeaderSize)
		}
		return h, msgErr(ErrTrailingBytes, "header: %d bytes, want %d", len(b), HeaderSize)
	}
	h.decodeFrom(b)
	return h, nil
}

func (h *BlockHeader) decodeFrom(b []byte) {
	h.Version = int32(binary.LittleEndian.Uint32(b[0:]))
	copy(h.PrevBlock[:], b[4:36])
	copy(h.MerkleRoot[:], b[36:68])
	h.Timestamp = binary.LittleEndian.Uint32(b[68:])
	h.Bits = binary.LittleEndian.Uint32(b[72:])
	h.Nonce = binary.LittleEndian.Uint32(b[76:])
}
