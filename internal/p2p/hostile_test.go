package p2p

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/ballast-chain/ballast/internal/chaingen"
	"github.com/ballast-chain/ballast/internal/chainhash"
	"github.com/ballast-chain/ballast/internal/p2p/message"
	"github.com/ballast-chain/ballast/internal/params"
)

// hostile is a test peer speaking the protocol over real TCP from its own
// loopback address.
type hostile struct {
	t    *testing.T
	conn net.Conn
	p    *params.Params
}

func dialFrom(t *testing.T, p *params.Params, from, to string) *hostile {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	conn, err := d.Dial("tcp", to)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &hostile{t: t, conn: conn, p: p}
}

func (h *hostile) send(m message.Message) {
	if _, err := message.WriteFrame(h.conn, h.p.Magic, m); err != nil {
		h.t.Logf("write: %v", err)
	}
}

// handshake completes version/verack with genesis as the peer's genesis.
func (h *hostile) handshake(genesis chainhash.Hash) {
	h.send(&message.Version{Protocol: message.ProtocolVersion, Nonce: 7, UserAgent: "/hostile/", GenesisHash: genesis})
	h.send(&message.Verack{})
}

// closed reports whether the node hung up within d.
func (h *hostile) closed(d time.Duration) bool {
	_ = h.conn.SetReadDeadline(time.Now().Add(d))
	buf := make([]byte, 1<<16)
	for {
		if _, err := h.conn.Read(buf); err != nil {
			ne, ok := err.(net.Error)
			return !ok || !ne.Timeout()
		}
	}
}

// TestHostilePeers: garbage, oversize frames, an invalid block and a flood
// each get their sender banned; a peer of another network is dropped but not
// banned; an honest peer stays connected throughout.
func TestHostilePeers(t *testing.T) {
	p := params.Regtest()
	n := newTestNode(t, p, "127.0.0.1", func(c *Config) { c.MsgRate, c.MsgBurst = 100, 200 })
	honest := newTestNode(t, p, "127.0.0.2", func(c *Config) { c.Connect = []string{n.addr} })
	waitFor(t, 5*time.Second, "honest peer", func() bool { in, _ := n.srv.Counts(); return in == 1 })

	g := chaingen.NewGenerator(p, "hostile")
	bad := g.NextBlock(nil, chaingen.BlockOpts{})
	bad.Header.MerkleRoot[0] ^= 1 // breaks sanity; still solved below
	chaingen.Solve(&bad.Header)

	cases := []struct {
		ip     string
		attack func(h *hostile)
		banned bool
	}{
		{"127.0.0.9", func(h *hostile) { _, _ = h.conn.Write(make([]byte, 100)) }, true}, // garbage: bad magic
		{"127.0.0.10", func(h *hostile) { // oversize ping
			h.handshake(p.GenesisHash)
			_, _ = h.conn.Write(message.AppendFrame(nil, p.Magic, message.CmdPing, make([]byte, 9)))
		}, true},
		{"127.0.0.11", func(h *hostile) { h.handshake(p.GenesisHash); h.send(&message.Block{Block: bad}) }, true},
		{"127.0.0.12", func(h *hostile) { // flood
			h.handshake(p.GenesisHash)
			for i := range 1000 {
				h.send(&message.Ping{Nonce: uint64(i)})
			}
		}, true},
		{"127.0.0.13", func(h *hostile) { h.handshake(chainhash.Hash{1}) }, false},  // wrong network
		{"127.0.0.14", func(h *hostile) { h.send(&message.Ping{Nonce: 1}) }, false}, // before handshake: 10 points
	}
	for _, c := range cases {
		h := dialFrom(t, p, c.ip, n.addr)
		c.attack(h)
		if !h.closed(5 * time.Second) {
			t.Errorf("%s: still connected", c.ip)
		}
		if got := n.srv.IsBanned(netip.MustParseAddr(c.ip)); got != c.banned {
			t.Errorf("%s: banned %v, want %v", c.ip, got, c.banned)
		}
	}
	// A banned address is refused at once.
	again := dialFrom(t, p, "127.0.0.9", n.addr)
	if !again.closed(2 * time.Second) {
		t.Error("banned address was served")
	}
	// The node closes a socket before it forgets the peer: wait for it to
	// forget every hostile one.
	onlyHonest := func() bool {
		for _, pi := range n.srv.Peers() {
			if ap := netip.MustParseAddrPort(pi.Addr); ap.Addr() != netip.MustParseAddr("127.0.0.2") {
				return false
			}
		}
		return true
	}
	waitFor(t, 5*time.Second, "hostile peers forgotten", onlyHonest)
	if in, _ := n.srv.Counts(); in < 1 {
		t.Fatal("honest peer lost")
	}
	// The honest peer still gets blocks.
	good := chaingen.NewGenerator(p, "hostile").NextBlock(nil, chaingen.BlockOpts{})
	if _, err := n.chain.ProcessBlock(good); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "relay to honest peer", func() bool { return honest.chain.Tip().Hash == good.BlockHash() })
	if len(n.srv.Bans()) != 4 {
		t.Fatalf("bans %v", n.srv.Bans())
	}
}
