package rpc

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/wire"
)

const blockHashExample = `["4e2eb180092ac06175d5bc41a0cb015409ea6ea0fec5cf4bf8e0c5da0b7d8c65"]`

const headerResultHelp = `{
  "hash" : "hex",              (string) the block hash (same as provided)
  "confirmations" : n,         (numeric) The number of confirmations, or -1 if the block is not on the main chain
  "height" : n,                (numeric) The block height or index
  "version" : n,               (numeric) The block version
  "versionHex" : "hex",        (string) The block version formatted in hexadecimal
  "merkleroot" : "hex",        (string) The merkle root
  "time" : xxx,                (numeric) The block time expressed in UNIX epoch time
  "mediantime" : xxx,          (numeric) The median block time expressed in UNIX epoch time
  "nonce" : n,                 (numeric) The nonce
  "bits" : "hex",              (string) nBits: compact representation of the block difficulty target
  "target" : "hex",            (string) The difficulty target
  "difficulty" : n,            (numeric) The difficulty (1 = the network's proof-of-work limit)
  "chainwork" : "hex",         (string) Expected number of hashes required to produce the current chain
  "nTx" : n,                   (numeric) The number of transactions in the block
  "previousblockhash" : "hex", (string, optional) The hash of the previous block (if available)
  "nextblockhash" : "hex"      (string, optional) The hash of the next block (if available)
}`

func (e *env) chainMethods() []spec {
	hashParam := Param{Name: "blockhash", Type: TypeString, Help: "the block hash"}
	return []spec{
		{needs: needChain, Method: Method{
			Name: "getblockchaininfo", Category: "Blockchain",
			Help: "Returns an object containing various state info regarding blockchain processing.",
			Result: `{
  "chain" : "str",                 (string) network name (mainnet, testnet, regtest or a file network's name)
  "blocks" : n,                    (numeric) the height of the most-work fully-validated chain
  "headers" : n,                   (numeric) the current number of headers we have validated
  "bestblockhash" : "hex",         (string) the hash of the currently best block
  "bits" : "hex",                  (string) nBits of the best block
  "target" : "hex",                (string) the difficulty target of the best block
  "difficulty" : n,                (numeric) the current difficulty
  "time" : xxx,                    (numeric) The block time expressed in UNIX epoch time
  "mediantime" : xxx,              (numeric) The median block time expressed in UNIX epoch time
  "verificationprogress" : n,      (numeric) estimate of verification progress [0..1]
  "initialblockdownload" : true|false, (boolean) whether the node is in initial block download
  "chainwork" : "hex",             (string) total amount of work in active chain, in hexadecimal
  "size_on_disk" : n,              (numeric) the estimated size of the block and undo files on disk
  "pruned" : true|false,           (boolean) if the blocks are subject to pruning
  "pruneheight" : n,               (numeric, optional) height of the last block pruned, plus one (only present if pruning is enabled)
  "warnings" : [ "str", ... ]      (json array) any network and blockchain warnings
}`,
			Handler: e.getBlockchainInfo,
		}},
		{needs: needChain, Method: Method{
			Name: "getblockcount", Category: "Blockchain",
			Help:   "Returns the height of the most-work fully-validated chain.\nThe genesis block has height 0.",
			Result: "n    (numeric) The current block count",
			Handler: func(ctx context.Context, _ *Request) (any, error) {
				st, err := e.chainState(ctx)
				if err != nil {
					return nil, backendError("chain state", err)
				}
				return st.Tip.Height, nil
			},
		}},
		{needs: needChain, Method: Method{
			Name: "getbestblockhash", Category: "Blockchain",
			Help:   "Returns the hash of the best (tip) block in the most-work fully-validated chain.",
			Result: `"hex"    (string) the block hash, hex-encoded`,
			Handler: func(ctx context.Context, _ *Request) (any, error) {
				st, err := e.chainState(ctx)
				if err != nil {
					return nil, backendError("chain state", err)
				}
				return st.Tip.Hash, nil
			},
		}},
		{needs: needChain, Method: Method{
			Name: "getblockhash", Category: "Blockchain",
			Help:     "Returns hash of block in best-block-chain at height provided.",
			Params:   []Param{{Name: "height", Type: TypeNumber, Help: "The height index"}},
			Result:   `"hex"    (string) The block hash`,
			Examples: []string{`[1000]`},
			Handler:  e.getBlockHash,
		}},
		{needs: needChain, Method: Method{
			Name: "getblock", Category: "Blockchain",
			Help: `If verbosity is 0, returns a string that is serialized, hex-encoded data for block 'hash'.
If verbosity is 1, returns an Object with information about block <hash>.
If verbosity is 2, returns an Object with information about block <hash> and information about each transaction.`,
			Params: []Param{hashParam, {Name: "verbosity", Aliases: []string{"verbose"}, Type: TypeNumber | TypeBool,
				Optional: true, Default: "1",
				Help: "0 for hex-encoded data, 1 for a JSON object, 2 (or more) for a JSON object with transaction data"}},
			Result: `Result (for verbosity = 0):
"hex"    (string) A string that is serialized, hex-encoded data for block 'hash'

Result (for verbosity = 1): the fields of getblockheader, then
  "strippedsize" : n,   (numeric) The block size excluding witness data
  "size" : n,           (numeric) The block size
  "weight" : n,         (numeric) The block weight
  "tx" : [ "hex", ... ] (json array) The transaction ids

Result (for verbosity = 2): as for 1, except that "tx" holds transaction objects
  (the decoderawtransaction format plus "fee" when known and "hex")`,
			Examples: []string{blockHashExample, `["4e2eb180092ac06175d5bc41a0cb015409ea6ea0fec5cf4bf8e0c5da0b7d8c65",2]`},
			Handler:  e.getBlock,
		}},
		{needs: needChain, Method: Method{
			Name: "getblockheader", Category: "Blockchain",
			Help: `If verbose is false, returns a string that is serialized, hex-encoded data for blockheader 'hash'.
If verbose is true, returns an Object with information about blockheader <hash>.`,
			Params: []Param{hashParam, {Name: "verbose", Type: TypeBool, Optional: true, Default: "true",
				Help: "true for a json object, false for the hex-encoded data"}},
			Result:   "Result (for verbose = true):\n" + headerResultHelp + "\n\nResult (for verbose=false):\n\"hex\"    (string) A string that is serialized, hex-encoded data for block 'hash'",
			Examples: []string{blockHashExample},
			Handler:  e.getBlockHeader,
		}},
		{needs: needChain, Method: Method{
			Name: "getchaintips", Category: "Blockchain",
			Help: "Return information about all known tips in the block tree, including the main chain as well as orphaned branches.",
			Result: `[
  {
    "height" : n,       (numeric) height of the chain tip
    "hash" : "hex",     (string) block hash of the tip
    "branchlen" : n,    (numeric) zero for main chain, otherwise length of branch connecting the tip to the main chain
    "status" : "str"    (string) "invalid", "headers-only", "valid-headers", "valid-fork" or "active"
  },
  ...
]`,
			Handler: func(ctx context.Context, _ *Request) (any, error) {
				tips, err := e.b.Chain.ChainTips(ctx)
				if err != nil {
					return nil, backendError("chain tips", err)
				}
				if tips == nil {
					tips = []ChainTip{}
				}
				return tips, nil
			},
		}},
		{needs: needChain, Method: Method{
			Name: "getdifficulty", Category: "Blockchain",
			Help:   "Returns the proof-of-work difficulty as a multiple of the network's minimum difficulty (its proof-of-work limit).",
			Result: "n    (numeric) the proof-of-work difficulty as a multiple of the minimum difficulty.",
			Handler: func(ctx context.Context, _ *Request) (any, error) {
				st, err := e.chainState(ctx)
				if err != nil {
					return nil, backendError("chain state", err)
				}
				return json.RawMessage(appendFloat(nil, Difficulty(st.Tip.Header.Bits, e.params.PowLimitBits))), nil
			},
		}},
		{needs: needChain, Method: Method{
			Name: "gettxout", Category: "Blockchain",
			Help: "Returns details about an unspent transaction output.",
			Params: []Param{
				{Name: "txid", Type: TypeString, Help: "The transaction id"},
				{Name: "n", Type: TypeNumber, Help: "vout number"},
				{Name: "include_mempool", Type: TypeBool, Optional: true, Default: "true",
					Help: "Whether to include the mempool. Note that an unspent output that is spent in the mempool won't appear."},
			},
			Result: `Result (If the UTXO was not found):
null    (json null)

Result (Otherwise):
{
  "bestblock" : "hex",    (string) The hash of the block at the tip of the chain
  "confirmations" : n,    (numeric) The number of confirmations (0 for a mempool output)
  "value" : n,            (numeric) The transaction value
  "asset" : "str",        (string) "native" or the asset id
  "lock" : { "type" : "str", "address" : "str", "hex" : "hex" },  (json object) The output lock
  "coinbase" : true|false (boolean) Coinbase or not
}`,
			Examples: []string{`["0ab1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1",1]`},
			Handler:  e.getTxOut,
		}},
		{needs: needChain, Method: Method{
			Name: "gettxoutsetinfo", Category: "Blockchain",
			Help: "Returns statistics about the unspent transaction output set.\nNote this call may take some time if you are not using hash_type none.",
			Params: []Param{
				{Name: "hash_type", Type: TypeString, Optional: true, Default: "hash_serialized_3",
					Help: "Which UTXO set hash should be calculated. Options: 'hash_serialized_3' (Ballast's serialized-set hash), 'none'."},
				{Name: "hash_or_height", Type: TypeNumber | TypeString, Optional: true, Default: "the current best block",
					Help: "The block hash or height of the target height (needs a coin statistics index, which Ballast does not have yet)"},
				{Name: "use_index", Type: TypeBool, Optional: true, Default: "true", Help: "Use coinstatsindex, if available."},
			},
			Result: `{
  "height" : n,                 (numeric) The block height (index) of the returned statistics
  "bestblock" : "hex",          (string) The hash of the block at which these statistics are calculated
  "txouts" : n,                 (numeric) The number of unspent transaction outputs
  "bogosize" : n,               (numeric) Database-independent, meaningless metric indicating the UTXO set size
  "hash_serialized_3" : "hex",  (string, optional) The serialized hash (only present if 'hash_serialized_3' hash_type is chosen)
  "total_amount" : n,           (numeric) The total amount of the native coin in the UTXO set
  "transactions" : n,           (numeric) The number of transactions with unspent outputs
  "disk_size" : n               (numeric) The estimated size of the chainstate on disk
}`,
			Examples: []string{`[]`, `["none"]`},
			Handler:  e.getTxOutSetInfo,
		}},
		{needs: needChain, Method: Method{
			Name: "dumpblocks", Category: "Blockchain",
			Help: `Writes the best chain's blocks to a block file that ballast node -loadblock imports (Bitcoin Core's
blk*.dat layout: network magic, 4-byte little-endian size, block). Unlike dumptxoutset's snapshot, the
importing node verifies every block. An existing file is not overwritten.`,
			Params: []Param{
				{Name: "path", Type: TypeString, Help: "Path to the output file. If relative, will be prefixed by datadir."},
				{Name: "start", Type: TypeNumber, Optional: true, Default: "0", Help: "The first block height to write"},
				{Name: "end", Type: TypeNumber, Optional: true, Default: "the tip", Help: "The last block height to write"},
			},
			Result: `{
  "path" : "str",    (string) The absolute path of the file written
  "start" : n,       (numeric) The first height written
  "end" : n,         (numeric) The last height written
  "blocks" : n,      (numeric) The number of blocks written
  "bytes" : n        (numeric) The size of the file
}`,
			Examples: []string{`["blocks.dat"]`, `["blocks.dat",1,5]`},
			Handler:  e.dumpBlocks,
		}},
		{needs: needChain, Method: Method{
			Name: "invalidateblock", Category: "Blockchain",
			Help:     "Permanently marks a block as invalid, as if it violated a consensus rule.",
			Params:   []Param{{Name: "blockhash", Type: TypeString, Help: "the hash of the block to mark as invalid"}},
			Result:   "null    (json null)",
			Examples: []string{blockHashExample},
			Handler: func(ctx context.Context, req *Request) (any, error) {
				return e.changeBlock(ctx, req, e.b.Chain.InvalidateBlock)
			},
		}},
		{needs: needChain, Method: Method{
			Name: "reconsiderblock", Category: "Blockchain",
			Help: `Removes invalidity status of a block, its ancestors and its descendants, reconsider them for activation.
This can be used to undo the effects of invalidateblock.`,
			Params:   []Param{{Name: "blockhash", Type: TypeString, Help: "the hash of the block to reconsider"}},
			Result:   "null    (json null)",
			Examples: []string{blockHashExample},
			Handler: func(ctx context.Context, req *Request) (any, error) {
				return e.changeBlock(ctx, req, e.b.Chain.ReconsiderBlock)
			},
		}},
	}
}

func (e *env) getBlockchainInfo(ctx context.Context, _ *Request) (any, error) {
	st, err := e.chainState(ctx)
	if err != nil {
		return nil, backendError("chain state", err)
	}
	t := &st.Tip
	type result struct {
		Chain                string          `json:"chain"`
		Blocks               int32           `json:"blocks"`
		Headers              int32           `json:"headers"`
		BestBlockHash        string          `json:"bestblockhash"`
		Bits                 string          `json:"bits"`
		Target               string          `json:"target"`
		Difficulty           json.RawMessage `json:"difficulty"`
		Time                 uint32          `json:"time"`
		MedianTime           uint32          `json:"mediantime"`
		VerificationProgress float64         `json:"verificationprogress"`
		InitialBlockDownload bool            `json:"initialblockdownload"`
		ChainWork            string          `json:"chainwork"`
		SizeOnDisk           int64           `json:"size_on_disk"`
		Pruned               bool            `json:"pruned"`
		PruneHeight          *int32          `json:"pruneheight,omitempty"`
		Warnings             []string        `json:"warnings"`
	}
	r := result{
		Chain: e.params.Name, Blocks: t.Height, Headers: st.Headers, BestBlockHash: t.Hash.String(),
		Bits: fmt.Sprintf("%08x", t.Header.Bits), Target: string(appendTarget(nil, t.Header.Bits)),
		Difficulty: appendFloat(nil, Difficulty(t.Header.Bits, e.params.PowLimitBits)),
		Time:       t.Header.Timestamp, MedianTime: t.MedianTime, VerificationProgress: st.VerificationProgress,
		InitialBlockDownload: st.InitialBlockDownload, ChainWork: string(appendWork(nil, t)),
		SizeOnDisk: st.SizeOnDisk, Pruned: st.Pruned, Warnings: st.Warnings,
	}
	if st.Pruned {
		r.PruneHeight = &st.PruneHeight
	}
	if r.Warnings == nil {
		r.Warnings = []string{}
	}
	return r, nil
}

func (e *env) getBlockHash(ctx context.Context, req *Request) (any, error) {
	a := newArgs(req)
	height := a.int64(0, 0)
	if a.err != nil {
		return nil, a.err
	}
	if height < 0 || height > 1<<31-1 {
		return nil, Errorf(CodeInvalidParameter, "Block height out of range")
	}
	h, err := e.b.Chain.BlockHash(ctx, int32(height))
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(CodeInvalidParameter, "Block height out of range")
	}
	if err != nil {
		return nil, backendError("block hash", err)
	}
	return h, nil
}

func (e *env) getBlock(ctx context.Context, req *Request) (any, error) {
	a := newArgs(req)
	hash := a.hash(0, "blockhash")
	verbosity := a.verbosity(1, 1)
	if a.err != nil {
		return nil, a.err
	}
	info, err := e.blockInfo(ctx, hash)
	if err != nil {
		return nil, err
	}
	st, err := e.chainState(ctx)
	if err != nil {
		return nil, backendError("chain state", err)
	}
	blk, err := e.block(ctx, hash, st.Pruned)
	if err != nil {
		return nil, err
	}
	if verbosity <= 0 {
		return hex.EncodeToString(blk.Bytes()), nil
	}
	o := BlockOptions{HRP: e.params.Bech32HRP, PowLimitBits: e.params.PowLimitBits, TipHeight: st.Tip.Height, Verbosity: 1}
	if verbosity >= 2 {
		o.Verbosity = 2
		if info.InMainChain {
			o.Undo, err = e.b.Chain.BlockUndo(ctx, hash)
			if err != nil {
				return nil, backendError("block undo", err)
			}
		}
	}
	return json.RawMessage(AppendBlockJSON(nil, blk, &info, &o)), nil
}

func (e *env) getBlockHeader(ctx context.Context, req *Request) (any, error) {
	a := newArgs(req)
	hash := a.hash(0, "blockhash")
	verbose := a.bool(1, true)
	if a.err != nil {
		return nil, a.err
	}
	info, err := e.blockInfo(ctx, hash)
	if err != nil {
		return nil, err
	}
	if !verbose {
		return HeaderHex(&info.Header), nil
	}
	st, err := e.chainState(ctx)
	if err != nil {
		return nil, backendError("chain state", err)
	}
	return json.RawMessage(AppendHeaderJSON(nil, &info, st.Tip.Height, e.params.PowLimitBits)), nil
}

func (e *env) getTxOut(ctx context.Context, req *Request) (any, error) {
	a := newArgs(req)
	txid := a.hash(0, "txid")
	n := a.int64(1, 0)
	withMempool := a.bool(2, true) && e.b.Mempool != nil
	if a.err != nil {
		return nil, a.err
	}
	if n < 0 || n > 1<<32-1 {
		return nil, Errorf(CodeMisc, "JSON integer out of range")
	}
	op := wire.OutPoint{Hash: txid, Index: uint32(n)}
	if withMempool {
		spent, err := e.b.Mempool.IsSpent(ctx, op)
		if err != nil {
			return nil, backendError("mempool", err)
		}
		if spent {
			return nil, nil
		}
	}
	st, err := e.chainState(ctx)
	if err != nil {
		return nil, backendError("chain state", err)
	}
	var out *wire.TxOut
	var confs int64
	coinbase := false
	entry, err := e.b.Chain.FetchUtxo(ctx, op)
	if err != nil {
		return nil, backendError("utxo", err)
	}
	if entry != nil {
		out, confs, coinbase = &entry.Out, int64(st.Tip.Height)-int64(entry.Height)+1, entry.Coinbase
	} else if withMempool {
		tx, err := e.b.Mempool.Tx(ctx, txid)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return nil, backendError("mempool", err)
		case int(op.Index) < len(tx.TxOut) && tx.TxOut[op.Index].Lock.Kind != wire.LockBurn:
			out = &tx.TxOut[op.Index]
		}
	}
	if out == nil {
		return nil, nil
	}
	b := append([]byte(`{"bestblock":"`), appendHashHex(nil, st.Tip.Hash)...)
	b = append(b, '"')
	b = appendIntField(b, "confirmations", confs)
	b = append(b, `,"value":`...)
	b = AppendAmount(b, out.Value)
	b = append(b, `,"asset":"`...)
	b = appendAsset(b, out.Asset)
	b = append(b, `","lock":`...)
	b = appendLock(b, out.Lock, e.params.Bech32HRP)
	b = append(b, `,"coinbase":`...)
	b = fmt.Append(b, coinbase)
	return json.RawMessage(append(b, '}')), nil
}

func (e *env) dumpBlocks(ctx context.Context, req *Request) (any, error) {
	a := newArgs(req)
	path := a.str(0)
	start, end := a.int64(1, 0), a.int64(2, -1)
	if a.err != nil {
		return nil, a.err
	}
	if path == "" {
		return nil, Errorf(CodeInvalidParameter, "path must not be empty")
	}
	if start < 0 || start > math.MaxInt32 || end < -1 || end > math.MaxInt32 || (end >= 0 && end < start) {
		return nil, Errorf(CodeInvalidParameter, "invalid height range %d..%d", start, end)
	}
	res, err := e.b.Chain.DumpBlocks(ctx, path, int32(start), int32(end))
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(CodeInvalidParameter, "Block height out of range")
	}
	if err != nil {
		return nil, Errorf(CodeMisc, "%v", err)
	}
	return struct {
		Path   string `json:"path"`
		Start  int32  `json:"start"`
		End    int32  `json:"end"`
		Blocks int    `json:"blocks"`
		Bytes  int64  `json:"bytes"`
	}{res.Path, res.Start, res.End, res.Blocks, res.Bytes}, nil
}

func (e *env) getTxOutSetInfo(ctx context.Context, req *Request) (any, error) {
	a := newArgs(req)
	hashType := "hash_serialized_3"
	if a.has(0) {
		hashType = a.str(0)
	}
	if a.err != nil {
		return nil, a.err
	}
	switch hashType {
	case "hash_serialized_3", "none":
	case "muhash":
		return nil, Errorf(CodeInvalidParameter, "hash_type muhash is not supported; use hash_serialized_3 or none")
	default:
		return nil, Errorf(CodeInvalidParameter, "'%s' is not a valid hash_type", hashType)
	}
	if a.has(1) {
		return nil, Errorf(CodeInvalidParameter, "Querying specific block heights requires coinstatsindex")
	}
	info, err := e.b.Chain.UtxoSetInfo(ctx, hashType != "none")
	if err != nil {
		return nil, backendError("utxo set", err)
	}
	type result struct {
		Height       int32  `json:"height"`
		BestBlock    string `json:"bestblock"`
		TxOuts       int64  `json:"txouts"`
		BogoSize     int64  `json:"bogosize"`
		Hash         string `json:"hash_serialized_3,omitempty"`
		TotalAmount  Amount `json:"total_amount"`
		Transactions int64  `json:"transactions"`
		DiskSize     int64  `json:"disk_size"`
	}
	r := result{Height: info.Height, BestBlock: info.BestBlock.String(), TxOuts: info.TxOuts, BogoSize: info.BogoSize,
		TotalAmount: Amount(info.TotalAmount), Transactions: info.Transactions, DiskSize: info.DiskSize}
	if hashType != "none" {
		r.Hash = info.Hash.String()
	}
	return r, nil
}

// changeBlock runs invalidateblock or reconsiderblock.
func (e *env) changeBlock(ctx context.Context, req *Request, f func(context.Context, chainhash.Hash) error) (any, error) {
	a := newArgs(req)
	hash := a.hash(0, "blockhash")
	if a.err != nil {
		return nil, a.err
	}
	err := f(ctx, hash)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(CodeInvalidAddressOrKey, "Block not found")
	}
	if err != nil {
		return nil, backendError(req.Method, err)
	}
	return nil, nil
}
