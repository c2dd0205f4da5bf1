package p2p

import (
	"log/slog"
	"net/netip"
	"time"

	"github.com/ballast-chain/ballast/internal/chain"
	"github.com/ballast-chain/ballast/internal/mempool"
	"github.com/ballast-chain/ballast/internal/params"
)

// Config configures the network. Zero values take the documented defaults.
type Config struct {
	// Params, Chain and Pool are required.
	Params *params.Params
	Chain  *chain.Chain
	Pool   *mempool.Pool
	// DataDir holds peers.json and banlist.json; "" keeps both in memory.
	DataDir string
	// Listen is the host:port to accept peers on; "" accepts none. A
	// listener that cannot bind is logged and the node runs outbound only.
	Listen string
	// Connect, when set, are the only peers dialed (no address book, no
	// seeds). AddNode peers are dialed and kept besides the others.
	Connect, AddNode []string
	// MaxOutbound is the outbound target (default 8); MaxInbound the inbound
	// limit (default 117; negative: no inbound).
	MaxOutbound, MaxInbound int
	// BanTime is how long a misbehaving peer stays banned (default 24 h).
	BanTime time.Duration
	// StallTimeout is how long a requested block may be outstanding before
	// the request moves to another peer (default 5 s).
	StallTimeout time.Duration
	// HandshakeTimeout bounds the version exchange (default 10 s).
	HandshakeTimeout time.Duration
	// PingInterval is the time between pings (default 30 s).
	PingInterval time.Duration
	// TrickleInterval is the time between transaction announcements
	// (default 200 ms).
	TrickleInterval time.Duration
	// MsgRate and MsgBurst bound the unsolicited messages a peer may send
	// per second (token bucket; defaults 500 and 2000).
	MsgRate, MsgBurst float64
	// ProgressInterval is the time between sync progress log lines
	// (default 10 s).
	ProgressInterval time.Duration
	// UserAgent is sent in version (default "/Ballast:0.1.0/").
	UserAgent string
	// Logger receives events; nil discards. Now is the clock (nil:
	// time.Now).
	Logger *slog.Logger
	Now    func() time.Time
}

// Validate checks the configuration and fills defaults.
func (c *Config) Validate() error {
	if c.Params == nil || c.Chain == nil || c.Pool == nil {
		return p2pErr(ErrConfig, "network parameters, chain and mempool are required")
	}
	if c.Listen != "" {
		if _, err := netip.ParseAddrPort(c.Listen); err != nil {
			return p2pErr(ErrConfig, "listen address %q: %v", c.Listen, err)
		}
	}
	for _, a := range append(append([]string(nil), c.Connect...), c.AddNode...) {
		if _, err := netip.ParseAddrPort(a); err != nil {
			return p2pErr(ErrConfig, "peer address %q: %v", a, err)
		}
	}
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if c.MaxOutbound == 0 {
		c.MaxOutbound = 8
	}
	if c.MaxInbound == 0 {
		c.MaxInbound = 117
	}
	def(&c.BanTime, 24*time.Hour)
	def(&c.StallTimeout, 5*time.Second)
	def(&c.HandshakeTimeout, 10*time.Second)
	def(&c.PingInterval, 30*time.Second)
	def(&c.TrickleInterval, 200*time.Millisecond)
	def(&c.ProgressInterval, 10*time.Second)
	if c.MsgRate <= 0 {
		c.MsgRate = 500
	}
	if c.MsgBurst <= 0 {
		c.MsgBurst = 2000
	}
	if c.UserAgent == "" {
		c.UserAgent = "/Ballast:0.1.0/"
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}
