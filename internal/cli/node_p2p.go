package cli

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/ballast-chain/ballast/internal/node"
)

// p2pFlags are the node's peer-to-peer flags.
type p2pFlags struct {
	listen         string
	connect        listFlag
	addnode        listFlag
	maxconnections int
	maxoutbound    int
	bantime        time.Duration
	stalltimeout   time.Duration
	nonetwork      bool
}

func (f *nodeFlags) addP2PFlags() {
	fs := f.fs
	fs.StringVar(&f.listen, "listen", "", "accept peers on host:port (default 0.0.0.0:<network P2P port>; \"off\": none)")
	fs.Var(&f.connect, "connect", "connect only to this peer host:port (repeatable; disables the address book and seeds)")
	fs.Var(&f.addnode, "addnode", "keep a connection to this peer host:port (repeatable)")
	fs.IntVar(&f.maxconnections, "maxconnections", 125, "maximum inbound plus outbound peers")
	fs.IntVar(&f.maxoutbound, "maxoutbound", 8, "outbound peers to keep")
	fs.DurationVar(&f.bantime, "bantime", 24*time.Hour, "how long misbehaving peers stay banned")
	fs.DurationVar(&f.stalltimeout, "stalltimeout", 5*time.Second, "move a block request to another peer after this long")
	fs.BoolVar(&f.nonetwork, "nonetwork", false, "disable peer-to-peer networking")
}

func (f *nodeFlags) applyP2P(cfg *node.Config) error {
	listen := f.listen
	switch listen {
	case "":
		listen = net.JoinHostPort("0.0.0.0", strconv.Itoa(int(cfg.Params.DefaultPort)))
	case "off":
		listen = ""
	}
	if f.maxconnections < 1 || f.maxoutbound < 0 || f.maxoutbound > f.maxconnections {
		return fmt.Errorf("%w: -maxconnections must be >= 1 and -maxoutbound between 0 and it", errUsage)
	}
	if f.bantime <= 0 || f.stalltimeout <= 0 {
		return fmt.Errorf("%w: -bantime and -stalltimeout must be positive", errUsage)
	}
	cfg.P2PConfig = node.P2PConfig{P2PListen: listen, Connect: f.connect, AddNode: f.addnode,
		MaxConnections: f.maxconnections, MaxOutbound: f.maxoutbound, BanTime: f.bantime,
		StallTimeout: f.stalltimeout, NoNetwork: f.nonetwork}
	return nil
}
