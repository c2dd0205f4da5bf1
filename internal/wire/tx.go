package wire

import (
	"crypto/sha256"
	"encoding/binary"
	"math"

	"github.com/ballast-chain/ballast/internal/chainhash"
)

// OutPoint names a transaction output: the txid and the output's index.
type OutPoint struct {
	Hash  chainhash.Hash
	Index uint32
}

// NullOutPoint is the outpoint a coinbase input spends.
var NullOutPoint = OutPoint{Index: math.MaxUint32}

// IsNull reports whether o is the coinbase outpoint (zero hash, index 2^32-1).
func (o OutPoint) IsNull() bool { return o.Index == math.MaxUint32 && o.Hash.IsZero() }

// TxIn spends an output. Spending conditions are satisfied entirely in the
// witness, so an ordinary input has no script; only a coinbase input (one that
// spends the null outpoint) carries data, which starts with the block height.
type TxIn struct {
	PrevOut      OutPoint
	CoinbaseData []byte // present exactly when PrevOut is null
	Sequence     uint32
	Witness      [][]byte
}

// AssetID identifies an asset. The zero value is the native coin.
type AssetID chainhash.Hash

// NativeAsset is the chain's own coin, in which fees are paid.
var NativeAsset AssetID

// IsNative reports whether a is the native coin.
func (a AssetID) IsNative() bool { return a == NativeAsset }

// String returns the byte-reversed hex form, like a txid.
func (a AssetID) String() string { return chainhash.Hash(a).String() }

// Asset tags in an output's encoding.
const (
	assetTagNative = 0x00
	assetTagIssued = 0x01
)

// LockKind says how an output may be spent.
type LockKind uint8

// Lock kinds.
const (
	// LockBurn is provably unspendable: the amount leaves circulation. Its
	// data (up to MaxBurnDataSize bytes) carries a redemption reference, the
	// witness commitment or other data.
	LockBurn LockKind = 0
	// LockKey locks to one BIP340 x-only public key (32 bytes).
	LockKey LockKind = 1
	// LockPolicy locks to the tagged hash of a policy tree (32 bytes).
	LockPolicy LockKind = 2
)

func (k LockKind) String() string {
	switch k {
	case LockBurn:
		return "burn"
	case LockKey:
		return "key"
	case LockPolicy:
		return "policy"
	}
	return "unknown"
}

// Lock is an output's spending condition.
type Lock struct {
	Kind LockKind
	Data []byte // 32-byte key or policy hash; burn data of 0..80 bytes
}

// KeyLock locks to an x-only public key.
func KeyLock(xonly [32]byte) Lock { return Lock{Kind: LockKey, Data: xonly[:]} }

// PolicyLock locks to a policy hash.
func PolicyLock(h chainhash.Hash) Lock { return Lock{Kind: LockPolicy, Data: h[:]} }

// BurnLock makes an unspendable output carrying data.
func BurnLock(data []byte) Lock { return Lock{Kind: LockBurn, Data: data} }

// Equal reports whether two locks are the same.
func (l Lock) Equal(o Lock) bool { return l.Kind == o.Kind && string(l.Data) == string(o.Data) }

func (l Lock) encodedLen() int {
	if l.Kind == LockBurn {
		return 1 + CompactSizeLen(uint64(len(l.Data))) + len(l.Data)
	}
	return 1 + len(l.Data)
}

// AppendTo appends the lock's canonical encoding (also hashed by the
// signature hash).
func (l Lock) AppendTo(b []byte) []byte {
	b = append(b, byte(l.Kind))
	if l.Kind == LockBurn {
		return AppendVarBytes(b, l.Data)
	}
	return append(b, l.Data...)
}

// TxOut is an amount of one asset under a lock.
type TxOut struct {
	Asset AssetID
	Value int64 // base units; consensus bounds it to [0, limit]
	Lock  Lock
}

// EncodedLen returns the output's serialized size.
func (o *TxOut) EncodedLen() int {
	n := 1 + 8 + o.Lock.encodedLen()
	if !o.Asset.IsNative() {
		n += 32
	}
	return n
}

// AppendTo appends the output's canonical encoding.
func (o *TxOut) AppendTo(b []byte) []byte {
	if o.Asset.IsNative() {
		b = append(b, assetTagNative)
	} else {
		b = append(b, assetTagIssued)
		b = append(b, o.Asset[:]...)
	}
	b = binary.LittleEndian.AppendUint64(b, uint64(o.Value))
	return o.Lock.AppendTo(b)
}

// RecordType identifies a transaction record.
type RecordType uint8

// Record types. Records are how a transaction carries statements that are not
// value transfers: asset issuance and reissuance, and reserve attestations.
// Their payload formats and rules are specified in docs/assets.md; a record
// of an undefined type is invalid.
const (
	RecordIssue       RecordType = 1
	RecordReissue     RecordType = 2
	RecordAttestation RecordType = 3
)

// Record is a typed statement in a transaction. Its payload is part of the
// txid; its witness (for example the issuer's or auditors' policy
// satisfaction) is not, like an input's.
type Record struct {
	Type    RecordType
	Payload []byte
	Witness [][]byte
}

// Tx is a transaction.
//
// Encoding: version u32 | flags u8 | inputs | outputs | records | locktime u32
// | witnesses (only when flags bit 0 is set: one stack per input, then one per
// record). The txid hashes the encoding with flags 0 and no witnesses.
type Tx struct {
	Version  uint32
	TxIn     []TxIn
	TxOut    []TxOut
	Records  []Record
	LockTime uint32
}

const flagWitness = 0x01

// HasWitness reports whether any input or record carries witness data.
func (tx *Tx) HasWitness() bool {
	for i := range tx.TxIn {
		if len(tx.TxIn[i].Witness) != 0 {
			return true
		}
	}
	for i := range tx.Records {
		if len(tx.Records[i].Witness) != 0 {
			return true
		}
	}
	return false
}

// IsCoinBase reports whether tx has the coinbase shape: exactly one input,
// spending the null outpoint.
func (tx *Tx) IsCoinBase() bool {
	return len(tx.TxIn) == 1 && tx.TxIn[0].PrevOut.IsNull()
}

// BaseSize returns the size of the encoding without witnesses.
func (tx *Tx) BaseSize() int {
	n := 4 + 1 + 4
	n += CompactSizeLen(uint64(len(tx.TxIn)))
	for i := range tx.TxIn {
		in := &tx.TxIn[i]
		n += 32 + 4 + 4
		if in.PrevOut.IsNull() {
			n += CompactSizeLen(uint64(len(in.CoinbaseData))) + len(in.CoinbaseData)
		}
	}
	n += CompactSizeLen(uint64(len(tx.TxOut)))
	for i := range tx.TxOut {
		n += tx.TxOut[i].EncodedLen()
	}
	n += CompactSizeLen(uint64(len(tx.Records)))
	for i := range tx.Records {
		r := &tx.Records[i]
		n += 1 + CompactSizeLen(uint64(len(r.Payload))) + len(r.Payload)
	}
	return n
}

func stackSize(s [][]byte) int {
	n := CompactSizeLen(uint64(len(s)))
	for _, it := range s {
		n += CompactSizeLen(uint64(len(it))) + len(it)
	}
	return n
}

// SerializeSize returns the size of the full encoding.
func (tx *Tx) SerializeSize() int {
	n := tx.BaseSize()
	if !tx.HasWitness() {
		return n
	}
	for i := range tx.TxIn {
		n += stackSize(tx.TxIn[i].Witness)
	}
	for i := range tx.Records {
		n += stackSize(tx.Records[i].Witness)
	}
	return n
}

// Weight returns 3*base size + total size, as Bitcoin's BIP141 defines it.
func (tx *Tx) Weight() int { return 3*tx.BaseSize() + tx.SerializeSize() }

// AppendTo appends the encoding of tx to b: with witnesses (when it has any)
// if witness is true, the txid form otherwise.
func (tx *Tx) AppendTo(b []byte, witness bool) []byte {
	witness = witness && tx.HasWitness()
	b = binary.LittleEndian.AppendUint32(b, tx.Version)
	if witness {
		b = append(b, flagWitness)
	} else {
		b = append(b, 0)
	}
	b = AppendCompactSize(b, uint64(len(tx.TxIn)))
	for i := range tx.TxIn {
		in := &tx.TxIn[i]
		b = append(b, in.PrevOut.Hash[:]...)
		b = binary.LittleEndian.AppendUint32(b, in.PrevOut.Index)
		if in.PrevOut.IsNull() {
			b = AppendVarBytes(b, in.CoinbaseData)
		}
		b = binary.LittleEndian.AppendUint32(b, in.Sequence)
	}
	b = AppendCompactSize(b, uint64(len(tx.TxOut)))
	for i := range tx.TxOut {
		b = tx.TxOut[i].AppendTo(b)
	}
	b = AppendCompactSize(b, uint64(len(tx.Records)))
	for i := range tx.Records {
		r := &tx.Records[i]
		b = append(b, byte(r.Type))
		b = AppendVarBytes(b, r.Payload)
	}
	b = binary.LittleEndian.AppendUint32(b, tx.LockTime)
	if witness {
		for i := range tx.TxIn {
			b = appendStack(b, tx.TxIn[i].Witness)
		}
		for i := range tx.Records {
			b = appendStack(b, tx.Records[i].Witness)
		}
	}
	return b
}

func appendStack(b []byte, s [][]byte) []byte {
	b = AppendCompactSize(b, uint64(len(s)))
	for _, it := range s {
		b = AppendVarBytes(b, it)
	}
	return b
}

// Bytes returns the full encoding.
func (tx *Tx) Bytes() []byte { return tx.AppendTo(make([]byte, 0, tx.SerializeSize()), true) }

// hashEncoding double-hashes an encoding, using a stack buffer for the common
// small transaction so hashing does not allocate.
func (tx *Tx) hashEncoding(witness bool) chainhash.Hash {
	var buf [1024]byte
	b := tx.AppendTo(buf[:0], witness)
	first := sha256.Sum256(b)
	return sha256.Sum256(first[:])
}

// TxHash returns the txid: double SHA-256 of the encoding without witnesses,
// so no witness change can alter it.
func (tx *Tx) TxHash() chainhash.Hash { return tx.hashEncoding(false) }

// WitnessHash returns the wtxid: double SHA-256 of the full encoding. For a
// transaction without witnesses it equals the txid.
func (tx *Tx) WitnessHash() chainhash.Hash { return tx.hashEncoding(true) }

// DecodeTx decodes exactly one transaction from b. The result aliases b.
func DecodeTx(b []byte) (*Tx, error) {
	if len(b) > MaxTxSize {
		return nil, msgErr(ErrTooLarge, "tx: %d bytes exceeds limit %d", len(b), MaxTxSize)
	}
	r := reader{buf: b}
	tx := new(Tx)
	tx.decodeFrom(&r)
	if err := r.finish("tx"); err != nil {
		return nil, err
	}
	return tx, nil
}

func (tx *Tx) decodeFrom(r *reader) {
	start := r.off
	tx.Version = r.u32("tx version")
	flags := r.u8("tx flags")
	if r.err == nil && flags&^flagWitness != 0 {
		r.fail(msgErr(ErrNonCanonical, "tx flags: reserved bits set in %#02x", flags))
		return
	}
	nIn := r.count(MaxTxSize/minTxInSize, minTxInSize, "tx input count")
	if nIn > 0 {
		tx.TxIn = make([]TxIn, nIn)
	}
	for i := 0; i < nIn && r.err == nil; i++ {
		in := &tx.TxIn[i]
		r.hash((*[32]byte)(&in.PrevOut.Hash), "input prevout hash")
		in.PrevOut.Index = r.u32("input prevout index")
		if in.PrevOut.IsNull() {
			in.CoinbaseData = r.varBytes(MaxCoinbaseDataSize, "coinbase data")
		}
		in.Sequence = r.u32("input sequence")
	}
	nOut := r.count(MaxTxSize/minTxOutSize, minTxOutSize, "tx output count")
	if nOut > 0 {
		tx.TxOut = make([]TxOut, nOut)
	}
	for i := 0; i < nOut && r.err == nil; i++ {
		decodeTxOut(r, &tx.TxOut[i])
	}
	nRec := r.count(MaxRecordsPerTx, minRecordSize, "tx record count")
	if nRec > 0 {
		tx.Records = make([]Record, nRec)
	}
	for i := 0; i < nRec && r.err == nil; i++ {
		rec := &tx.Records[i]
		rec.Type = RecordType(r.u8("record type"))
		rec.Payload = r.varBytes(MaxRecordPayloadSize, "record payload")
	}
	tx.LockTime = r.u32("tx locktime")
	if r.err != nil || flags&flagWitness == 0 {
		return
	}
	sawWitness := false
	for i := 0; i < nIn && r.err == nil; i++ {
		tx.TxIn[i].Witness = r.stack()
		sawWitness = sawWitness || len(tx.TxIn[i].Witness) != 0
	}
	for i := 0; i < nRec && r.err == nil; i++ {
		tx.Records[i].Witness = r.stack()
		sawWitness = sawWitness || len(tx.Records[i].Witness) != 0
	}
	if r.err == nil && !sawWitness {
		r.fail(msgErr(ErrNonCanonical, "tx: witness flag set but every witness is empty"))
	}
	if r.err == nil && r.off-start > MaxTxSize {
		r.fail(msgErr(ErrTooLarge, "tx: %d bytes exceeds limit %d", r.off-start, MaxTxSize))
	}
}

func decodeTxOut(r *reader, o *TxOut) {
	switch tag := r.u8("output asset tag"); tag {
	case assetTagNative:
	case assetTagIssued:
		r.hash((*[32]byte)(&o.Asset), "output asset id")
		if r.err == nil && o.Asset.IsNative() {
			r.fail(msgErr(ErrNonCanonical, "output asset: native asset written with the issued tag"))
		}
	default:
		r.fail(msgErr(ErrUnknownAssetTag, "output asset tag %#02x", tag))
	}
	o.Value = int64(r.u64("output value"))
	kind := LockKind(r.u8("output lock kind"))
	o.Lock.Kind = kind
	switch kind {
	case LockKey, LockPolicy:
		o.Lock.Data = r.bytes(32, "output lock data")
	case LockBurn:
		o.Lock.Data = r.varBytes(MaxBurnDataSize, "burn data")
	default:
		r.fail(msgErr(ErrUnknownLock, "output lock kind %d", kind))
	}
}

func (r *reader) stack() [][]byte {
	n := r.count(MaxWitnessItems, 1, "witness item count")
	if n == 0 || r.err != nil {
		return nil
	}
	s := make([][]byte, n)
	for i := range s {
		s[i] = r.varBytes(MaxWitnessItemSize, "witness item")
	}
	return s
}

// DecodeTxOut decodes one output encoding (as AppendTo writes it) from the
// start of b and returns it with the number of bytes read. Storage uses it
// for UTXO entries and undo data. The result aliases b.
func DecodeTxOut(b []byte) (TxOut, int, error) {
	r := reader{buf: b}
	var o TxOut
	decodeTxOut(&r, &o)
	if r.err != nil {
		return TxOut{}, 0, r.err
	}
	return o, r.off, nil
}
