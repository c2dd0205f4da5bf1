package cli

import (
	"fmt"

	"github.com/ballast-chain/ballast/internal/node"
)

// walletFlags are the node's wallet flags.
type walletFlags struct {
	disableWallet bool
	wallets       listFlag
	fallbackFee   int64
}

func (f *nodeFlags) addWalletFlags() {
	f.fs.BoolVar(&f.walletFlags.disableWallet, "disablewallet", false, "do not load the wallet or serve its RPC methods")
	f.fs.Var(&f.walletFlags.wallets, "wallet", "load this wallet at start (<datadir>/<network>/wallets/<name>); repeatable")
	f.fs.Int64Var(&f.walletFlags.fallbackFee, "fallbackfee", 0, "fee rate per 1000 vbytes when estimation lacks data (0: 20000 on regtest, off elsewhere)")
}

func (f *nodeFlags) applyWallet(cfg *node.Config) error {
	if f.walletFlags.fallbackFee < 0 {
		return fmt.Errorf("%w: -fallbackfee cannot be negative", errUsage)
	}
	cfg.DisableWallet = f.walletFlags.disableWallet
	cfg.Wallets = append([]string(nil), f.walletFlags.wallets...)
	cfg.FallbackFee = f.walletFlags.fallbackFee
	return nil
}
