package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/ballast-chain/ballast/internal/chainhash"
)

func (e *env) mempoolMethods() []spec {
	return []spec{
		{needs: needMempool, Method: Method{
			Name: "getmempoolinfo", Category: "Blockchain",
			Help: "Returns details on the active state of the TX memory pool.",
			Result: `{
  "loaded" : true|false,         (boolean) True if the initial load attempt of the persisted mempool finished
  "size" : n,                    (numeric) Current tx count
  "bytes" : n,                   (numeric) Sum of all virtual transaction sizes
  "usage" : n,                   (numeric) Total memory usage for the mempool
  "total_fee" : n,               (numeric) Total fees for the mempool, ignoring modified fees
  "maxmempool" : n,              (numeric) Maximum memory usage for the mempool
  "mempoolminfee" : n,           (numeric) Minimum fee rate in coins/kvB for tx to be accepted
  "minrelaytxfee" : n,           (numeric) Current minimum relay fee for transactions
  "incrementalrelayfee" : n,     (numeric) minimum fee rate increment for mempool limiting or replacement in coins/kvB
  "unbroadcastcount" : n,        (numeric) Current number of transactions that haven't passed initial broadcast yet
  "fullrbf" : true|false         (boolean) True if the mempool accepts RBF without replaceability signaling inspection
}`,
			Handler: e.getMempoolInfo,
		}},
		{needs: needMempool, Method: Method{
			Name: "getrawmempool", Category: "Blockchain",
			Help: "Returns all transaction ids in memory pool as a json array of string transaction ids.\n\nHint: use getmempoolentry to fetch a specific transaction from the mempool.",
			Params: []Param{
				{Name: "verbose", Type: TypeBool, Optional: true, Default: "false", Help: "True for a json object, false for array of transaction ids"},
				{Name: "mempool_sequence", Type: TypeBool, Optional: true, Default: "false",
					Help: "If verbose=false, returns a json object with transaction list and mempool sequence number attached."},
			},
			Result: "Result (for verbose = false):\n[ \"hex\", ... ]\n\nResult (for verbose = true):\n{ \"txid\" : { getmempoolentry's object }, ... }\n\n" +
				"Result (for verbose = false and mempool_sequence = true):\n{ \"txids\" : [ \"hex\", ... ], \"mempool_sequence\" : n }",
			Examples: []string{`[true]`},
			Handler:  e.getRawMempool,
		}},
		{needs: needMempool, Method: Method{
			Name: "getmempoolentry", Category: "Blockchain",
			Help:   "Returns mempool data for given transaction",
			Params: []Param{{Name: "txid", Type: TypeString, Help: "The transaction id (must be in mempool)"}},
			Result: `{
  "vsize" : n,                 (numeric) virtual transaction size
  "weight" : n,                (numeric) transaction weight
  "time" : xxx,                (numeric) local time transaction entered pool in seconds since 1 Jan 1970 GMT
  "height" : n,                (numeric) block height when transaction entered pool
  "descendantcount" : n,       (numeric) number of in-mempool descendant transactions (including this one)
  "descendantsize" : n,        (numeric) virtual transaction size of in-mempool descendants (including this one)
  "ancestorcount" : n,         (numeric) number of in-mempool ancestor transactions (including this one)
  "ancestorsize" : n,          (numeric) virtual transaction size of in-mempool ancestors (including this one)
  "wtxid" : "hex",             (string) hash of serialized transaction, including witness data
  "fees" : { "base" : n, "modified" : n, "ancestor" : n, "descendant" : n },
  "depends" : [ "hex", ... ],  (json array) unconfirmed transactions used as inputs for this transaction
  "spentby" : [ "hex", ... ],  (json array) unconfirmed transactions spending outputs from this transaction
  "bip125-replaceable" : true|false, (boolean) Whether this transaction signals BIP125 replaceability or has an unconfirmed ancestor signaling BIP125 replaceability (with full RBF any transaction can be replaced)
  "unbroadcast" : true|false   (boolean) Whether this transaction is currently unbroadcast (initial broadcast not yet acknowledged by any peers)
}`,
			Examples: []string{txidExample},
			Handler:  e.getMempoolEntry,
		}},
		{needs: needFees, Method: Method{
			Name: "estimatesmartfee", Category: "Util",
			Help: `Estimates the approximate fee per kilobyte needed for a transaction to begin
confirmation within conf_target blocks if possible and return the number of blocks
for which the estimate is valid.`,
			Params: []Param{
				{Name: "conf_target", Type: TypeNumber, Help: "Confirmation target in blocks (1 - 1008)"},
				{Name: "estimate_mode", Type: TypeString, Optional: true, Default: `"economical"`,
					Help: `The fee estimate mode: "unset", "economical" or "conservative"`},
			},
			Result: `{
  "feerate" : n,         (numeric, optional) estimate fee rate in coins/kvB (only present if no errors were encountered)
  "errors" : [ "str" ],  (json array, optional) Errors encountered during processing (if there are any)
  "blocks" : n           (numeric) block number where estimate was found
}`,
			Examples: []string{`[6]`, `[6,"conservative"]`},
			Handler:  e.estimateSmartFee,
		}},
	}
}

func (e *env) getMempoolInfo(ctx context.Context, _ *Request) (any, error) {
	m, err := e.b.Mempool.Info(ctx)
	if err != nil {
		return nil, backendError("mempool", err)
	}
	type result struct {
		Loaded              bool   `json:"loaded"`
		Size                int64  `json:"size"`
		Bytes               int64  `json:"bytes"`
		Usage               int64  `json:"usage"`
		TotalFee            Amount `json:"total_fee"`
		MaxMempool          int64  `json:"maxmempool"`
		MempoolMinFee       Amount `json:"mempoolminfee"`
		MinRelayTxFee       Amount `json:"minrelaytxfee"`
		IncrementalRelayFee Amount `json:"incrementalrelayfee"`
		UnbroadcastCount    int64  `json:"unbroadcastcount"`
		FullRBF             bool   `json:"fullrbf"`
	}
	return result{m.Loaded, m.Size, m.Bytes, m.Usage, Amount(m.TotalFee), m.MaxMempool, Amount(m.MempoolMinFee),
		Amount(m.MinRelayTxFee), Amount(m.IncrementalRelayFee), m.UnbroadcastCount, m.FullRBF}, nil
}

// mempoolEntryJSON is getmempoolentry's object, Core's fields and order.
type mempoolEntryJSON struct {
	VSize           int64  `json:"vsize"`
	Weight          int64  `json:"weight"`
	Time            int64  `json:"time"`
	Height          int32  `json:"height"`
	DescendantCount int64  `json:"descendantcount"`
	DescendantSize  int64  `json:"descendantsize"`
	AncestorCount   int64  `json:"ancestorcount"`
	AncestorSize    int64  `json:"ancestorsize"`
	WTxID           string `json:"wtxid"`
	Fees            struct {
		Base       Amount `json:"base"`
		Modified   Amount `json:"modified"`
		Ancestor   Amount `json:"ancestor"`
		Descendant Amount `json:"descendant"`
	} `json:"fees"`
	Depends     []chainhash.Hash `json:"depends"`
	SpentBy     []chainhash.Hash `json:"spentby"`
	Replaceable bool             `json:"bip125-replaceable"`
	Unbroadcast bool             `json:"unbroadcast"`
}

func entryJSON(m *MempoolEntry) mempoolEntryJSON {
	j := mempoolEntryJSON{VSize: m.VSize, Weight: m.Weight, Time: m.Time, Height: m.Height,
		DescendantCount: m.DescendantCount, DescendantSize: m.DescendantSize, AncestorCount: m.AncestorCount,
		AncestorSize: m.AncestorSize, WTxID: m.WTxID.String(), Depends: m.Depends, SpentBy: m.SpentBy,
		Replaceable: m.BIP125Replaceable, Unbroadcast: m.Unbroadcast}
	j.Fees.Base, j.Fees.Modified = Amount(m.Fee), Amount(m.ModifiedFee)
	j.Fees.Ancestor, j.Fees.Descendant = Amount(m.AncestorFees), Amount(m.DescendantFees)
	if j.Depends == nil {
		j.Depends = []chainhash.Hash{}
	}
	if j.SpentBy == nil {
		j.SpentBy = []chainhash.Hash{}
	}
	return j
}

func (e *env) getRawMempool(ctx context.Context, req *Request) (any, error) {
	a := newArgs(req)
	verbose := a.bool(0, false)
	withSeq := a.bool(1, false)
	if a.err != nil {
		return nil, a.err
	}
	if verbose && withSeq {
		return nil, Errorf(CodeInvalidParameter, "Verbose results cannot contain mempool sequence values.")
	}
	entries, seq, err := e.b.Mempool.Entries(ctx)
	if err != nil {
		return nil, backendError("mempool", err)
	}
	if verbose {
		b := []byte{'{'}
		for i := range entries {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '"')
			b = appendHashHex(b, entries[i].TxID)
			b = append(b, `":`...)
			j, err := marshalResult(entryJSON(&entries[i]))
			if err != nil {
				return nil, err
			}
			b = append(b, j...)
		}
		return json.RawMessage(append(b, '}')), nil
	}
	ids := make([]chainhash.Hash, len(entries))
	for i := range entries {
		ids[i] = entries[i].TxID
	}
	if !withSeq {
		return ids, nil
	}
	return struct {
		TxIDs []chainhash.Hash `json:"txids"`
		Seq   uint64           `json:"mempool_sequence"`
	}{ids, seq}, nil
}

func (e *env) getMempoolEntry(ctx context.Context, req *Request) (any, error) {
	a := newArgs(req)
	txid := a.hash(0, "txid")
	if a.err != nil {
		return nil, a.err
	}
	m, err := e.b.Mempool.Entry(ctx, txid)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(CodeInvalidAddressOrKey, "Transaction not in mempool")
	}
	if err != nil {
		return nil, backendError("mempool", err)
	}
	return entryJSON(&m), nil
}

func (e *env) estimateSmartFee(ctx context.Context, req *Request) (any, error) {
	a := newArgs(req)
	target := a.int64(0, 0)
	mode := "economical"
	if a.has(1) {
		mode = strings.ToLower(a.str(1))
	}
	if a.err != nil {
		return nil, a.err
	}
	const maxTarget = 1008
	if target < 1 || target > maxTarget {
		return nil, Errorf(CodeInvalidParameter, "Invalid conf_target, must be between 1 and %d", maxTarget)
	}
	if mode != "unset" && mode != "economical" && mode != "conservative" {
		return nil, Errorf(CodeInvalidParameter, `Invalid estimate_mode parameter, must be one of: "unset", "economical", "conservative"`)
	}
	est, err := e.b.Fees.EstimateSmartFee(ctx, int(target), mode == "conservative")
	if err != nil {
		return nil, backendError("fee estimator", err)
	}
	type result struct {
		FeeRate *Amount  `json:"feerate,omitempty"`
		Errors  []string `json:"errors,omitempty"`
		Blocks  int      `json:"blocks"`
	}
	if est.FeeRate <= 0 {
		return result{Errors: []string{"Insufficient data or no feerate found"}, Blocks: est.Blocks}, nil
	}
	rate := est.FeeRate
	if e.b.Mempool != nil { // never below what the mempool would take, as Core
		if m, err := e.b.Mempool.Info(ctx); err == nil {
			rate = max(rate, m.MempoolMinFee, m.MinRelayTxFee)
		}
	}
	r := Amount(rate)
	return result{FeeRate: &r, Blocks: est.Blocks}, nil
}
