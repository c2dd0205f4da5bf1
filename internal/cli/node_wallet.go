package cli

import "github.com/ballast-chain/ballast/internal/node"

// walletFlags are the node's wallet flags.
type walletFlags struct{}

func (f *nodeFlags) addWalletFlags() {}

func (f *nodeFlags) applyWallet(cfg *node.Config) error { return nil }
