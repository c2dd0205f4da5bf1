package walletrpc

import (
	"encoding/hex"
	"encoding/json"
	"sort"

	"github.com/ballast-chain/ballast/internal/rpc"
	"github.com/ballast-chain/ballast/internal/wallet"
	"github.com/ballast-chain/ballast/internal/wallet/psbt"
	"github.com/ballast-chain/ballast/internal/wire"
)

func hexOf(b []byte) string { return hex.EncodeToString(b) }

// feeRateArg reads Core's fee_rate (base units per vbyte, as sat/vB) into
// a rate per 1,000 vbytes.
func feeRateArg(a *rpc.Args, i int) int64 {
	if !a.Has(i) {
		return 0
	}
	var v json.Number
	if err := json.Unmarshal(a.Raw(i), &v); err != nil {
		a.Fail(rpc.Errorf(rpc.CodeType, "fee_rate must be a number"))
		return 0
	}
	f, err := v.Float64()
	if err != nil || f <= 0 || f > 1e7 {
		a.Fail(rpc.Errorf(rpc.CodeInvalidParameter, "Invalid fee_rate"))
		return 0
	}
	return int64(f*1000 + 0.5)
}

// payments reads {"address": amount, ...} (Core's amounts object).
func payments(a *rpc.Args, i int, as wire.AssetID) []wallet.Payment {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(a.Raw(i), &m); err != nil {
		a.Fail(rpc.Errorf(rpc.CodeType, "amounts must be an object"))
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []wallet.Payment
	for _, k := range keys {
		v, err := rpc.ParseAmount(string(trimQuotes(m[k])))
		if err != nil || v <= 0 {
			a.Fail(rpc.Errorf(rpc.CodeType, "Invalid amount for %s", k))
			return nil
		}
		out = append(out, wallet.Payment{Address: k, Asset: as, Value: v})
	}
	return out
}

func trimQuotes(b []byte) []byte {
	if len(b) >= 2 && b[0] == '"' {
		return b[1 : len(b)-1]
	}
	return b
}

func sendMethods(m *wallet.Manager) []rpc.Method {
	send := func(w *wallet.Wallet, pays []wallet.Payment, o wallet.SendOptions) (any, error) {
		tx, _, err := w.Send(pays, o)
		if err != nil {
			return nil, err
		}
		return tx.TxHash().String(), nil
	}
	return []rpc.Method{
		{Name: "sendtoaddress", Help: "Sends an amount of an asset (the native coin by default) to an address; fees are paid in the native coin.",
			Params: []rpc.Param{str("address", "address"), amt("amount", "amount"), opt(str("comment", "unused")), opt(str("comment_to", "unused")),
				opt(boolean("subtractfeefromamount", "not supported")), opt(boolean("replaceable", "signal BIP125 (default true)")),
				opt(num("conf_target", "confirmation target")), opt(str("estimate_mode", "unused")), opt(boolean("avoid_reuse", "unused")),
				opt(rpc.Param{Name: "fee_rate", Type: rpc.TypeAmount, Help: "base units per vbyte"}), opt(boolean("verbose", "unused")),
				opt(str("asset", "asset id"))},
			Handler: withWallet(m, func(w *wallet.Wallet, a *rpc.Args) (any, error) {
				p := wallet.Payment{Address: a.String(0), Value: amount(a, 1), Asset: asset(a, 11)}
				o := wallet.SendOptions{NotReplaceable: !a.Bool(5, true), ConfTarget: int(a.Int64(6, 6)), FeeRate: feeRateArg(a, 9)}
				if a.Bool(4, false) {
					a.Fail(rpc.Errorf(rpc.CodeInvalidParameter, "subtractfeefromamount is not supported yet"))
				}
				if err := a.Err(); err != nil {
					return nil, err
				}
				return send(w, []wallet.Payment{p}, o)
			})},
		{Name: "sendmany", Help: "Sends to several addresses in one transaction.",
			Params: []rpc.Param{opt(str("dummy", `""`)), {Name: "amounts", Type: rpc.TypeObject, Help: `{"address": amount, ...}`},
				opt(num("minconf", "unused")), opt(str("comment", "unused")), opt(rpc.Param{Name: "subtractfeefrom", Type: rpc.TypeArray, Help: "not supported"}),
				opt(boolean("replaceable", "signal BIP125 (default true)")), opt(num("conf_target", "target")), opt(str("estimate_mode", "unused")),
				opt(rpc.Param{Name: "fee_rate", Type: rpc.TypeAmount, Help: "base units per vbyte"}), opt(boolean("verbose", "unused")),
				opt(str("asset", "asset id"))},
			Handler: withWallet(m, func(w *wallet.Wallet, a *rpc.Args) (any, error) {
				pays := payments(a, 1, asset(a, 10))
				o := wallet.SendOptions{NotReplaceable: !a.Bool(5, true), ConfTarget: int(a.Int64(6, 6)), FeeRate: feeRateArg(a, 8)}
				if err := a.Err(); err != nil {
					return nil, err
				}
				return send(w, pays, o)
			})},
		{Name: "send", Help: "Sends to outputs [{address: amount}, ...] (Core's send); returns {complete, txid} or a psbt for watch-only and multisig wallets.",
			Params: []rpc.Param{{Name: "outputs", Type: rpc.TypeArray | rpc.TypeObject, Help: "outputs"},
				opt(num("conf_target", "target")), opt(str("estimate_mode", "unused")),
				opt(rpc.Param{Name: "fee_rate", Type: rpc.TypeAmount, Help: "base units per vbyte"}),
				opt(rpc.Param{Name: "options", Type: rpc.TypeObject, Help: `{"asset": id, "replaceable": bool}`})},
			Handler: withWallet(m, func(w *wallet.Wallet, a *rpc.Args) (any, error) {
				var opts struct {
					Asset       string `json:"asset"`
					Replaceable *bool  `json:"replaceable"`
				}
				if r := a.Raw(4); r != nil {
					_ = json.Unmarshal(r, &opts)
				}
				as := wire.NativeAsset
				if opts.Asset != "" && opts.Asset != "native" {
					h, err := hexHash(opts.Asset)
					if err != nil {
						return nil, rpc.Errorf(rpc.CodeInvalidParameter, "asset must be a 64-character hex id")
					}
					as = wire.AssetID(h)
				}
				var pays []wallet.Payment
				r := a.Raw(0)
				var list []json.RawMessage
				if json.Unmarshal(r, &list) != nil {
					list = []json.RawMessage{r}
				}
				for _, item := range list {
					sub := rpc.NewArgs(&rpc.Request{Params: []json.RawMessage{item}})
					pays = append(pays, payments(sub, 0, as)...)
					if err := sub.Err(); err != nil {
						return nil, err
					}
				}
				o := wallet.SendOptions{ConfTarget: int(a.Int64(1, 6)), FeeRate: feeRateArg(a, 3),
					NotReplaceable: opts.Replaceable != nil && !*opts.Replaceable}
				if err := a.Err(); err != nil {
					return nil, err
				}
				if !w.HasPrivateKeys() || w.Kind() == wallet.KindMultisig {
					f, err := w.Fund(pays, o)
					if err != nil {
						return nil, err
					}
					if w.HasPrivateKeys() {
						if _, err := w.SignPacket(f.Packet); err != nil {
							return nil, err
						}
					}
					return map[string]any{"complete": false, "psbt": f.Packet.Base64()}, nil
				}
				tx, _, err := w.Send(pays, o)
				if err != nil {
					return nil, err
				}
				return map[string]any{"complete": true, "txid": tx.TxHash().String()}, nil
			})},
		{Name: "bumpfee", Help: "Replaces an unconfirmed wallet transaction with one paying a higher fee (from its change).",
			Params: []rpc.Param{str("txid", "transaction id"), opt(rpc.Param{Name: "options", Type: rpc.TypeObject, Help: `{"fee_rate": base units per vbyte}`})},
			Handler: withWallet(m, func(w *wallet.Wallet, a *rpc.Args) (any, error) {
				id := a.Hash(0, "txid")
				var opts struct {
					FeeRate json.Number `json:"fee_rate"`
				}
				if r := a.Raw(1); r != nil {
					_ = json.Unmarshal(r, &opts)
				}
				if err := a.Err(); err != nil {
					return nil, err
				}
				var rate int64
				if opts.FeeRate != "" {
					f, err := opts.FeeRate.Float64()
					if err != nil || f <= 0 {
						return nil, rpc.Errorf(rpc.CodeInvalidParameter, "Invalid fee_rate")
					}
					rate = int64(f*1000 + 0.5)
				}
				tx, oldFee, newFee, err := w.BumpFee(id, rate)
				if err != nil {
					return nil, err
				}
				return map[string]any{"txid": tx.TxHash().String(), "origfee": rpc.Amount(oldFee), "fee": rpc.Amount(newFee), "errors": []string{}}, nil
			})},
		{Name: "abandontransaction", Help: "Marks an unconfirmed transaction that left the mempool as abandoned.",
			Params: []rpc.Param{str("txid", "transaction id")},
			Handler: withWallet(m, func(w *wallet.Wallet, a *rpc.Args) (any, error) {
				id := a.Hash(0, "txid")
				if err := a.Err(); err != nil {
					return nil, err
				}
				return nil, w.Abandon(id)
			})},
	}
}

func psbtMethods(m *wallet.Manager) []rpc.Method {
	parse := func(a *rpc.Args, i int) *psbt.Packet {
		p, err := psbt.ParseBase64(a.String(i))
		if err != nil {
			a.Fail(rpc.Errorf(rpc.CodeDeserialization, "TX decode failed %v", err))
		}
		return p
	}
	return []rpc.Method{
		{Name: "walletcreatefundedpsbt", Help: "Funds a payment from the wallet and returns it as a partially signed transaction (Ballast's format, docs/wallet.md).",
			Params: []rpc.Param{opt(rpc.Param{Name: "inputs", Type: rpc.TypeArray, Help: "must be empty: the wallet selects"}),
				{Name: "outputs", Type: rpc.TypeObject, Help: `{"address": amount}`}, opt(num("locktime", "unused")),
				opt(rpc.Param{Name: "options", Type: rpc.TypeObject, Help: `{"asset", "fee_rate"}`})},
			Handler: withWallet(m, func(w *wallet.Wallet, a *rpc.Args) (any, error) {
				var opts struct {
					Asset   string      `json:"asset"`
					FeeRate json.Number `json:"fee_rate"`
				}
				if r := a.Raw(3); r != nil {
					_ = json.Unmarshal(r, &opts)
				}
				as := wire.NativeAsset
				if opts.Asset != "" && opts.Asset != "native" {
					h, err := hexHash(opts.Asset)
					if err != nil {
						return nil, rpc.Errorf(rpc.CodeInvalidParameter, "asset must be a 64-character hex id")
					}
					as = wire.AssetID(h)
				}
				pays := payments(a, 1, as)
				if err := a.Err(); err != nil {
					return nil, err
				}
				var o wallet.SendOptions
				if f, err := opts.FeeRate.Float64(); err == nil && f > 0 {
					o.FeeRate = int64(f*1000 + 0.5)
				}
				f, err := w.Fund(pays, o)
				if err != nil {
					return nil, err
				}
				return map[string]any{"psbt": f.Packet.Base64(), "fee": rpc.Amount(f.Fee), "changepos": f.ChangeIndex}, nil
			})},
		{Name: "walletprocesspsbt", Help: "Signs a partially signed transaction with the wallet's keys.",
			Params: []rpc.Param{str("psbt", "base64"), opt(boolean("sign", "true")), opt(str("sighashtype", "ALL only")), opt(boolean("bip32derivs", "unused")), opt(boolean("finalize", "true"))},
			Handler: withWallet(m, func(w *wallet.Wallet, a *rpc.Args) (any, error) {
				p := parse(a, 0)
				fin := a.Bool(4, true)
				if err := a.Err(); err != nil {
					return nil, err
				}
				if _, err := w.SignPacket(p); err != nil {
					return nil, err
				}
				done := false
				if fin {
					var err error
					if done, err = p.Finalize(); err != nil {
						return nil, rpc.Errorf(rpc.CodeWallet, "%v", err)
					}
				}
				res := map[string]any{"psbt": p.Base64(), "complete": done}
				if done {
					tx, _ := p.Extract()
					res["hex"] = hexOf(tx.Bytes())
				}
				return res, nil
			})},
		{Name: "combinepsbt", Help: "Merges the signatures of several copies of one partially signed transaction.",
			Params: []rpc.Param{{Name: "txs", Type: rpc.TypeArray, Help: "base64 packets"}},
			Handler: wrap(func(_ ctxT, _ *rpc.Request, a *rpc.Args) (any, error) {
				var list []string
				if err := json.Unmarshal(a.Raw(0), &list); err != nil || len(list) == 0 {
					return nil, rpc.Errorf(rpc.CodeInvalidParameter, "Parameter 'txs' cannot be empty")
				}
				var ps []*psbt.Packet
				for _, s := range list {
					p, err := psbt.ParseBase64(s)
					if err != nil {
						return nil, rpc.Errorf(rpc.CodeDeserialization, "TX decode failed %v", err)
					}
					ps = append(ps, p)
				}
				if err := ps[0].Combine(ps[1:]...); err != nil {
					return nil, rpc.Errorf(rpc.CodeInvalidParameter, "PSBTs not compatible (different transactions)")
				}
				return ps[0].Base64(), nil
			})},
		{Name: "finalizepsbt", Help: "Builds the witnesses of a fully signed packet and returns the network transaction.",
			Params: []rpc.Param{str("psbt", "base64"), opt(boolean("extract", "true"))},
			Handler: wrap(func(_ ctxT, _ *rpc.Request, a *rpc.Args) (any, error) {
				p := parse(a, 0)
				extract := a.Bool(1, true)
				if err := a.Err(); err != nil {
					return nil, err
				}
				done, err := p.Finalize()
				if err != nil {
					return nil, rpc.Errorf(rpc.CodeVerify, "%v", err)
				}
				if done && extract {
					tx, _ := p.Extract()
					return map[string]any{"hex": hexOf(tx.Bytes()), "complete": true}, nil
				}
				return map[string]any{"psbt": p.Base64(), "complete": done}, nil
			})},
		{Name: "decodepsbt", Help: "Describes a partially signed transaction.",
			Params: []rpc.Param{str("psbt", "base64")},
			Handler: wrap(func(_ ctxT, _ *rpc.Request, a *rpc.Args) (any, error) {
				p := parse(a, 0)
				if err := a.Err(); err != nil {
					return nil, err
				}
				ins := []map[string]any{}
				for _, in := range p.Inputs {
					ins = append(ins, map[string]any{"amount": rpc.Amount(in.Prev.Value), "asset": assetKey(in.Prev.Asset),
						"partial_signatures": len(in.PartialSigs), "final": in.Final != nil})
				}
				return map[string]any{"txid": p.Tx.TxHash().String(), "inputs": ins, "fee": rpc.Amount(p.Fee())}, nil
			})},
	}
}
