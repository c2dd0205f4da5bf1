package rpc

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"strconv"

	"github.com/ballast-chain/ballast/internal/consensus"
	"github.com/ballast-chain/ballast/internal/wire"
)

// defaultMaxTries is generatetoaddress's default nonce budget, as Core.
const defaultMaxTries = 1_000_000

func (e *env) nodeMethods() []spec {
	return []spec{
		{needs: needNetwork, Method: Method{
			Name: "getnetworkinfo", Category: "Network",
			Help: "Returns an object containing various state info regarding P2P networking.",
			Result: `{
  "version" : n,                      (numeric) the server version
  "subversion" : "str",               (string) the server subversion string
  "protocolversion" : n,              (numeric) the protocol version
  "localservices" : "hex",            (string) the services we offer to the network
  "localservicesnames" : [ "str" ],   (json array) the services we offer to the network, in human-readable form
  "localrelay" : true|false,          (boolean) true if transaction relay is requested from peers
  "timeoffset" : n,                   (numeric) the time offset
  "networkactive" : true|false,       (boolean) whether p2p networking is enabled
  "connections" : n,                  (numeric) the total number of connections
  "connections_in" : n,               (numeric) the number of inbound connections
  "connections_out" : n,              (numeric) the number of outbound connections
  "networks" : [ { "name", "limited", "reachable", "proxy", "proxy_randomize_credentials" } ],
  "relayfee" : n,                     (numeric) minimum relay fee rate for transactions in coins/kvB
  "incrementalfee" : n,               (numeric) minimum fee rate increment for mempool limiting or replacement in coins/kvB
  "localaddresses" : [ { "address", "port", "score" } ],
  "warnings" : [ "str" ]              (json array) any network and blockchain warnings
}`,
			Handler: func(ctx context.Context, _ *Request) (any, error) {
				ni, err := e.b.Network.NetworkInfo(ctx)
				if err != nil {
					return nil, backendError("network", err)
				}
				if ni.LocalServicesNames == nil {
					ni.LocalServicesNames = []string{}
				}
				if ni.Networks == nil {
					ni.Networks = []NetworkReach{}
				}
				if ni.LocalAddresses == nil {
					ni.LocalAddresses = []LocalAddress{}
				}
				if ni.Warnings == nil {
					ni.Warnings = []string{}
				}
				return ni, nil
			},
		}},
		{needs: needChain, Method: Method{
			Name: "getmininginfo", Category: "Mining",
			Help: "Returns a json object containing mining-related information.",
			Result: `{
  "blocks" : n,            (numeric) The current block
  "bits" : "hex",          (string) The current nBits, compact representation of the block difficulty target
  "difficulty" : n,        (numeric) The current difficulty
  "target" : "hex",        (string) The current target
  "networkhashps" : n,     (numeric) The network hashes per second (over the last 120 blocks)
  "pooledtx" : n,          (numeric) The size of the mempool
  "chain" : "str",         (string) the network name
  "warnings" : [ "str" ]   (json array) any network and blockchain warnings
}`,
			Handler: e.getMiningInfo,
		}},
		{needs: needChain, Method: Method{
			Name: "getnetworkhashps", Category: "Mining",
			Help: `Returns the estimated network hashes per second based on the last n blocks.
Pass in [blocks] to override # of blocks, -1 specifies since the genesis block.
Pass in [height] to estimate the network speed at the time when a certain block was found.`,
			Params: []Param{
				{Name: "nblocks", Type: TypeNumber, Optional: true, Default: "120", Help: "The number of previous blocks to calculate estimate from, or -1 for since the genesis block."},
				{Name: "height", Type: TypeNumber, Optional: true, Default: "-1", Help: "To estimate at the time of the given height."},
			},
			Result:   "x             (numeric) Hashes per second estimated",
			Examples: []string{`[]`, `[120,1000]`},
			Handler: func(ctx context.Context, req *Request) (any, error) {
				a := newArgs(req)
				n, h := a.int64(0, 120), a.int64(1, -1)
				if a.err != nil {
					return nil, a.err
				}
				if h < -1 {
					return nil, Errorf(CodeInvalidParameter, "Invalid height")
				}
				if n < -1 || n == 0 {
					return nil, Errorf(CodeInvalidParameter, "Invalid nblocks. Must be a positive number or -1.")
				}
				return e.networkHashPS(ctx, n, h)
			},
		}},
		{needs: needMining, Method: Method{
			Name: "generatetoaddress", Category: "Generating",
			Help: "Mine blocks immediately to a specified address (before the RPC call returns)",
			Params: []Param{
				{Name: "nblocks", Type: TypeNumber, Help: "How many blocks are generated."},
				{Name: "address", Type: TypeString, Help: "The address to send the newly generated coins to."},
				{Name: "maxtries", Type: TypeNumber, Optional: true, Default: "1000000", Help: "How many iterations to try."},
			},
			Result:   `[ "hex", ... ]    (json array) hashes of blocks generated`,
			Examples: []string{`[11,"rbal1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqrh6f55"]`},
			Handler:  e.generateToAddress,
		}},
		{needs: needMining, Method: Method{
			Name: "generateblock", Category: "Generating",
			Help: "Mine a set of ordered transactions to a specified address and return the block hash.",
			Params: []Param{
				{Name: "output", Type: TypeString, Help: "The address to send the newly generated coins to."},
				{Name: "transactions", Type: TypeArray, Sig: `["rawtx/txid",...]`,
					Help: "An array of hex strings which are either txids or raw transactions. Txids must reference transactions currently in the mempool. All transactions must be valid and in valid order, otherwise the block will be rejected."},
				{Name: "submit", Type: TypeBool, Optional: true, Default: "true", Help: "Whether to submit the block before the RPC call returns or to return it as hex."},
			},
			Result: `{
  "hash" : "hex",    (string) hash of generated block
  "hex" : "hex"      (string, optional) hex of generated block, only present when submit=false
}`,
			Examples: []string{`["rbal1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqrh6f55",[]]`},
			Handler:  e.generateBlock,
		}},
	}
}

func (e *env) getMiningInfo(ctx context.Context, _ *Request) (any, error) {
	st, err := e.chainState(ctx)
	if err != nil {
		return nil, backendError("chain state", err)
	}
	hps, err := e.networkHashPS(ctx, 120, -1)
	if err != nil {
		return nil, err
	}
	var pooled int64
	if e.b.Mempool != nil {
		m, err := e.b.Mempool.Info(ctx)
		if err != nil {
			return nil, backendError("mempool", err)
		}
		pooled = m.Size
	}
	bits := st.Tip.Header.Bits
	b := strconv.AppendInt([]byte(`{"blocks":`), int64(st.Tip.Height), 10)
	b = append(b, `,"bits":"`...)
	b = appendHex32(b, bits)
	b = append(b, `","difficulty":`...)
	b = appendFloat(b, Difficulty(bits, e.params.PowLimitBits))
	b = append(b, `,"target":"`...)
	b = appendTarget(b, bits)
	b = append(b, `","networkhashps":`...)
	b = append(b, hps...)
	b = appendIntField(b, "pooledtx", pooled)
	b = append(b, `,"chain":`...)
	name, _ := json.Marshal(e.params.Name)
	b = append(b, name...)
	warnings, _ := json.Marshal(nonNil(st.Warnings))
	b = append(b, `,"warnings":`...)
	b = append(b, warnings...)
	return json.RawMessage(append(b, '}')), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func appendHex32(dst []byte, v uint32) []byte {
	for shift := 28; shift >= 0; shift -= 4 {
		dst = append(dst, hexDigits[(v>>uint(shift))&0xf])
	}
	return dst
}

// networkHashPS is Core's GetNetworkHashPS: the chain work added over the
// last n blocks (all since genesis for -1) ending at height (the tip for
// -1), divided by the spread of their timestamps.
func (e *env) networkHashPS(ctx context.Context, n, height int64) (json.RawMessage, error) {
	st, err := e.chainState(ctx)
	if err != nil {
		return nil, backendError("chain state", err)
	}
	end := st.Tip
	if height >= 0 && height < int64(st.Tip.Height) {
		h, err := e.b.Chain.BlockHash(ctx, int32(height))
		if err != nil {
			return nil, backendError("block hash", err)
		}
		if end, err = e.b.Chain.BlockInfo(ctx, h); err != nil {
			return nil, backendError("block index", err)
		}
	}
	if end.Height == 0 {
		return json.RawMessage("0"), nil
	}
	if n <= 0 || n > int64(end.Height) {
		n = int64(end.Height)
	}
	minTime, maxTime := int64(end.Header.Timestamp), int64(end.Header.Timestamp)
	var start BlockInfo
	for h := int64(end.Height) - 1; h >= int64(end.Height)-n; h-- {
		hash, err := e.b.Chain.BlockHash(ctx, int32(h))
		if err != nil {
			return nil, backendError("block hash", err)
		}
		if start, err = e.b.Chain.BlockInfo(ctx, hash); err != nil {
			return nil, backendError("block index", err)
		}
		t := int64(start.Header.Timestamp)
		minTime, maxTime = min(minTime, t), max(maxTime, t)
	}
	if minTime == maxTime || end.ChainWork == nil || start.ChainWork == nil {
		return json.RawMessage("0"), nil
	}
	work, _ := new(big.Float).SetInt(new(big.Int).Sub(end.ChainWork, start.ChainWork)).Float64()
	return appendFloat(nil, work/float64(maxTime-minTime)), nil
}

func (e *env) generateToAddress(ctx context.Context, req *Request) (any, error) {
	a := newArgs(req)
	n := a.int64(0, 0)
	addr := a.str(1)
	tries := a.int64(2, defaultMaxTries)
	if a.err != nil {
		return nil, a.err
	}
	lock, err := e.decodeAddress(addr)
	if err != nil {
		return nil, Errorf(CodeInvalidAddressOrKey, "Error: Invalid address")
	}
	if n <= 0 {
		return []string{}, nil
	}
	if n > 1<<20 {
		return nil, Errorf(CodeInvalidParameter, "nblocks too large")
	}
	if tries < 0 {
		tries = 0
	}
	hashes, err := e.b.Mining.GenerateToLock(ctx, int(n), lock, uint64(tries))
	if err != nil {
		return nil, blockError(err)
	}
	if hashes == nil {
		return []string{}, nil
	}
	return hashes, nil
}

// blockError answers a rejected block as Core's generateblock does.
func blockError(err error) error {
	var re *consensus.RuleError
	if errors.As(err, &re) {
		return Errorf(CodeVerify, "TestBlockValidity failed: %s, %s", re.Kind.RejectReason(), re.Description)
	}
	return backendError("mining", err)
}

func (e *env) generateBlock(ctx context.Context, req *Request) (any, error) {
	a := newArgs(req)
	addr := a.str(0)
	submit := a.bool(2, true)
	if a.err != nil {
		return nil, a.err
	}
	lock, err := e.decodeAddress(addr)
	if err != nil {
		return nil, Errorf(CodeInvalidAddressOrKey, "Error: Invalid address or descriptor")
	}
	var items []json.RawMessage
	if err := json.Unmarshal(a.raw(1), &items); err != nil {
		return nil, Errorf(CodeType, "transactions must be an array")
	}
	txs := make([]*wire.Tx, 0, len(items))
	for _, it := range items {
		var s string
		if jsonType(it) != typeString || json.Unmarshal(it, &s) != nil {
			return nil, Errorf(CodeType, "transactions must hold hex strings")
		}
		tx, err := e.txOrTxid(ctx, s)
		if err != nil {
			return nil, err
		}
		txs = append(txs, tx)
	}
	blk, err := e.b.Mining.GenerateBlock(ctx, lock, txs, submit)
	if err != nil {
		return nil, blockError(err)
	}
	type result struct {
		Hash string `json:"hash"`
		Hex  string `json:"hex,omitempty"`
	}
	r := result{Hash: blk.BlockHash().String()}
	if !submit {
		r.Hex = hex.EncodeToString(blk.Bytes())
	}
	return r, nil
}

// txOrTxid reads one of generateblock's transactions: a mempool txid or a
// raw transaction.
func (e *env) txOrTxid(ctx context.Context, s string) (*wire.Tx, error) {
	if len(s) == 64 && isHex(s) {
		txid, _ := parseHash(s, "txid")
		if e.b.Mempool == nil {
			return nil, Errorf(CodeInvalidAddressOrKey, "Transaction %s not in mempool.", s)
		}
		tx, err := e.b.Mempool.Tx(ctx, txid)
		if errors.Is(err, ErrNotFound) {
			return nil, Errorf(CodeInvalidAddressOrKey, "Transaction %s not in mempool.", s)
		}
		if err != nil {
			return nil, backendError("mempool", err)
		}
		return tx, nil
	}
	b, err := hex.DecodeString(s)
	if err == nil {
		var tx *wire.Tx
		if tx, err = wire.DecodeTx(b); err == nil {
			return tx, nil
		}
	}
	return nil, Errorf(CodeDeserialization, "Transaction decode failed for %s. Make sure the tx has at least one input.", s)
}
