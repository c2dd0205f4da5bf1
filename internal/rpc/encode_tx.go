package rpc

import (
	"encoding/hex"
	"strconv"

	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wire"
)

// TxOptions selects the optional fields of a transaction's JSON object.
type TxOptions struct {
	// HRP is the network's address prefix, for the outputs' addresses.
	HRP string
	// Hex adds the serialized transaction ("hex"), as getrawtransaction
	// and getblock at verbosity 2 do (decoderawtransaction does not).
	Hex bool
	// Fee, when HasFee, adds "fee" (native coin paid), as Core does when it
	// knows the spent outputs.
	HasFee bool
	Fee    int64
	// InActiveChain, when not nil, adds "in_active_chain" first (Core adds
	// it when the caller named the block).
	InActiveChain *bool
	// Block, when not nil, adds "blockhash", "confirmations" and, for a
	// best-chain block, "time" and "blocktime".
	Block *TxBlock
}

// TxBlock is the block a transaction was found in.
type TxBlock struct {
	Hash          chainhash.Hash
	InMainChain   bool
	Confirmations int64 // used when InMainChain; otherwise Core prints 0
	Time          uint32
}

// AppendTxJSON appends the JSON object Core's decoderawtransaction and
// getrawtransaction (verbose) return, for a Ballast transaction:
//
//	txid, hash (wtxid), version, size, vsize, weight, locktime,
//	vin: [{coinbase, txinwitness, sequence} | {txid, vout, txinwitness, sequence}],
//	vout: [{value, n, asset, lock: {type, address, hex}}],
//	records: [{type, type_name, payload, txinwitness}],
//	then fee, hex, blockhash, confirmations, time, blocktime as opts ask.
//
// Ballast inputs have no scriptSig, outputs have an asset and a lock
// instead of a scriptPubKey, and "records" is Ballast's addition (always
// present, often empty). txinwitness is omitted when empty, as in Core.
func AppendTxJSON(dst []byte, tx *wire.Tx, opts *TxOptions) []byte {
	dst = append(dst, '{')
	if opts.InActiveChain != nil {
		dst = append(dst, `"in_active_chain":`...)
		dst = strconv.AppendBool(dst, *opts.InActiveChain)
		dst = append(dst, ',')
	}
	base, total := tx.BaseSize(), tx.SerializeSize()
	weight := 3*base + total
	txid := tx.TxHash()
	dst = append(dst, `"txid":"`...)
	dst = appendHashHex(dst, txid)
	dst = append(dst, `","hash":"`...)
	if tx.HasWitness() {
		dst = appendHashHex(dst, tx.WitnessHash())
	} else {
		dst = appendHashHex(dst, txid)
	}
	dst = append(dst, `","version":`...)
	dst = strconv.AppendUint(dst, uint64(tx.Version), 10)
	dst = appendIntField(dst, "size", int64(total))
	dst = appendIntField(dst, "vsize", int64((weight+3)/4))
	dst = appendIntField(dst, "weight", int64(weight))
	dst = appendIntField(dst, "locktime", int64(tx.LockTime))
	dst = append(dst, `,"vin":[`...)
	for i := range tx.TxIn {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendTxIn(dst, &tx.TxIn[i])
	}
	dst = append(dst, `],"vout":[`...)
	for i := range tx.TxOut {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendTxOut(dst, &tx.TxOut[i], i, opts.HRP)
	}
	dst = append(dst, `],"records":[`...)
	for i := range tx.Records {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendRecord(dst, &tx.Records[i])
	}
	dst = append(dst, ']')
	if opts.HasFee {
		dst = append(dst, `,"fee":`...)
		dst = AppendAmount(dst, opts.Fee)
	}
	if opts.Hex {
		dst = append(dst, `,"hex":"`...)
		dst = hex.AppendEncode(dst, tx.AppendTo(make([]byte, 0, total), true))
		dst = append(dst, '"')
	}
	if b := opts.Block; b != nil {
		dst = append(dst, `,"blockhash":"`...)
		dst = appendHashHex(dst, b.Hash)
		dst = append(dst, '"')
		if b.InMainChain {
			dst = appendIntField(dst, "confirmations", b.Confirmations)
			dst = appendIntField(dst, "time", int64(b.Time))
			dst = appendIntField(dst, "blocktime", int64(b.Time))
		} else {
			dst = appendIntField(dst, "confirmations", 0)
		}
	}
	return append(dst, '}')
}

func appendTxIn(dst []byte, in *wire.TxIn) []byte {
	if in.PrevOut.IsNull() {
		dst = append(dst, `{"coinbase":"`...)
		dst = hex.AppendEncode(dst, in.CoinbaseData)
		dst = append(dst, '"')
	} else {
		dst = append(dst, `{"txid":"`...)
		dst = appendHashHex(dst, in.PrevOut.Hash)
		dst = append(dst, `","vout":`...)
		dst = strconv.AppendUint(dst, uint64(in.PrevOut.Index), 10)
	}
	dst = appendWitness(dst, in.Witness)
	dst = appendIntField(dst, "sequence", int64(in.Sequence))
	return append(dst, '}')
}

func appendWitness(dst []byte, w [][]byte) []byte {
	if len(w) == 0 {
		return dst
	}
	dst = append(dst, `,"txinwitness":[`...)
	for i, item := range w {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '"')
		dst = hex.AppendEncode(dst, item)
		dst = append(dst, '"')
	}
	return append(dst, ']')
}

func appendTxOut(dst []byte, o *wire.TxOut, n int, hrp string) []byte {
	dst = append(dst, `{"value":`...)
	dst = AppendAmount(dst, o.Value)
	dst = appendIntField(dst, "n", int64(n))
	dst = append(dst, `,"asset":"`...)
	dst = appendAsset(dst, o.Asset)
	dst = append(dst, `","lock":`...)
	dst = appendLock(dst, o.Lock, hrp)
	return append(dst, '}')
}

// appendLock appends {"type", "address" (key and policy locks), "hex"}:
// hex is the lock's wire encoding (kind, then data), what the signature
// hash commits to, Ballast's counterpart of a scriptPubKey's hex.
func appendLock(dst []byte, l wire.Lock, hrp string) []byte {
	dst = append(dst, `{"type":"`...)
	dst = append(dst, l.Kind.String()...)
	dst = append(dst, '"')
	if l.Kind != wire.LockBurn {
		if addr, err := address.Encode(hrp, l); err == nil {
			dst = append(dst, `,"address":"`...)
			dst = append(dst, addr...)
			dst = append(dst, '"')
		}
	}
	dst = append(dst, `,"hex":"`...)
	dst = appendLockHex(dst, l)
	return append(dst, `"}`...)
}

// appendAsset writes "native" for the native coin, else the asset id in
// display (byte-reversed) order, like a txid.
func appendAsset(dst []byte, a wire.AssetID) []byte {
	if a.IsNative() {
		return append(dst, "native"...)
	}
	return appendHashHex(dst, chainhash.Hash(a))
}

// RecordTypeName names a record type in JSON ("issue", "reissue",
// "attestation", or "unknown").
func RecordTypeName(t wire.RecordType) string {
	switch t {
	case wire.RecordIssue:
		return "issue"
	case wire.RecordReissue:
		return "reissue"
	case wire.RecordAttestation:
		return "attestation"
	}
	return "unknown"
}

func appendRecord(dst []byte, r *wire.Record) []byte {
	dst = append(dst, `{"type":`...)
	dst = strconv.AppendUint(dst, uint64(r.Type), 10)
	dst = append(dst, `,"type_name":"`...)
	dst = append(dst, RecordTypeName(r.Type)...)
	dst = append(dst, `","payload":"`...)
	dst = hex.AppendEncode(dst, r.Payload)
	dst = append(dst, '"')
	dst = appendWitness(dst, r.Witness)
	return append(dst, '}')
}

func appendIntField(dst []byte, name string, v int64) []byte {
	dst = append(dst, ',', '"')
	dst = append(dst, name...)
	dst = append(dst, '"', ':')
	return strconv.AppendInt(dst, v, 10)
}

const hexDigits = "0123456789abcdef"

// appendHashHex writes a hash in display order (bytes reversed) without
// allocating.
func appendHashHex(dst []byte, h chainhash.Hash) []byte {
	for i := chainhash.Size - 1; i >= 0; i-- {
		dst = append(dst, hexDigits[h[i]>>4], hexDigits[h[i]&0x0f])
	}
	return dst
}

// appendLockHex writes the hex of l.AppendTo's encoding without building
// it first.
func appendLockHex(dst []byte, l wire.Lock) []byte {
	var pre [1 + 9]byte
	p := append(pre[:0], byte(l.Kind))
	if l.Kind == wire.LockBurn {
		p = wire.AppendCompactSize(p, uint64(len(l.Data)))
	}
	dst = hex.AppendEncode(dst, p)
	return hex.AppendEncode(dst, l.Data)
}
