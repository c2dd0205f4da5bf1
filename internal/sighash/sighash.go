package sighash

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Tag is the BIP340 tag of the signature hash.
const Tag = "Ballast/SigHash"

// Epoch and hash type: the first two bytes of the message. Only SIGHASH_ALL
// (0x00) is defined; other hash types and epochs would change these bytes.
const (
	Epoch       = 0x00
	HashTypeAll = 0x00
)

// MessageSize is the size of the message that is tag-hashed.
const MessageSize = 1 + 1 + 4 + 4 + 6*32 + 4

// tagPrefix is SHA-256(Tag) twice, the fixed start of every tagged hash
// (computed once: a constant, not configuration).
var tagPrefix = func() (p [64]byte) {
	t := sha256.Sum256([]byte(Tag))
	copy(p[:32], t[:])
	copy(p[32:], t[:])
	return p
}()

// Cache holds the per-transaction hashes of the message, computed once for
// all of a transaction's inputs. It must not be used after the transaction
// or the spent outputs change.
type Cache struct {
	tx  *wire.Tx
	nIn int
	err error

	prevOuts  [32]byte // sha_prevouts
	amounts   [32]byte // sha_assets_and_amounts
	locks     [32]byte // sha_locks
	sequences [32]byte // sha_sequences
	outputs   [32]byte // sha_outputs
	records   [32]byte // sha_records
}

// NewCache computes the per-transaction hashes of tx, whose input i spends
// prevOuts[i]. A mismatch between the two is reported by Hash.
func NewCache(tx *wire.Tx, prevOuts []wire.TxOut) *Cache {
	c := new(Cache)
	c.init(tx, prevOuts)
	return c
}

func (c *Cache) init(tx *wire.Tx, prevOuts []wire.TxOut) {
	c.tx = tx
	if c.err = checkArgs(tx, prevOuts); c.err != nil {
		return
	}
	c.nIn = len(tx.TxIn)
	var buf [128]byte
	h := sha256.New()

	for i := range tx.TxIn {
		op := &tx.TxIn[i].PrevOut
		b := append(buf[:0], op.Hash[:]...)
		b = binary.LittleEndian.AppendUint32(b, op.Index)
		h.Write(b)
	}
	sum(h, &c.prevOuts)

	for i := range prevOuts {
		b := append(buf[:0], prevOuts[i].Asset[:]...)
		b = binary.LittleEndian.AppendUint64(b, uint64(prevOuts[i].Value))
		h.Write(b)
	}
	sum(h, &c.amounts)

	for i := range prevOuts {
		h.Write(prevOuts[i].Lock.AppendTo(buf[:0]))
	}
	sum(h, &c.locks)

	for i := range tx.TxIn {
		h.Write(binary.LittleEndian.AppendUint32(buf[:0], tx.TxIn[i].Sequence))
	}
	sum(h, &c.sequences)

	for i := range tx.TxOut {
		h.Write(tx.TxOut[i].AppendTo(buf[:0]))
	}
	sum(h, &c.outputs)

	for i := range tx.Records {
		r := &tx.Records[i]
		b := append(buf[:0], byte(r.Type))
		h.Write(wire.AppendCompactSize(b, uint64(len(r.Payload))))
		h.Write(r.Payload)
	}
	sum(h, &c.records)
}

// sum writes h's digest to dst and resets h for the next field.
func sum(h hash.Hash, dst *[32]byte) {
	h.Sum(dst[:0])
	h.Reset()
}

func checkArgs(tx *wire.Tx, prevOuts []wire.TxOut) error {
	if tx == nil {
		return ruleErr(ErrNilTx, "nil transaction")
	}
	if len(prevOuts) != len(tx.TxIn) {
		return ruleErr(ErrPrevOuts, "%d spent outputs for %d inputs", len(prevOuts), len(tx.TxIn))
	}
	return nil
}

// Hash returns the signature hash of input idx of tx, whose input i spends
// prevOuts[i]. c may be nil (the per-transaction hashes are then computed
// for this call) or a Cache from NewCache(tx, prevOuts).
func Hash(tx *wire.Tx, idx int, prevOuts []wire.TxOut, c *Cache) (chainhash.Hash, error) {
	if err := checkArgs(tx, prevOuts); err != nil {
		return chainhash.Hash{}, err
	}
	if idx < 0 || idx >= len(tx.TxIn) {
		return chainhash.Hash{}, ruleErr(ErrInputIndex, "input %d of a transaction with %d inputs", idx, len(tx.TxIn))
	}
	if c == nil {
		var local Cache
		local.init(tx, prevOuts)
		c = &local
	}
	switch {
	case c.err != nil:
		return chainhash.Hash{}, c.err
	case c.tx != tx || c.nIn != len(tx.TxIn):
		return chainhash.Hash{}, ruleErr(ErrCacheMismatch, "cache built for another transaction")
	}
	var buf [len(tagPrefix) + MessageSize]byte
	b := append(buf[:0], tagPrefix[:]...)
	b = c.appendMessage(b, uint32(idx))
	return sha256.Sum256(b), nil
}

// appendMessage appends the message that is tag-hashed for input idx.
func (c *Cache) appendMessage(b []byte, idx uint32) []byte {
	b = append(b, Epoch, HashTypeAll)
	b = binary.LittleEndian.AppendUint32(b, c.tx.Version)
	b = binary.LittleEndian.AppendUint32(b, c.tx.LockTime)
	b = append(b, c.prevOuts[:]...)
	b = append(b, c.amounts[:]...)
	b = append(b, c.locks[:]...)
	b = append(b, c.sequences[:]...)
	b = append(b, c.outputs[:]...)
	b = append(b, c.records[:]...)
	return binary.LittleEndian.AppendUint32(b, idx)
}
