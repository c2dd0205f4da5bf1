package walletrpc

import (
	"context"
	"time"

	"github.com/ballast-chain/ballast/internal/rpc"
	"github.com/ballast-chain/ballast/internal/wallet"
)

func manageMethods(m *wallet.Manager) []rpc.Method {
	return []rpc.Method{
		{Name: "createwallet", Help: "Creates and loads a new wallet. A key wallet gets a new 24-word mnemonic unless one is given; the result shows it once.",
			Params: []rpc.Param{str("wallet_name", "the wallet's name"),
				opt(boolean("disable_private_keys", "watch-only (needs xpub or cosigners)")),
				opt(boolean("blank", "unused, for Core compatibility")),
				opt(str("passphrase", "encrypt the wallet with this passphrase")),
				opt(boolean("avoid_reuse", "unused")), opt(boolean("descriptors", "unused")), opt(boolean("load_on_startup", "unused")),
				opt(rpc.Param{Name: "options", Type: rpc.TypeObject, Help: `{"mnemonic","seed_passphrase","xpub","threshold","cosigners":[xpub,...],"birth_height"}`})},
			Handler: wrap(func(_ context.Context, _ *rpc.Request, a *rpc.Args) (any, error) {
				name := a.String(0)
				var o struct {
					Mnemonic       string   `json:"mnemonic"`
					SeedPassphrase string   `json:"seed_passphrase"`
					Xpub           string   `json:"xpub"`
					Threshold      int      `json:"threshold"`
					Cosigners      []string `json:"cosigners"`
					BirthHeight    int32    `json:"birth_height"`
				}
				if r := a.Raw(7); r != nil {
					if err := jsonUnmarshal(r, &o); err != nil {
						return nil, rpc.Errorf(rpc.CodeInvalidParameter, "options: %v", err)
					}
				}
				noKeys := a.Bool(1, false)
				if err := a.Err(); err != nil {
					return nil, err
				}
				co := wallet.CreateOptions{Kind: wallet.KindKey, Passphrase: wallet.Passphrase(a.String(3)),
					SeedPassphrase: wallet.Passphrase(o.SeedPassphrase), Xpub: o.Xpub, Threshold: o.Threshold,
					Cosigners: o.Cosigners, NoPrivateKeys: noKeys, BirthHeight: o.BirthHeight}
				co.Mnemonic = mnemonicOf(o.Mnemonic)
				switch {
				case o.Threshold > 0:
					co.Kind = wallet.KindMultisig
				case noKeys:
					co.Kind = wallet.KindWatch
				}
				w, mn, err := m.Create(name, co)
				if err != nil {
					return nil, err
				}
				res := map[string]any{"name": w.Name(), "warnings": []string{}}
				if mn != "" && o.Mnemonic == "" {
					res["mnemonic"] = mn.Reveal()
					res["warnings"] = []string{"Write the mnemonic down and keep it offline: it is shown only now."}
				}
				return res, nil
			})},
		{Name: "loadwallet", Help: "Loads a wallet from the wallets directory.",
			Params: []rpc.Param{str("filename", "the wallet's name"), opt(boolean("load_on_startup", "unused"))},
			Handler: wrap(func(_ context.Context, _ *rpc.Request, a *rpc.Args) (any, error) {
				w, err := m.Load(a.String(0))
				if err != nil {
					return nil, err
				}
				return map[string]any{"name": w.Name(), "warnings": []string{}}, nil
			})},
		{Name: "unloadwallet", Help: "Unloads a wallet (the endpoint's, or the named one).",
			Params: []rpc.Param{opt(str("wallet_name", "the wallet's name")), opt(boolean("load_on_startup", "unused"))},
			Handler: wrap(func(_ context.Context, req *rpc.Request, a *rpc.Args) (any, error) {
				name, named := req.WalletName()
				if a.Has(0) {
					if named && name != a.String(0) {
						return nil, rpc.Errorf(rpc.CodeInvalidParameter, "RPC endpoint wallet and wallet_name parameter specify different wallets")
					}
					name, named = a.String(0), true
				}
				w, err := m.Get(name, named)
				if err != nil {
					return nil, err
				}
				return map[string]any{"warnings": []string{}}, m.Unload(w.Name())
			})},
		{Name: "listwallets", Help: "Lists the loaded wallets.",
			Handler: wrap(func(context.Context, *rpc.Request, *rpc.Args) (any, error) {
				names := []string{}
				for _, w := range m.List() {
					names = append(names, w.Name())
				}
				return names, nil
			})},
		{Name: "listwalletdir", Help: "Lists the wallets in the wallets directory.",
			Handler: wrap(func(context.Context, *rpc.Request, *rpc.Args) (any, error) {
				ws := []map[string]string{}
				for _, n := range m.ListDir() {
					ws = append(ws, map[string]string{"name": n})
				}
				return map[string]any{"wallets": ws}, nil
			})},
		{Name: "getwalletinfo", Help: "Returns the wallet's state.",
			Handler: withWallet(m, func(w *wallet.Wallet, _ *rpc.Args) (any, error) {
				b := w.Balances()[[32]byte{}]
				res := map[string]any{"walletname": w.Name(), "walletversion": 1, "format": "ballast-json",
					"kind": w.Kind(), "balance": rpc.Amount(b.Trusted), "unconfirmed_balance": rpc.Amount(b.UntrustedPending),
					"immature_balance": rpc.Amount(b.Immature), "txcount": len(w.Transactions()),
					"private_keys_enabled": w.HasPrivateKeys(), "descriptors": false, "scanning": false,
					"account_xpub": w.AccountXpub()}
				if w.IsEncrypted() {
					until := w.UnlockedUntil()
					res["unlocked_until"] = int64(0)
					if !until.IsZero() {
						res["unlocked_until"] = until.Unix()
					}
				}
				return res, nil
			})},
		{Name: "encryptwallet", Help: "Encrypts the wallet with a passphrase and locks it.",
			Params: []rpc.Param{str("passphrase", "the new passphrase")},
			Handler: withWallet(m, func(w *wallet.Wallet, a *rpc.Args) (any, error) {
				if err := w.Encrypt(wallet.Passphrase(a.String(0))); err != nil {
					return nil, err
				}
				return "wallet encrypted; the keypool has been flushed and a new HD seed was not needed: the mnemonic is unchanged. Back up the wallet file again.", nil
			})},
		{Name: "walletpassphrase", Help: "Unlocks the wallet for timeout seconds.",
			Params: []rpc.Param{str("passphrase", "the passphrase"), num("timeout", "seconds to stay unlocked")},
			Handler: withWallet(m, func(w *wallet.Wallet, a *rpc.Args) (any, error) {
				pass, secs := wallet.Passphrase(a.String(0)), a.Int64(1, 0)
				if err := a.Err(); err != nil {
					return nil, err
				}
				if secs < 0 {
					return nil, rpc.Errorf(rpc.CodeInvalidParameter, "Timeout cannot be negative.")
				}
				return nil, w.Unlock(pass, time.Duration(min(secs, int64(wallet.MaxUnlockTime/time.Second)))*time.Second)
			})},
		{Name: "walletlock", Help: "Locks the wallet.",
			Handler: withWallet(m, func(w *wallet.Wallet, _ *rpc.Args) (any, error) { return nil, w.Lock() })},
		{Name: "walletpassphrasechange", Help: "Changes the wallet passphrase.",
			Params: []rpc.Param{str("oldpassphrase", "the current passphrase"), str("newpassphrase", "the new passphrase")},
			Handler: withWallet(m, func(w *wallet.Wallet, a *rpc.Args) (any, error) {
				return nil, w.ChangePassphrase(wallet.Passphrase(a.String(0)), wallet.Passphrase(a.String(1)))
			})},
		{Name: "backupwallet", Help: "Copies the wallet file to destination.",
			Params:  []rpc.Param{str("destination", "file path")},
			Handler: withWallet(m, func(w *wallet.Wallet, a *rpc.Args) (any, error) { return nil, w.Backup(a.String(0)) })},
		{Name: "rescanblockchain", Help: "Rescans the chain from start_height.",
			Params: []rpc.Param{opt(num("start_height", "first height")), opt(num("stop_height", "last height"))},
			Handler: withWallet(m, func(w *wallet.Wallet, a *rpc.Args) (any, error) {
				from, to := a.Int64(0, 0), a.Int64(1, -1)
				if err := a.Err(); err != nil {
					return nil, err
				}
				f, t, err := w.Rescan(int32(from), int32(to))
				if err != nil {
					return nil, err
				}
				return map[string]any{"start_height": f, "stop_height": t}, nil
			})},
	}
}
