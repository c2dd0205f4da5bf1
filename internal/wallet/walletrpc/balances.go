package walletrpc

import (
	"context"

	"github.com/ballast-chain/ballast/internal/rpc"
	"github.com/ballast-chain/ballast/internal/wallet"
	"github.com/ballast-chain/ballast/internal/wire"
)

type ctxT = context.Context

func balanceMethods(m *wallet.Manager) []rpc.Method {
	return []rpc.Method{
		{Name: "getbalance", Help: "Returns the spendable balance of an asset (the native coin by default).",
			Params: []rpc.Param{opt(str("dummy", `"*"`)), opt(num("minconf", "minimum confirmations (0)")),
				opt(boolean("include_watchonly", "unused")), opt(boolean("avoid_reuse", "unused")), opt(str("asset", "asset id"))},
			Handler: withWallet(m, func(w *wallet.Wallet, a *rpc.Args) (any, error) {
				minConf, as := a.Int64(1, 0), asset(a, 4)
				if err := a.Err(); err != nil {
					return nil, err
				}
				return rpc.Amount(w.Balance(as, int32(minConf))), nil
			})},
		{Name: "getbalances", Help: "Returns balances split as trusted, untrusted_pending and immature; \"assets\" holds issued assets.",
			Handler: withWallet(m, func(w *wallet.Wallet, _ *rpc.Args) (any, error) {
				bs := w.Balances()
				mine := func(b *wallet.Balance) map[string]any {
					return map[string]any{"trusted": rpc.Amount(b.Trusted), "untrusted_pending": rpc.Amount(b.UntrustedPending), "immature": rpc.Amount(b.Immature)}
				}
				assets := map[string]any{}
				for id, b := range bs {
					if !id.IsNative() {
						assets[id.String()] = mine(b)
					}
				}
				key := "mine"
				if !w.HasPrivateKeys() {
					key = "watchonly"
				}
				return map[string]any{key: mine(bs[wire.NativeAsset]), "assets": assets}, nil
			})},
		{Name: "listunspent", Help: "Lists unspent outputs with minconf..maxconf confirmations, optionally of one asset.",
			Params: []rpc.Param{opt(num("minconf", "1")), opt(num("maxconf", "9999999")),
				opt(rpc.Param{Name: "addresses", Type: rpc.TypeArray, Help: "only these addresses"}),
				opt(boolean("include_unsafe", "include untrusted unconfirmed outputs")),
				opt(rpc.Param{Name: "query_options", Type: rpc.TypeObject, Help: `{"asset": id}`})},
			Handler: withWallet(m, func(w *wallet.Wallet, a *rpc.Args) (any, error) {
				minc, maxc, unsafe := a.Int64(0, 1), a.Int64(1, 9999999), a.Bool(3, true)
				var addrs []string
				if r := a.Raw(2); r != nil {
					_ = jsonUnmarshal(r, &addrs)
				}
				var q struct {
					Asset string `json:"asset"`
				}
				if r := a.Raw(4); r != nil {
					_ = jsonUnmarshal(r, &q)
				}
				if err := a.Err(); err != nil {
					return nil, err
				}
				only := map[string]bool{}
				for _, s := range addrs {
					only[s] = true
				}
				out := []map[string]any{}
				for _, c := range w.Coins() {
					if int64(c.Confirmations) < minc || int64(c.Confirmations) > maxc || (!unsafe && !c.Trusted) ||
						(len(only) > 0 && !only[c.Address]) || (q.Asset != "" && assetKey(c.Out.Asset) != q.Asset) {
						continue
					}
					out = append(out, map[string]any{"txid": c.OutPoint.Hash.String(), "vout": c.OutPoint.Index,
						"address": c.Address, "label": c.Label, "amount": rpc.Amount(c.Out.Value), "asset": assetKey(c.Out.Asset),
						"confirmations": c.Confirmations, "spendable": c.Mature && w.HasPrivateKeys(), "solvable": true,
						"safe": c.Trusted, "locked": c.Locked, "coinbase": c.Coinbase})
				}
				return out, nil
			})},
		{Name: "lockunspent", Help: "Locks (unlock=false) or unlocks outputs for coin selection.",
			Params: []rpc.Param{boolean("unlock", "true to unlock"), opt(rpc.Param{Name: "transactions", Type: rpc.TypeArray, Help: `[{"txid","vout"}]`}),
				opt(boolean("persistent", "keep the lock in the wallet file"))},
			Handler: withWallet(m, func(w *wallet.Wallet, a *rpc.Args) (any, error) {
				unlock, persistent := a.Bool(0, false), a.Bool(2, false)
				var ops []struct {
					TxID string `json:"txid"`
					Vout *int64 `json:"vout"`
				}
				if r := a.Raw(1); r != nil {
					if err := jsonUnmarshal(r, &ops); err != nil {
						return nil, rpc.Errorf(rpc.CodeInvalidParameter, "transactions: %v", err)
					}
				}
				if err := a.Err(); err != nil {
					return nil, err
				}
				if a.Raw(1) == nil {
					if !unlock {
						return nil, rpc.Errorf(rpc.CodeInvalidParameter, "Invalid parameter, transactions is required when locking")
					}
					return true, w.UnlockAll()
				}
				for _, o := range ops {
					if o.Vout == nil || *o.Vout < 0 || *o.Vout > 1<<32-1 {
						return nil, rpc.Errorf(rpc.CodeInvalidParameter, "Invalid parameter, vout cannot be negative")
					}
					op, err := wallet.ParseOutPoint(o.TxID, uint32(*o.Vout))
					if err != nil {
						return nil, err
					}
					if err := w.LockCoin(op, !unlock, persistent); err != nil {
						return nil, err
					}
				}
				return true, nil
			})},
		{Name: "listlockunspent", Help: "Lists locked outputs.",
			Handler: withWallet(m, func(w *wallet.Wallet, _ *rpc.Args) (any, error) {
				out := []map[string]any{}
				for _, op := range w.LockedCoins() {
					out = append(out, map[string]any{"txid": op.Hash.String(), "vout": op.Index})
				}
				return out, nil
			})},
		{Name: "listtransactions", Help: "Lists the most recent wallet transactions.",
			Params: []rpc.Param{opt(str("label", `"*"`)), opt(num("count", "10")), opt(num("skip", "0")), opt(boolean("include_watchonly", "unused"))},
			Handler: withWallet(m, func(w *wallet.Wallet, a *rpc.Args) (any, error) {
				count, skip := a.Int64(1, 10), a.Int64(2, 0)
				if err := a.Err(); err != nil {
					return nil, err
				}
				if count < 0 || skip < 0 {
					return nil, rpc.Errorf(rpc.CodeInvalidParameter, "Negative count or from")
				}
				es := w.Transactions()
				end := max(int64(len(es))-skip, 0)
				start := max(end-count, 0)
				return entriesJSON(es[start:end]), nil
			})},
		{Name: "listsinceblock", Help: "Lists transactions since a block.",
			Params: []rpc.Param{opt(str("blockhash", "block hash"))},
			Handler: withWallet(m, func(w *wallet.Wallet, a *rpc.Args) (any, error) {
				var h [32]byte
				if a.Has(0) {
					h = a.Hash(0, "blockhash")
				}
				if err := a.Err(); err != nil {
					return nil, err
				}
				es, tip, err := w.Since(h)
				if err != nil {
					return nil, err
				}
				return map[string]any{"transactions": entriesJSON(es), "removed": []any{}, "lastblock": tip.String()}, nil
			})},
		{Name: "gettransaction", Help: "Returns a wallet transaction.",
			Params: []rpc.Param{str("txid", "transaction id"), opt(boolean("include_watchonly", "unused")), opt(boolean("verbose", "unused"))},
			Handler: withWallet(m, func(w *wallet.Wallet, a *rpc.Args) (any, error) {
				id := a.Hash(0, "txid")
				if err := a.Err(); err != nil {
					return nil, err
				}
				d, err := w.Transaction(id)
				if err != nil {
					return nil, err
				}
				res := entryJSON(d.Entry)
				delete(res, "category")
				delete(res, "address")
				delete(res, "vout")
				res["amount"] = rpc.Amount(d.Amount[wire.NativeAsset])
				if d.Fee != 0 {
					res["fee"] = rpc.Amount(d.Fee)
				}
				assets := map[string]rpc.Amount{}
				for id, v := range d.Amount {
					if !id.IsNative() {
						assets[id.String()] = rpc.Amount(v)
					}
				}
				res["assets"] = assets
				res["details"] = entriesJSON(d.Entries)
				res["hex"] = hexOf(d.Tx.Bytes())
				return res, nil
			})},
	}
}

func entriesJSON(es []wallet.Entry) []map[string]any {
	out := make([]map[string]any, 0, len(es))
	for _, e := range es {
		out = append(out, entryJSON(e))
	}
	return out
}

func entryJSON(e wallet.Entry) map[string]any {
	r := map[string]any{"txid": e.TxID.String(), "category": e.Category, "address": e.Address, "vout": e.Vout,
		"amount": rpc.Amount(e.Amount), "asset": assetKey(e.Asset), "confirmations": e.Confirmations,
		"time": e.Time, "timereceived": e.Time, "abandoned": e.Abandoned,
		"bip125-replaceable": map[bool]string{true: "yes", false: "no"}[e.Replaceable]}
	if e.Category == "send" {
		r["fee"] = rpc.Amount(e.Fee)
	}
	if e.Label != "" {
		r["label"] = e.Label
	}
	if e.Confirmations > 0 {
		r["blockhash"], r["blockheight"], r["blocktime"] = e.BlockHash.String(), e.BlockHeight, e.BlockTime
	}
	if e.Confirmations > 0 && e.Category != "" && e.Category[0] == 'g' {
		r["generated"] = true
	}
	if !e.ReplacedBy.IsZero() {
		r["replaced_by_txid"] = e.ReplacedBy.String()
	}
	return r
}
