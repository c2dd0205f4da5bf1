package node

// StratumConfig configures the node's stratum subsystem.
type StratumConfig struct{}

// stratumPart is the node's stratum state.
type stratumPart struct{}

// setupStratum builds the stratum subsystem and adds its services.
func (n *Node) setupStratum() error { return nil }
