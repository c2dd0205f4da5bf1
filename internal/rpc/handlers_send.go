package rpc

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/params"
	"github.com/ballast-chain/ballast/internal/wire"
)

// defaultMaxFeeRate is sendrawtransaction's and testmempoolaccept's
// default maxfeerate: 0.10 coin per 1000 virtual bytes, as Core.
const defaultMaxFeeRate = params.Coin / 10

// maxTestAccept bounds testmempoolaccept's rawtxs, as Core's package limit.
const maxTestAccept = 25

const txidExample = `["0ab1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1"]`

// sendMethods are the raw-transaction methods that need the chain or the
// mempool.
func (e *env) sendMethods() []spec {
	maxFeeRate := Param{Name: "maxfeerate", Type: TypeAmount, Optional: true, Default: "\"0.10\"",
		Help: "Reject transactions whose fee rate is higher than the specified value, expressed in coins/kvB. Set to 0 to accept any fee rate."}
	return []spec{
		{needs: needChain, Method: Method{
			Name: "getrawtransaction", Category: "Rawtransactions",
			Help: `By default, this call only returns a transaction if it is in the mempool. If -txindex is enabled
and no blockhash argument is passed, it will return the transaction if it is in a block in the blockchain.
If a blockhash argument is passed, it will return the transaction if the specified block is available and
the transaction is in that block.

If verbosity is 0 or omitted, returns the serialized transaction as a hex-encoded string.
If verbosity is 1 (or more), returns a JSON Object with information about the transaction.`,
			Params: []Param{
				{Name: "txid", Type: TypeString, Help: "The transaction id"},
				{Name: "verbosity", Aliases: []string{"verbose"}, Type: TypeNumber | TypeBool, Optional: true, Default: "0",
					Help: "0 for hex-encoded data, 1 for a JSON object"},
				{Name: "blockhash", Type: TypeString, Optional: true, Help: "The block in which to look for the transaction"},
			},
			Result: "Result (if verbosity is not set or set to 0):\n\"str\"    (string) The serialized transaction as a hex-encoded string for 'txid'\n\n" +
				"Result (if verbosity is set to 1): the decoderawtransaction object, preceded by \"in_active_chain\" when blockhash is given, followed by\n" +
				"  \"hex\", and for a confirmed transaction \"blockhash\", \"confirmations\", \"time\" and \"blocktime\"",
			Examples: []string{txidExample, `["0ab1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1",1]`},
			Handler:  e.getRawTransaction,
		}},
		{needs: needMempool, Method: Method{
			Name: "sendrawtransaction", Category: "Rawtransactions",
			Help: `Submit a raw transaction (serialized, hex-encoded) to local node and network.

The transaction will be sent unconditionally to all peers, so using sendrawtransaction
for manual rebroadcast may degrade privacy by leaking the transaction's origin, as
nodes will normally not rebroadcast non-wallet transactions already in their mempool.`,
			Params: []Param{
				{Name: "hexstring", Type: TypeString, Help: "The hex string of the raw transaction"},
				maxFeeRate,
				{Name: "maxburnamount", Type: TypeAmount, Optional: true, Default: "\"0.00\"",
					Help: "Reject transactions with native-coin burn outputs (provably unspendable) higher than the specified value, in coins."},
			},
			Result:   `"hex"    (string) The transaction hash in hex`,
			Examples: []string{`["signedhex"]`},
			Handler:  e.sendRawTransaction,
		}},
		{needs: needMempool, Method: Method{
			Name: "testmempoolaccept", Category: "Rawtransactions",
			Help: `Returns result of mempool acceptance tests indicating if raw transaction(s) (serialized, hex-encoded) would be accepted by mempool.

If multiple transactions are passed in, parents must come before children and package policies apply.
This checks if transactions violate the consensus or policy rules.`,
			Params: []Param{
				{Name: "rawtxs", Type: TypeArray, Sig: `["rawtx",...]`, Help: "An array of hex strings of raw transactions (at most 25)."},
				maxFeeRate,
			},
			Result: `[
  {
    "txid" : "hex",            (string) The transaction hash in hex
    "wtxid" : "hex",           (string) The transaction witness hash in hex
    "package-error" : "str",   (string, optional) Package validation error, if any
    "allowed" : true|false,    (boolean, optional) Whether this tx would be accepted to the mempool
    "vsize" : n,               (numeric, optional) Virtual transaction size (only present when 'allowed' is true)
    "fees" : {                 (json object, optional) Transaction fees (only present if 'allowed' is true)
      "base" : n,              (numeric) transaction fee
      "effective-feerate" : n, (numeric) the effective feerate in coins per KvB
      "effective-includes" : [ "hex", ... ]  (json array) wtxids of the transactions whose fees and vsizes are included
    },
    "reject-reason" : "str"    (string, optional) Rejection string (only present when 'allowed' is false)
  },
  ...
]`,
			Examples: []string{`[["signedhex"]]`},
			Handler:  e.testMempoolAccept,
		}},
	}
}

// feeRateParam reads a fee rate in coins per 1000 virtual bytes; Core
// refuses rates of one coin per kvB or more.
func feeRateParam(a *args, i int) (int64, error) {
	if !a.has(i) {
		return defaultMaxFeeRate, nil
	}
	v, err := amountParam(a.raw(i), params.Coin*21_000_000)
	if err != nil {
		return 0, err
	}
	if v >= params.Coin {
		return 0, Errorf(CodeInvalidParameter, "Fee rates larger than or equal to 1BTC/kvB are not accepted")
	}
	return v, nil
}

// feeFor is the fee a rate (per 1000 virtual bytes) asks of vsize bytes,
// rounded up as Core's CFeeRate::GetFee.
func feeFor(rate, vsize int64) int64 { return (rate*vsize + 999) / 1000 }

func vsizeOf(tx *wire.Tx) int64 { return (int64(tx.Weight()) + 3) / 4 }

func (e *env) getRawTransaction(ctx context.Context, req *Request) (any, error) {
	a := newArgs(req)
	txid := a.hash(0, "txid")
	verbosity := a.verbosity(1, 0)
	var blockHash chainhash.Hash
	inBlock := a.has(2)
	if inBlock {
		blockHash = a.hash(2, "blockhash")
	}
	if a.err != nil {
		return nil, a.err
	}
	if g := e.params.GenesisBlock; g != nil && txid == g.Transactions[0].TxHash() {
		return nil, Errorf(CodeInvalidAddressOrKey, "The genesis block coinbase is not considered an ordinary transaction and cannot be retrieved")
	}
	var tx *wire.Tx
	var where *BlockInfo
	var err error
	switch {
	case inBlock:
		info, err := e.b.Chain.BlockInfo(ctx, blockHash)
		if errors.Is(err, ErrNotFound) {
			return nil, Errorf(CodeInvalidAddressOrKey, "Block hash not found")
		} else if err != nil {
			return nil, backendError("block index", err)
		}
		where = &info
		tx, err = e.txInBlock(ctx, blockHash, txid)
		if err != nil {
			return nil, err
		}
		if tx == nil {
			return nil, Errorf(CodeInvalidAddressOrKey, "No such transaction found in the provided block. Use gettransaction for wallet transactions.")
		}
	default:
		tx, where, err = e.findTx(ctx, txid)
		if err != nil {
			return nil, err
		}
	}
	if verbosity <= 0 {
		return hex.EncodeToString(tx.Bytes()), nil
	}
	o := TxOptions{HRP: e.params.Bech32HRP, Hex: true}
	if inBlock {
		o.InActiveChain = &where.InMainChain
	}
	if where != nil {
		st, err := e.chainState(ctx)
		if err != nil {
			return nil, backendError("chain state", err)
		}
		o.Block = &TxBlock{Hash: where.Hash, InMainChain: where.InMainChain,
			Confirmations: confirmations(where, st.Tip.Height), Time: where.Header.Timestamp}
	}
	return json.RawMessage(AppendTxJSON(nil, tx, &o)), nil
}

// findTx looks txid up in the mempool, then through the transaction index.
func (e *env) findTx(ctx context.Context, txid chainhash.Hash) (*wire.Tx, *BlockInfo, error) {
	if e.b.Mempool != nil {
		tx, err := e.b.Mempool.Tx(ctx, txid)
		if err == nil {
			return tx, nil, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return nil, nil, backendError("mempool", err)
		}
	}
	bh, err := e.b.Chain.TxBlock(ctx, txid)
	switch {
	case errors.Is(err, ErrNoTxIndex):
		return nil, nil, Errorf(CodeInvalidAddressOrKey, "No such mempool transaction. Use -txindex or provide a block hash to enable blockchain transaction queries. Use gettransaction for wallet transactions.")
	case errors.Is(err, ErrNotFound):
		return nil, nil, Errorf(CodeInvalidAddressOrKey, "No such mempool or blockchain transaction. Use gettransaction for wallet transactions.")
	case err != nil:
		return nil, nil, backendError("transaction index", err)
	}
	info, err := e.b.Chain.BlockInfo(ctx, bh)
	if err != nil {
		return nil, nil, backendError("block index", err)
	}
	tx, err := e.txInBlock(ctx, bh, txid)
	if err != nil {
		return nil, nil, err
	}
	if tx == nil {
		return nil, nil, Errorf(CodeInvalidAddressOrKey, "No such mempool or blockchain transaction. Use gettransaction for wallet transactions.")
	}
	return tx, &info, nil
}

// txInBlock returns txid from a block, or nil.
func (e *env) txInBlock(ctx context.Context, blockHash, txid chainhash.Hash) (*wire.Tx, error) {
	blk, err := e.b.Chain.Block(ctx, blockHash)
	switch {
	case errors.Is(err, ErrBlockUnavailable):
		return nil, Errorf(CodeMisc, "Block not available")
	case errors.Is(err, ErrNotFound):
		return nil, Errorf(CodeInvalidAddressOrKey, "Block hash not found")
	case err != nil:
		return nil, backendError("block", err)
	}
	for _, tx := range blk.Transactions {
		if tx.TxHash() == txid {
			return tx, nil
		}
	}
	return nil, nil
}

func (e *env) sendRawTransaction(ctx context.Context, req *Request) (any, error) {
	a := newArgs(req)
	s := a.str(0)
	if a.err != nil {
		return nil, a.err
	}
	tx, err := decodeTxHex(s)
	if err != nil {
		return nil, err
	}
	maxRate, err := feeRateParam(a, 1)
	if err != nil {
		return nil, err
	}
	maxBurn := int64(0)
	if a.has(2) {
		if maxBurn, err = amountParam(a.raw(2), e.params.MaxMoney); err != nil {
			return nil, err
		}
	}
	for i := range tx.TxOut {
		o := &tx.TxOut[i]
		if o.Lock.Kind == wire.LockBurn && o.Asset.IsNative() && o.Value > maxBurn {
			return nil, Errorf(CodeVerify, "Unspendable output exceeds maximum configured by user (maxburnamount)")
		}
	}
	txid := tx.TxHash()
	if _, err := e.b.Mempool.Tx(ctx, txid); err == nil {
		return txid, nil // already in the pool: Core just relays it again
	} else if !errors.Is(err, ErrNotFound) {
		return nil, backendError("mempool", err)
	}
	if e.b.Chain != nil {
		for i := range tx.TxOut {
			u, err := e.b.Chain.FetchUtxo(ctx, wire.OutPoint{Hash: txid, Index: uint32(i)})
			if err != nil {
				return nil, backendError("utxo", err)
			}
			if u != nil {
				return nil, Errorf(CodeVerifyAlreadyInChain, "Transaction already in block chain")
			}
		}
	}
	if maxRate > 0 {
		res, err := e.b.Mempool.TestAccept(ctx, []*wire.Tx{tx})
		if err != nil {
			return nil, backendError("mempool", err)
		}
		if len(res) != 1 {
			return nil, Errorf(CodeInternal, "Mempool internal error")
		}
		if err := acceptError(res[0]); err != nil {
			return nil, err
		}
		if res[0].Fee > feeFor(maxRate, vsizeOf(tx)) {
			return nil, Errorf(CodeVerify, "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)")
		}
	}
	res, err := e.b.Mempool.Submit(ctx, tx)
	if err != nil {
		return nil, backendError("mempool", err)
	}
	if err := acceptError(res); err != nil {
		return nil, err
	}
	return txid, nil
}

// acceptError is Core's answer to a refused transaction: CodeVerify
// "Inputs missing or spent", or CodeVerifyRejected with the reject string.
func acceptError(r AcceptResult) error {
	switch {
	case r.Allowed:
		return nil
	case r.MissingInputs:
		return Errorf(CodeVerify, "Inputs missing or spent")
	}
	return &Error{Code: CodeVerifyRejected, Message: r.RejectReason}
}

func (e *env) testMempoolAccept(ctx context.Context, req *Request) (any, error) {
	a := newArgs(req)
	var raws []json.RawMessage
	if err := json.Unmarshal(a.raw(0), &raws); err != nil {
		return nil, Errorf(CodeType, "rawtxs must be an array")
	}
	maxRate, err := feeRateParam(a, 1)
	if err != nil {
		return nil, err
	}
	if len(raws) < 1 || len(raws) > maxTestAccept {
		return nil, Errorf(CodeInvalidParameter, "Array must contain between 1 and %d transactions.", maxTestAccept)
	}
	txs := make([]*wire.Tx, len(raws))
	for i, r := range raws {
		var s string
		if jsonType(r) != typeString || json.Unmarshal(r, &s) != nil {
			return nil, Errorf(CodeType, "rawtxs must hold hex strings")
		}
		if txs[i], err = decodeTxHex(s); err != nil {
			return nil, err
		}
	}
	results, err := e.b.Mempool.TestAccept(ctx, txs)
	if err != nil {
		return nil, backendError("mempool", err)
	}
	if len(results) != len(txs) {
		return nil, Errorf(CodeInternal, "Mempool internal error")
	}
	type fees struct {
		Base              Amount   `json:"base"`
		EffectiveFeeRate  Amount   `json:"effective-feerate"`
		EffectiveIncludes []string `json:"effective-includes"`
	}
	type result struct {
		TxID         string `json:"txid"`
		WTxID        string `json:"wtxid"`
		PackageError string `json:"package-error,omitempty"`
		Allowed      *bool  `json:"allowed,omitempty"`
		VSize        int64  `json:"vsize,omitempty"`
		Fees         *fees  `json:"fees,omitempty"`
		RejectReason string `json:"reject-reason,omitempty"`
	}
	out := make([]result, len(results))
	for i, r := range results {
		o := result{TxID: txs[i].TxHash().String(), WTxID: txs[i].WitnessHash().String(), PackageError: r.PackageError}
		allowed := r.Allowed
		if !r.Skipped {
			o.Allowed = &allowed
		}
		switch {
		case r.Skipped:
		case !r.Allowed:
			o.RejectReason = r.RejectReason
			if r.MissingInputs && o.RejectReason == "" {
				o.RejectReason = "missing-inputs"
			}
		case maxRate > 0 && r.Fee > feeFor(maxRate, r.VSize):
			allowed, o.RejectReason = false, "max-fee-exceeded"
		default:
			o.VSize = r.VSize
			rate := int64(0)
			if r.VSize > 0 {
				rate = r.Fee * 1000 / r.VSize
			}
			o.Fees = &fees{Base: Amount(r.Fee), EffectiveFeeRate: Amount(rate), EffectiveIncludes: []string{o.WTxID}}
		}
		out[i] = o
	}
	return out, nil
}
