package cli

import "github.com/ballast-chain/ballast/internal/node"

// p2pFlags are the node's p2p flags.
type p2pFlags struct{}

func (f *nodeFlags) addP2PFlags() {}

func (f *nodeFlags) applyP2P(cfg *node.Config) error { return nil }
