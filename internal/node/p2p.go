package node

import (
	"time"

	"github.com/ballast-chain/ballast/internal/p2p"
)

// P2PConfig configures the node's peer-to-peer network.
type P2PConfig struct {
	// P2PListen is the host:port to accept peers on; "" accepts none.
	P2PListen string
	// Connect, when set, are the only peers dialed; AddNode peers are kept
	// connected besides the address book's.
	Connect, AddNode []string
	// MaxConnections bounds inbound plus outbound peers (0: 125).
	MaxConnections int
	// MaxOutbound is the outbound target (0: 8).
	MaxOutbound int
	// BanTime is how long misbehaving peers stay banned (0: 24 h).
	BanTime time.Duration
	// StallTimeout moves a block request to another peer (0: 5 s).
	StallTimeout time.Duration
	// NoNetwork disables peer-to-peer networking altogether.
	NoNetwork bool
}

// p2pPart is the node's network state.
type p2pPart struct {
	P2P *p2p.Server
}

// setupP2P builds the network service and registers its RPC methods.
func (n *Node) setupP2P() error {
	if n.cfg.NoNetwork {
		return nil
	}
	c := n.cfg.P2PConfig
	maxConn := c.MaxConnections
	if maxConn == 0 {
		maxConn = 125
	}
	out := c.MaxOutbound
	if out == 0 {
		out = min(8, maxConn)
	}
	in := maxConn - out
	if in <= 0 {
		in = -1
	}
	srv, err := p2p.New(p2p.Config{Params: n.cfg.Params, Chain: n.Chain, Pool: n.Pool,
		DataDir: n.cfg.DataDir, Listen: c.P2PListen, Connect: c.Connect, AddNode: c.AddNode,
		MaxOutbound: out, MaxInbound: in, BanTime: c.BanTime, StallTimeout: c.StallTimeout,
		Logger: n.log.With("svc", "p2p"), Now: n.cfg.Now})
	if err != nil {
		return err
	}
	n.P2P = srv
	n.services = append(n.services, srv)
	return n.registerP2PMethods()
}

// peerCount is the ballast_peers gauge.
func (n *Node) peerCount() float64 {
	if n.P2P == nil {
		return 0
	}
	in, out := n.P2P.Counts()
	return float64(in + out)
}
