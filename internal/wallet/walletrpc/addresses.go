package walletrpc

import (
	"encoding/json"

	"github.com/ballast-chain/ballast/internal/rpc"
	"github.com/ballast-chain/ballast/internal/wallet"
	"github.com/ballast-chain/ballast/internal/wallet/hd"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func mnemonicOf(s string) hd.Mnemonic { return hd.Mnemonic(s) }

func addressMethods(m *wallet.Manager) []rpc.Method {
	return []rpc.Method{
		{Name: "getnewaddress", Help: "Returns a new receive address (a key lock, or a k-of-n policy lock in a multisig wallet).",
			Params:  []rpc.Param{opt(str("label", "label")), opt(str("address_type", "unused"))},
			Handler: withWallet(m, func(w *wallet.Wallet, a *rpc.Args) (any, error) { return w.NewAddress(a.String(0)) })},
		{Name: "getrawchangeaddress", Help: "Returns a new change address.",
			Params:  []rpc.Param{opt(str("address_type", "unused"))},
			Handler: withWallet(m, func(w *wallet.Wallet, _ *rpc.Args) (any, error) { return w.ChangeAddress() })},
		{Name: "setlabel", Help: "Labels an address.",
			Params:  []rpc.Param{str("address", "address"), str("label", "label")},
			Handler: withWallet(m, func(w *wallet.Wallet, a *rpc.Args) (any, error) { return nil, w.SetLabel(a.String(0), a.String(1)) })},
		{Name: "getaddressinfo", Help: "Describes an address as the wallet knows it.",
			Params: []rpc.Param{str("address", "address")},
			Handler: withWallet(m, func(w *wallet.Wallet, a *rpc.Args) (any, error) {
				i, err := w.AddressInfo(a.String(0))
				if err != nil {
					return nil, err
				}
				res := map[string]any{"address": i.Address, "ismine": i.IsMine, "iswatchonly": i.IsWatchOnly,
					"solvable": i.IsMine || i.IsWatchOnly, "ischange": i.IsChange, "labels": []string{}}
				if i.Label != "" {
					res["labels"] = []string{i.Label}
				}
				if i.Path != "" {
					res["hdkeypath"] = i.Path
				}
				if i.Policy != "" {
					res["policy"] = i.Policy
				}
				if i.XOnly != "" {
					res["pubkey"] = i.XOnly
				}
				return res, nil
			})},
		{Name: "deriveaddresses", Help: "Derives addresses from an account xpub without secrets: deriveaddresses xpub [chain] [start] [count].",
			Params: []rpc.Param{str("xpub", "account xpub (m/86'/coin'/0')"), opt(num("chain", "0 receive, 1 change")),
				opt(num("start", "first index")), opt(num("count", "how many (default 1)"))},
			Handler: wrap(func(_ ctxT, _ *rpc.Request, a *rpc.Args) (any, error) {
				x, ch, st, n := a.String(0), a.Int64(1, 0), a.Int64(2, 0), a.Int64(3, 1)
				if err := a.Err(); err != nil {
					return nil, err
				}
				if ch < 0 || st < 0 || n < 0 || st > 1<<31-1 || n > 10_000 {
					return nil, rpc.Errorf(rpc.CodeInvalidParameter, "chain, start and count out of range")
				}
				out, err := wallet.DeriveAddresses(x, m.Params().Bech32HRP, uint32(ch), uint32(st), uint32(n))
				if err != nil {
					return nil, rpc.Errorf(rpc.CodeInvalidAddressOrKey, "%v", err)
				}
				return out, nil
			})},
	}
}
