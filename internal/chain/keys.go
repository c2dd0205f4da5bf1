package chain

import (
	"encoding/binary"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/wire"
)

// The keyspace. Every key starts with a one-byte prefix; docs/storage.md
// lists them with their value formats.
const (
	prefixBlock  = 'b' // block hash -> serialized block
	prefixIndex  = 'i' // block hash -> index entry
	prefixUndo   = 'r' // block hash -> undo data
	prefixUtxo   = 'u' // txid ‖ index (BE) -> UTXO entry
	prefixHeight = 'n' // height (BE) -> hash of the active chain's block
	prefixTx     = 't' // txid -> block hash ‖ position (txindex)
	prefixAddr   = 'a' // lock kind ‖ lock data ‖ height (BE) ‖ txid ‖ dir ‖ index (addrindex)
	prefixMeta   = 'm' // metadata
)

var (
	keyTip       = []byte("m/tip")
	keyVersion   = []byte("m/version")
	keyTxIndex   = []byte("m/txindex")
	keyAddrIndex = []byte("m/addrindex")
)

// dbVersion is the storage format version; a database of another version is
// refused rather than misread.
const dbVersion = 1

func hashKey(prefix byte, h chainhash.Hash) []byte {
	k := make([]byte, 33)
	k[0] = prefix
	copy(k[1:], h[:])
	return k
}

func utxoKey(op wire.OutPoint) []byte {
	k := make([]byte, 37)
	k[0] = prefixUtxo
	copy(k[1:33], op.Hash[:])
	binary.BigEndian.PutUint32(k[33:], op.Index)
	return k
}

func heightKey(h int32) []byte {
	k := make([]byte, 5)
	k[0] = prefixHeight
	binary.BigEndian.PutUint32(k[1:], uint32(h))
	return k
}

// Address index entry directions.
const (
	addrOut = 0 // the tx created an output under the lock
	addrIn  = 1 // the tx spent an output under the lock
)

// addrKey: prefix ‖ lock kind ‖ 32-byte lock data ‖ height BE ‖ txid ‖ dir ‖ index BE.
func addrKey(lock wire.Lock, height int32, txid chainhash.Hash, dir byte, idx uint32) []byte {
	k := make([]byte, 0, 1+1+32+4+32+1+4)
	k = append(k, prefixAddr, byte(lock.Kind))
	k = append(k, lock.Data...)
	k = binary.BigEndian.AppendUint32(k, uint32(height))
	k = append(k, txid[:]...)
	k = append(k, dir)
	return binary.BigEndian.AppendUint32(k, idx)
}

func addrPrefix(lock wire.Lock) []byte {
	return append([]byte{prefixAddr, byte(lock.Kind)}, lock.Data...)
}

// appendUtxo appends the encoding of e to dst: uvarint(height<<1 | coinbase)
// ‖ output encoding.
func appendUtxo(dst []byte, e *consensus.UtxoEntry) []byte {
	code := uint64(e.Height) << 1
	if e.Coinbase {
		code |= 1
	}
	return e.Out.AppendTo(binary.AppendUvarint(dst, code))
}

// decodeUtxo decodes an entry from the start of b, returning bytes read.
func decodeUtxo(b []byte) (consensus.UtxoEntry, int, error) {
	code, n := binary.Uvarint(b)
	if n <= 0 || code>>1 > 1<<31-1 {
		return consensus.UtxoEntry{}, 0, chainErr(ErrCorrupt, "bad UTXO entry header")
	}
	out, m, err := wire.DecodeTxOut(b[n:])
	if err != nil {
		return consensus.UtxoEntry{}, 0, chainErr(ErrCorrupt, "bad UTXO entry output: %v", err)
	}
	// Detach from b: the caller's buffer may be reused.
	out.Lock.Data = append([]byte(nil), out.Lock.Data...)
	return consensus.UtxoEntry{Out: out, Height: int32(code >> 1), Coinbase: code&1 == 1}, n + m, nil
}

// encodeUndo: u32 count ‖ entries, in the order the block spent them.
func encodeUndo(u *consensus.BlockUndo) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(u.Spent)))
	for i := range u.Spent {
		b = appendUtxo(b, &u.Spent[i].Entry)
	}
	return b
}

func decodeUndo(b []byte) ([]consensus.UtxoEntry, error) {
	if len(b) < 4 {
		return nil, chainErr(ErrCorrupt, "undo data truncated")
	}
	n := binary.LittleEndian.Uint32(b)
	b = b[4:]
	if uint64(n) > uint64(len(b)) {
		return nil, chainErr(ErrCorrupt, "undo count %d exceeds data", n)
	}
	es := make([]consensus.UtxoEntry, n)
	for i := range es {
		e, m, err := decodeUtxo(b)
		if err != nil {
			return nil, err
		}
		es[i] = e
		b = b[m:]
	}
	if len(b) != 0 {
		return nil, chainErr(ErrCorrupt, "undo data has %d trailing bytes", len(b))
	}
	return es, nil
}
