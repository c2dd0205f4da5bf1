package node

// WalletConfig configures the node's wallet subsystem.
type WalletConfig struct{}

// walletPart is the node's wallet state.
type walletPart struct{}

// setupWallet builds the wallet subsystem and adds its services.
func (n *Node) setupWallet() error { return nil }
