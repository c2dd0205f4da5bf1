package cli

import "github.com/ballast-chain/ballast/internal/node"

// stratumFlags are the node's stratum flags.
type stratumFlags struct{}

func (f *nodeFlags) addStratumFlags() {}

func (f *nodeFlags) applyStratum(cfg *node.Config) error { return nil }
