package rpc

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"math"

	"github.com/ballast-chain/ballast/internal/address"
	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/policy"
	"github.com/ballast-chain/ballast/internal/wire"
)

// Sequence numbers createrawtransaction picks, as Core does.
const (
	sequenceFinal    = math.MaxUint32     // no lock time, no replacement signal
	sequenceNonFinal = math.MaxUint32 - 1 // enables the lock time
	sequenceRBF      = math.MaxUint32 - 2 // BIP125 signal
)

// decodeTxHex decodes a hex transaction, answering failures with Core's
// CodeDeserialization "TX decode failed" and the reason.
func decodeTxHex(s string) (*wire.Tx, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) == 0 {
		return nil, Errorf(CodeDeserialization, "TX decode failed: not a hexadecimal transaction")
	}
	tx, err := wire.DecodeTx(b)
	if err != nil {
		return nil, Errorf(CodeDeserialization, "TX decode failed: %v", err)
	}
	return tx, nil
}

func (e *env) rawTxMethods() []spec {
	return []spec{
		{Method: Method{
			Name:     "decoderawtransaction",
			Category: "Rawtransactions",
			Help:     "Return a JSON object representing the serialized, hex-encoded transaction.",
			Params: []Param{
				{Name: "hexstring", Type: TypeString, Help: "The transaction hex string"},
				{Name: "iswitness", Type: TypeBool, Optional: true, Default: "depends on heuristic tests",
					Help: "Accepted for compatibility and ignored: Ballast's encoding says whether witnesses are present"},
			},
			Result:   txResultHelp,
			Examples: []string{`["020000000001401b6054a825ceedf4a40e826a9c68208715d1e7e0424dd6199becf1da3b37a700000000ffffffff0200f0ca052a010000000179be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f817980000000000000000000002cafe0000000000"]`},
			Handler:  e.decodeRawTransaction,
		}},
		{Method: Method{
			Name:     "createrawtransaction",
			Category: "Rawtransactions",
			Help: `Create a transaction spending the given inputs and creating new outputs.
Outputs can be addresses (native coin), assets or data (a burn output carrying the data).
Returns hex-encoded raw transaction (version 2).
Note that the transaction's inputs are not signed, and
it is not stored in the wallet or transmitted to the network.`,
			Params: []Param{
				{Name: "inputs", Type: TypeArray, Sig: `[{"txid":"hex","vout":n,"sequence":n},...]`,
					Help: `The inputs: [{"txid": "hex", "vout": n, "sequence": n (optional, default depends on locktime and replaceable)}, ...]`},
				{Name: "outputs", Type: TypeArray | TypeObject, Sig: `[{"address":amount,...},{"asset":"hex","address":"str","amount":amount},{"data":"hex"},...]`,
					Help: `The outputs, an array of objects or one object: {"address": amount} pays the native coin; {"asset": "id", "address": "str", "amount": amount} pays an issued asset; {"data": "hex"} adds a burn output carrying up to 80 bytes`},
				{Name: "locktime", Type: TypeNumber, Optional: true, Default: "0", Help: "Raw locktime. Non-0 value also locktime-activates inputs"},
				{Name: "replaceable", Type: TypeBool, Optional: true, Default: "false",
					Help: "Marks this transaction as BIP125-replaceable (inputs without a sequence get 0xfffffffd)"},
			},
			Result:   `"hex"    (string) hex string of the transaction`,
			Examples: []string{`[[{"txid":"0ab1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1","vout":0}],[{"rbal1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqrh6f55":0.01}]]`},
			Handler:  e.createRawTransaction,
		}},
		{Method: Method{
			Name:     "validateaddress",
			Category: "Util",
			Help:     "Return information about the given Ballast address.",
			Params:   []Param{{Name: "address", Type: TypeString, Help: "The Ballast address to validate"}},
			Result: `{
  "isvalid" : true|false,    (boolean) If the address is valid or not
  "address" : "str",         (string, if valid) The address validated
  "lock" : "hex",            (string, if valid) The hex-encoded output lock (kind and program), the scriptPubKey's counterpart
  "lock_type" : "str",       (string, if valid) "key" or "policy"
  "program" : "hex",         (string, if valid) The 32-byte program: x-only public key or policy hash
  "error_locations" : [ ],   (json array, if invalid) Indices of likely error locations (not computed: empty)
  "error" : "str"            (string, if invalid) Error message, if any
}`,
			Examples: []string{`["rbal1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqrh6f55"]`},
			Handler:  e.validateAddress,
		}},
		{Method: Method{
			Name:     "createpolicy",
			Category: "Util",
			Help: `Create a policy lock from its text form (Ballast's counterpart of createmultisig).
Grammar: key(<64 hex>), thresh(k,...), and(...), or(...), after(n), older(n), sha256(<64 hex>); no spaces.`,
			Params:   []Param{{Name: "policy", Type: TypeString, Help: `The policy, for example "thresh(2,key(...),key(...),key(...))"`}},
			Result:   policyResultHelp,
			Examples: []string{`["and(after(100),older(144))"]`},
			Handler:  e.createPolicy,
		}},
		{Method: Method{
			Name:     "decodepolicy",
			Category: "Rawtransactions",
			Help:     "Decode a hex-encoded policy (as revealed in a witness) (Ballast's counterpart of decodescript).",
			Params:   []Param{{Name: "hexstring", Type: TypeString, Help: "The hex-encoded policy"}},
			Result:   policyResultHelp,
			Examples: []string{`["030205640000000690000000"]`},
			Handler:  e.decodePolicy,
		}},
	}
}

const txResultHelp = `{
  "txid" : "hex",            (string) The transaction id
  "hash" : "hex",            (string) The transaction hash (differs from txid for witness transactions)
  "version" : n,             (numeric) The version
  "size" : n,                (numeric) The serialized transaction size
  "vsize" : n,               (numeric) The virtual transaction size (weight / 4, rounded up)
  "weight" : n,              (numeric) The transaction's weight (3 * base size + total size)
  "locktime" : xxx,          (numeric) The lock time
  "vin" : [                  (json array)
    {
      "coinbase" : "hex",    (string, coinbase only) The coinbase data (height, extranonce, miner data)
      "txid" : "hex",        (string) The transaction id of the spent output
      "vout" : n,            (numeric) The output number
      "txinwitness" : [ "hex", ... ],  (json array, optional) The witness stack
      "sequence" : n         (numeric) The sequence number
    },
    ...
  ],
  "vout" : [                 (json array)
    {
      "value" : n,           (numeric) The amount (base units / 10^8, for every asset)
      "n" : n,               (numeric) index
      "asset" : "str",       (string) "native" or the asset id
      "lock" : {             (json object)
        "type" : "str",      (string) "key", "policy" or "burn"
        "address" : "str",   (string, optional) The address (key and policy locks)
        "hex" : "hex"        (string) The lock's encoding
      }
    },
    ...
  ],
  "records" : [              (json array) Ballast records (issuance, attestations)
    { "type" : n, "type_name" : "str", "payload" : "hex", "txinwitness" : [ "hex", ... ] },
    ...
  ]
}`

const policyResultHelp = `{
  "policy" : "str",          (string) The policy's canonical text form
  "hex" : "hex",             (string) The policy's encoding, revealed when spending
  "hash" : "hex",            (string) The policy hash (tagged hash "Ballast/Policy" of the encoding), the lock's program
  "address" : "str",         (string) The policy-lock address
  "lock" : "hex"             (string) The output lock's encoding
}`

func (e *env) decodeRawTransaction(_ context.Context, req *Request) (any, error) {
	a := newArgs(req)
	s := a.str(0)
	a.bool(1, false)
	if a.err != nil {
		return nil, a.err
	}
	tx, err := decodeTxHex(s)
	if err != nil {
		return nil, err
	}
	return json.RawMessage(AppendTxJSON(nil, tx, &TxOptions{HRP: e.params.Bech32HRP})), nil
}

func (e *env) validateAddress(_ context.Context, req *Request) (any, error) {
	a := newArgs(req)
	s := a.str(0)
	if a.err != nil {
		return nil, a.err
	}
	type valid struct {
		IsValid  bool   `json:"isvalid"`
		Address  string `json:"address"`
		Lock     string `json:"lock"`
		LockType string `json:"lock_type"`
		Program  string `json:"program"`
	}
	type invalid struct {
		IsValid        bool   `json:"isvalid"`
		ErrorLocations []int  `json:"error_locations"`
		Error          string `json:"error"`
	}
	lock, err := e.decodeAddress(s)
	if err != nil {
		return invalid{ErrorLocations: []int{}, Error: addressErrorText(err)}, nil
	}
	addr, _ := address.Encode(e.params.Bech32HRP, lock)
	return valid{IsValid: true, Address: addr, Lock: hex.EncodeToString(lock.AppendTo(nil)),
		LockType: lock.Kind.String(), Program: hex.EncodeToString(lock.Data)}, nil
}

// addressErrorText is an address error without the Go error kind prefix.
func addressErrorText(err error) string {
	if re, ok := err.(*address.RuleError); ok {
		return re.Description
	}
	return err.Error()
}

type policyResult struct {
	Policy  string `json:"policy"`
	Hex     string `json:"hex"`
	Hash    string `json:"hash"`
	Address string `json:"address"`
	Lock    string `json:"lock"`
}

func (e *env) policyResult(n *policy.Node) (policyResult, error) {
	enc := n.Encode()
	h := policy.HashEncoding(enc)
	lock := wire.PolicyLock(h)
	addr, err := address.Encode(e.params.Bech32HRP, lock)
	if err != nil {
		return policyResult{}, err
	}
	return policyResult{Policy: n.String(), Hex: hex.EncodeToString(enc), Hash: hex.EncodeToString(h[:]),
		Address: addr, Lock: hex.EncodeToString(lock.AppendTo(nil))}, nil
}

func (e *env) createPolicy(_ context.Context, req *Request) (any, error) {
	a := newArgs(req)
	s := a.str(0)
	if a.err != nil {
		return nil, a.err
	}
	n, err := policy.ParseText(s)
	if err != nil {
		return nil, Errorf(CodeInvalidParameter, "Invalid policy: %s", policyErrorText(err))
	}
	return e.policyResult(n)
}

func (e *env) decodePolicy(_ context.Context, req *Request) (any, error) {
	a := newArgs(req)
	b := a.hexBytes(0, "hexstring")
	if a.err != nil {
		return nil, a.err
	}
	n, err := policy.Decode(b)
	if err != nil {
		return nil, Errorf(CodeDeserialization, "Policy decode failed: %s", policyErrorText(err))
	}
	return e.policyResult(n)
}

func policyErrorText(err error) string {
	if re, ok := err.(*policy.RuleError); ok {
		return re.Description
	}
	return err.Error()
}

func (e *env) createRawTransaction(_ context.Context, req *Request) (any, error) {
	a := newArgs(req)
	lockTime := a.int64(2, 0)
	rbf := a.bool(3, false)
	if a.err != nil {
		return nil, a.err
	}
	if lockTime < 0 || lockTime > math.MaxUint32 {
		return nil, Errorf(CodeInvalidParameter, "Invalid parameter, locktime out of range")
	}
	tx := &wire.Tx{Version: 2, LockTime: uint32(lockTime)}
	defSeq := uint32(sequenceFinal)
	switch {
	case rbf:
		defSeq = sequenceRBF
	case lockTime != 0:
		defSeq = sequenceNonFinal
	}
	if err := e.addInputs(tx, req.Params[0], defSeq); err != nil {
		return nil, err
	}
	if err := e.addOutputs(tx, req.Params[1]); err != nil {
		return nil, err
	}
	return hex.EncodeToString(tx.AppendTo(nil, false)), nil
}

func (e *env) addInputs(tx *wire.Tx, raw json.RawMessage, defSeq uint32) error {
	var inputs []json.RawMessage
	if err := json.Unmarshal(raw, &inputs); err != nil {
		return Errorf(CodeType, "inputs must be an array")
	}
	for _, in := range inputs {
		if jsonType(in) != typeObject {
			return Errorf(CodeInvalidParameter, "Invalid parameter, input must be an object")
		}
		var o struct {
			TxID     json.RawMessage `json:"txid"`
			Vout     json.RawMessage `json:"vout"`
			Sequence json.RawMessage `json:"sequence"`
		}
		if err := json.Unmarshal(in, &o); err != nil {
			return Errorf(CodeInvalidParameter, "Invalid parameter, input must be an object")
		}
		var txid string
		if jsonType(o.TxID) == typeString {
			json.Unmarshal(o.TxID, &txid)
		}
		h, err := parseHash(txid, "txid")
		if err != nil {
			return err
		}
		switch jsonType(o.Vout) {
		case typeNull:
			return Errorf(CodeInvalidParameter, "Invalid parameter, missing vout key")
		case typeNumber:
		default:
			return Errorf(CodeInvalidParameter, "Invalid parameter, vout must be a number")
		}
		vout, err := jsonInt(o.Vout)
		if err != nil {
			return err
		}
		if vout < 0 {
			return Errorf(CodeInvalidParameter, "Invalid parameter, vout cannot be negative")
		}
		if vout > math.MaxUint32 {
			return Errorf(CodeInvalidParameter, "Invalid parameter, vout out of range")
		}
		seq := defSeq
		if jsonType(o.Sequence) != typeNull {
			v, err := jsonInt(o.Sequence)
			if err != nil || v < 0 || v > math.MaxUint32 {
				return Errorf(CodeInvalidParameter, "Invalid parameter, sequence number is out of range")
			}
			seq = uint32(v)
		}
		tx.TxIn = append(tx.TxIn, wire.TxIn{PrevOut: wire.OutPoint{Hash: h, Index: uint32(vout)}, Sequence: seq})
	}
	return nil
}

// jsonInt reads a JSON integer as UniValue's getInt does.
func jsonInt(raw json.RawMessage) (int64, error) {
	a := args{req: &Request{Params: []json.RawMessage{raw}}}
	v := a.int64(0, 0)
	return v, a.err
}

// addOutputs reads createrawtransaction's outputs: one object of
// address/data keys, or an array of single-key objects and Ballast's
// asset objects, keeping their order.
func (e *env) addOutputs(tx *wire.Tx, raw json.RawMessage) error {
	var groups []json.RawMessage
	if jsonType(raw) == typeObject {
		groups = []json.RawMessage{raw}
	} else if err := json.Unmarshal(raw, &groups); err != nil {
		return Errorf(CodeType, "outputs must be an array or object")
	}
	seen := make(map[string]bool)
	isArray := jsonType(raw) == typeArray
	for _, g := range groups {
		if jsonType(g) != typeObject {
			return Errorf(CodeInvalidParameter, "Invalid parameter, key-value pair not an object as expected")
		}
		keys, values, err := objectEntries(g)
		if err != nil {
			return Errorf(CodeParseError, "%v", err)
		}
		if isArray && hasKey(keys, "asset") {
			if err := e.addAssetOutput(tx, keys, values, seen); err != nil {
				return err
			}
			continue
		}
		if isArray && len(keys) != 1 {
			return Errorf(CodeInvalidParameter, "Invalid parameter, key-value pair must contain exactly one key")
		}
		for i, k := range keys {
			if err := e.addOutput(tx, k, values[i], seen); err != nil {
				return err
			}
		}
	}
	return nil
}

func hasKey(keys []string, k string) bool {
	for _, x := range keys {
		if x == k {
			return true
		}
	}
	return false
}

func (e *env) addOutput(tx *wire.Tx, key string, value json.RawMessage, seen map[string]bool) error {
	if key == "data" {
		if seen["data"] {
			return Errorf(CodeInvalidParameter, "Invalid parameter, duplicate key: data")
		}
		seen["data"] = true
		var s string
		if jsonType(value) != typeString || json.Unmarshal(value, &s) != nil {
			return Errorf(CodeInvalidParameter, "Data must be a hexadecimal string")
		}
		data, err := hex.DecodeString(s)
		if err != nil {
			return Errorf(CodeInvalidParameter, "Data must be hexadecimal string (not '%s')", s)
		}
		if len(data) > wire.MaxBurnDataSize {
			return Errorf(CodeInvalidParameter, "Invalid parameter, data is %d bytes, at most %d", len(data), wire.MaxBurnDataSize)
		}
		tx.TxOut = append(tx.TxOut, wire.TxOut{Asset: wire.NativeAsset, Lock: wire.BurnLock(data)})
		return nil
	}
	lock, err := e.decodeAddress(key)
	if err != nil {
		return Errorf(CodeInvalidAddressOrKey, "Invalid Ballast address: %s (%s)", key, addressErrorText(err))
	}
	k := outputKey(wire.NativeAsset, lock)
	if seen[k] {
		return Errorf(CodeInvalidParameter, "Invalid parameter, duplicated address: %s", key)
	}
	seen[k] = true
	v, err := amountParam(value, e.params.MaxMoney)
	if err != nil {
		return err
	}
	tx.TxOut = append(tx.TxOut, wire.TxOut{Asset: wire.NativeAsset, Value: v, Lock: lock})
	return nil
}

// addAssetOutput reads {"asset": id, "address": addr, "amount": amount}.
func (e *env) addAssetOutput(tx *wire.Tx, keys []string, values []json.RawMessage, seen map[string]bool) error {
	var assetStr, addr string
	var amount json.RawMessage
	for i, k := range keys {
		switch k {
		case "asset":
			json.Unmarshal(values[i], &assetStr)
		case "address":
			json.Unmarshal(values[i], &addr)
		case "amount":
			amount = values[i]
		default:
			return Errorf(CodeInvalidParameter, "Invalid parameter, unexpected key %s in an asset output (want asset, address, amount)", k)
		}
	}
	if len(keys) != 3 || addr == "" || amount == nil {
		return Errorf(CodeInvalidParameter, "Invalid parameter, an asset output needs asset, address and amount")
	}
	asset := wire.NativeAsset
	limit := e.params.MaxMoney
	if assetStr != "native" {
		h, err := parseHash(assetStr, "asset")
		if err != nil {
			return err
		}
		asset = wire.AssetID(h)
		limit = consensus.MaxAssetAmount
	}
	lock, err := e.decodeAddress(addr)
	if err != nil {
		return Errorf(CodeInvalidAddressOrKey, "Invalid Ballast address: %s (%s)", addr, addressErrorText(err))
	}
	k := outputKey(asset, lock)
	if seen[k] {
		return Errorf(CodeInvalidParameter, "Invalid parameter, duplicated address: %s", addr)
	}
	seen[k] = true
	v, err := amountParam(amount, limit)
	if err != nil {
		return err
	}
	tx.TxOut = append(tx.TxOut, wire.TxOut{Asset: asset, Value: v, Lock: lock})
	return nil
}

// outputKey identifies an output's asset and lock, to refuse paying the
// same asset to the same address twice (Core's duplicated address check).
func outputKey(a wire.AssetID, l wire.Lock) string { return string(a[:]) + string(l.AppendTo(nil)) }
